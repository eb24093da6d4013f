import { Option } from 'commander';
import type { RegisterCommand } from './index.ts';

/** `flitstack sandbox`: runs both sandbox servers until interrupted. */
export const registerSandbox: RegisterCommand = (program, io, exit) => {
  program
    .command('sandbox')
    .description(
      'Start the PracticeHub and Dataverse sandboxes on loopback and print the environment to reach them.',
    )
    .option(
      '--scale <n>',
      'data volume: 1 ≈ a small clinic group (2,000 patients), 50 ≈ 100,000 patients',
      '1',
    )
    .option('--seed <n>', 'seed of the generated data', '1')
    .option('--rate <n>', 'PracticeHub requests per second per API key (the real limit is 1)', '1')
    .option(
      '--faults <spec>',
      'inject faults into both servers: 429=p (a share p of requests answered 429), 5xx=p, reset=p (connection cut mid-answer), slow=p@ms (first byte held ms), storm=NxM (after every N requests, M answered 429), part=p (Dataverse: a share p of the writes inside a $batch answered with a deadlock, a SQL timeout, 502 or 503 of their own), retry-after=s (the Retry-After of injected 429s), seed=n; e.g. 429=0.1,5xx=0.02,reset=0.01,slow=0.02@1500,seed=7',
    )
    .option('--projection', 'serve the fields= projection extension')
    .option(
      '--licence <tier>',
      'licence of the Dynamics organisation: professional or enterprise',
      'professional',
    )
    .addOption(
      new Option('--practicehub-port <port>', 'port of the PracticeHub sandbox').default('0', 'a free port'),
    )
    .addOption(
      new Option('--dataverse-port <port>', 'port of the Dataverse sandbox').default('0', 'a free port'),
    )
    .option('--spec <dir>', 'spec directory whose owners.fallback user the organisation gets', 'spec')
    .addHelpText(
      'after',
      '\nExamples:\n  $ flitstack sandbox\n  $ flitstack sandbox --rate 20 > sandbox.env &   # then, once it is written: . ./sandbox.env\n  $ flitstack sandbox --scale 5 --faults 429=0.1,5xx=0.02,reset=0.01\n\nRuns until interrupted (Ctrl-C, kill %1, kill $!), or until the process that started it ends.',
    )
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const { sandbox } = await import('../actions/sandbox.ts');
      exit(await sandbox(options, io));
    });
};
