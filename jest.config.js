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

const SOLO = ['flow-control.timing.test.ts', 'redis-loss.e2e.test.ts', 'worker-crash.e2e.test.ts'];

export default {
  testTimeout: 30000,
  // Integration files mostly wait (on receivers, retries, timers): two run at once on 2 cores
  // (jest's default, cores - 1, ran one at a time); three made the heavy ones (20,000-notification
  // replays) slow the others' first deliveries past their waits.
  maxWorkers: 2,
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
      testPathIgnorePatterns: ['/node_modules/', ...SOLO],
    },
    {
      // Files that measure time at a receiver (rates per second) or load the machine on their own
      // (20,000-notification replays killed mid-way): `npm test` runs them one at a time after the
      // rest, so neither bunches the other's receipts nor slows its answers past their bounds.
      ...shared,
      displayName: 'solo',
      testMatch: SOLO.map((name) => `<rootDir>/apps/api/test/${name}`),
    },
  ],
};
