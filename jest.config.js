// One jest setup for the whole repo: the repo is native ESM ("type": "module", NodeNext, which
// got 12+ requires), so jest runs under --experimental-vm-modules and ts-jest emits ESM.
// Transpile-only (isolatedModules): type-checking is `npm run typecheck`'s job. Workspace libs
// resolve to their sources so tests never need a build.
const tsJest = ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@wr/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  testTimeout: 30000,
  // Integration files mostly wait (on receivers, retries, timers), so more of them run at once than
  // the machine has cores (jest's default is cores - 1: one file at a time on 2 cores).
  maxWorkers: 3,
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/*/src/**/*.test.ts', '<rootDir>/apps/*/src/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/apps/*/test/**/*.test.ts'],
    },
  ],
};
