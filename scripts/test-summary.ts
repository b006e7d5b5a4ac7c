/**
 * Prints the plain closing line "N passed, N failed" from vitest's JSON report, and exits
 * non-zero when anything failed or the run never reached the tests (e.g. a type error).
 *   node scripts/test-summary.ts <report.json> <exit status of the test command>
 */
import { existsSync, readFileSync } from 'node:fs';

const [file = '.vitest-results.json', statusText = '0'] = process.argv.slice(2);
const status = Number(statusText);

if (!existsSync(file)) {
  console.log('The test command stopped before the tests ran (see the output above).');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  testResults: Array<{ status: string; message?: string; name: string }>;
};
// A test file that failed to load counts as a failure even though it ran no test.
const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && f.message).length;
const failed = report.numFailedTests + brokenFiles + (status !== 0 && report.numFailedTests + brokenFiles === 0 ? 1 : 0);
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || report.numPassedTests === 0 ? 1 : 0);
