import { defineConfig } from 'vitest/config';

// Tests run against the compiled native addon and, for server tests, the compiled CLI in dist/
// (`npm test` builds both first). Heavy suites (1M keys, crash images, kill -9 soaks) are bounded.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The container image test needs podman and built images: `npm run test:image` (vitest.image.config.ts).
    exclude: ['**/node_modules/**', 'test/image/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The JSON report feeds the closing summary line of .ci/run (scripts/test-summary.js).
    reporters: ['default', ['json', { outputFile: 'build/vitest-report.json' }]],
  },
});
