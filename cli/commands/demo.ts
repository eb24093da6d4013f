import type { RegisterCommand } from './index.ts';
import { specOption } from './options.ts';

/** `flitstack demo`: the whole migration against the embedded sandboxes. */
export const registerDemo: RegisterCommand = (program, io, exit) => {
  program
    .command('demo')
    .description(
      'Start the PracticeHub and Dataverse sandboxes in this process, compile the spec, create the schema, and run the full migration of the default data set.',
    )
    .addOption(specOption())
    .option('--scale <n>', 'sandbox data volume (1 ≈ 2,000 patients, 10,000 appointments)', '1')
    .option('--seed <n>', 'seed of the sandbox data', '1')
    .option(
      '--rate <n>',
      "the sandbox account's PracticeHub request limit, per second (the real API allows 1; the demo raises it to finish in about a minute)",
      '20',
    )
    .option('--faults <spec>', 'inject faults into both sandboxes, e.g. 429=0.1,5xx=0.02,reset=0.01')
    .option(
      '--dir <dir>',
      'where the demo keeps its journal and archive: a new or empty directory, or one an earlier demo made (its journal and archive are replaced)',
      '.flitstack/demo',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx flitstack demo\n  $ npx flitstack demo --scale 0.2 --rate 50\n\nExit codes: 0 every record loaded or skipped with a reason, 1 records rejected, 2 usage or environment error.',
    )
    .action(
      async (options: {
        spec: string;
        scale: string;
        seed: string;
        rate: string;
        faults?: string;
        dir: string;
      }) => {
        const { demo } = await import('../actions/demo.ts');
        exit(await demo(options, io));
      },
    );
};
