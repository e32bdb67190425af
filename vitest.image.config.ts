import { defineConfig } from 'vitest/config';

// `npm run test:image` only (after scripts/image.sh built the images): the container image test.
// Not part of `npm test`: vitest.config.ts excludes test/image/, and the test skips itself unless
// DAXCACHE_IMAGE_TEST=1, which this file sets.
export default defineConfig({
  test: {
    include: ['test/image/**/*.test.ts'],
    env: { DAXCACHE_IMAGE_TEST: '1' },
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    reporters: ['default'],
  },
});
