// Prints one plain closing line, "N passed, N failed", that any CI can read.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numRuntimeErrorTestSuites } = results;
    const failed = numFailedTests + numRuntimeErrorTestSuites;
    process.stdout.write(`\nSummary: ${numPassedTests} passed, ${failed} failed, ${numPendingTests} skipped\n`);
  }
}
