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
    // A worker runs its test files one after another in the same module graph instead of loading every
    // module again for each file, which halves the suite's time. So a test file must leave no state
    // behind: it restores what it changes of the process (the time zone through machineTimeZone, the
    // umask) and closes the servers and journals it opens.
    isolate: false,
  },
});
