import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One test file per core: most files wait on sandbox servers and child processes, so a machine
    // with 2 cores runs 2 files at once instead of the default of one fewer than the cores.
    poolOptions: { forks: { maxForks: availableParallelism(), minForks: 1 } },
  },
});
