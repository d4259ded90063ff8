import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONSOLE = fileURLToPath(new URL('../../../console/', import.meta.url));
const VITE = fileURLToPath(new URL('../../../../node_modules/vite/bin/vite.js', import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The console as `npm run build` makes it (apps/console/dist), rebuilt when missing or older than
 * its sources: `npm test` builds it before jest, so this only builds when one file runs alone.
 */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE, 'dist', 'index.html');
  const sources = Math.max(newestSource(join(CONSOLE, 'src')), statSync(join(CONSOLE, 'index.html')).mtimeMs, statSync(join(CONSOLE, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync(process.execPath, [VITE, 'build', '--logLevel', 'warn'], { cwd: CONSOLE, stdio: 'inherit' });
}
