#!/usr/bin/env node
// Prints vitest's JSON report as one plain closing line: "tests: N passed, N failed, N skipped".
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2] ?? 'build/vitest-report.json';
if (!existsSync(file)) {
  console.log('tests: 0 passed, 1 failed');
  console.error(`no test report at ${file}: the test run did not complete`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A file that fails to load or whose hooks fail has no failed test of its own: count it once.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
const failed = r.numFailedTests + brokenFiles;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const line = `tests: ${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
console.log(line);
process.exit(failed > 0 || r.numPassedTests === 0 ? 1 : 0);
