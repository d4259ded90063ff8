import { defineConfig } from 'vite';

/**
 * The console is served by the API under /console (apps/api/src/console/console-pages.ts): every
 * asset is a file of this build, named by its hash; nothing inline (the page's CSP forbids it) and
 * nothing from another origin.
 */
export default defineConfig({
  base: '/console/',
  // Preact's automatic JSX runtime; no plugin needed for a production build.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No data: URIs and no inline preload helper: the CSP allows only files from this origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
