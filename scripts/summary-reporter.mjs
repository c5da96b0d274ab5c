/**
 * Vitest reporter behind scripts/test.sh's last line. It counts what makes
 * vitest exit 1 but is not a failed test: a suite or file whose own errors are
 * set (a failing beforeAll/afterAll, an import error) and unhandled errors.
 * Writes {passed, failed, skipped, failedTests, failedSuites, unhandledErrors}
 * as JSON to $KUMA_TEST_SUMMARY.
 */
import { writeFileSync } from 'node:fs';

export default class SummaryReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    let passed = 0;
    let failedTests = 0;
    let skipped = 0;
    let failedSuites = 0;
    for (const m of testModules) {
      if (m.errors().length > 0) failedSuites++;
      for (const s of m.children.allSuites()) if (s.errors().length > 0) failedSuites++;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedTests++;
        else skipped++;
      }
    }
    const summary = {
      passed,
      failed: failedTests + failedSuites + unhandledErrors.length,
      skipped,
      failedTests,
      failedSuites,
      unhandledErrors: unhandledErrors.length,
    };
    const out = process.env.KUMA_TEST_SUMMARY;
    if (out) writeFileSync(out, JSON.stringify(summary));
  }
}
