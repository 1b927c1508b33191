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
    // Most of the suite waits (real processes starting, platform rates, retry_after), so
    // three workers on two cores finish in about half the time of vitest's default here
    // (cores - 1 = one worker): 108 s instead of 204 s on an idle 2-vCPU machine.
    maxWorkers: 3,
    // Test files share their worker's module cache: the app, BullMQ, grammY, exceljs… are
    // imported once per worker, not once per file (that was ~70% of the suite's time). So a
    // test file restores what it changes globally (process.env, timers) and closes what it opens.
    isolate: false,
    reporters: ['default', 'json'],
    // Read by .ci/run to print a plain 'N passed, N failed' line.
    outputFile: { json: 'test-results/vitest.json' },
  },
});
