import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // dist/ first: tests run our processes from the compiled JS (test/helpers/process.ts).
    globalSetup: ['test/setup/build.ts', 'test/setup/redis-server.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests share one private redis-server; each test file uses its own key prefix / db.
    pool: 'forks',
    reporters: ['default', 'json'],
    // Read by .ci/run to print a plain 'N passed, N failed' line.
    outputFile: { json: 'test-results/vitest.json' },
  },
});
