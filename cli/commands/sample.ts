import type { RegisterCommand } from './index.ts';
import { archiveDirOption, formatOption, journalOption, rateOption, specOption } from './options.ts';

/** The options commander parses for `sample`. */
export interface SampleCliOptions {
  readonly spec: string;
  readonly journal: string;
  readonly size?: string;
  readonly out: string;
  readonly format: 'text' | 'json';
  readonly rate?: string;
  readonly archiveDir?: string;
}

/** `flitstack sample`: load a representative sample and compare it, field by field, with the spec. */
export const registerSample: RegisterCommand = (program, io, exit) => {
  program
    .command('sample')
    .description(
      'Pick a representative sample of the source (every clinic, every status, every custom property, the longest note, missing emails, inactive owners, every flag and rejection the spec makes, and the records they point to), load it as a journaled run, read it back and compare every column with what the spec says. Writes sample.md and sample.html.',
    )
    .addOption(specOption())
    .addOption(journalOption())
    .option('--size <n>', "records to sample (default: the spec's sample.size)")
    .option('--out <dir>', 'where sample.md and sample.html are written', '.flitstack/sample')
    .addOption(archiveDirOption())
    .addOption(rateOption())
    .addOption(formatOption('stdout format'))
    .addHelpText(
      'after',
      [
        '',
        'Needs the same environment as `flitstack run`, and a confirmed spec (`flitstack confirm`).',
        'The sample is a run of kind "sample": a later `flitstack run` finds its rows unchanged.',
        '',
        'sample.md and sample.html hold data values (patient data among them); stdout holds counts only.',
        '',
        'Examples:',
        '  $ flitstack sample',
        '  $ flitstack sample --size 200 --out review/sample',
        '',
        'Every mapping whose source has records gets at least one sampled record, so --size is at least the',
        'number of mappings.',
        '',
        'Exit codes: 0 every sampled row holds what the spec says, 1 differences, a mapping left unchecked',
        '(or the load refused to start), 2 usage or environment error, 130 interrupted (Ctrl-C).',
      ].join('\n'),
    )
    .action(async (options: SampleCliOptions) => {
      const { sampleCommand } = await import('../actions/sample.ts');
      exit(await sampleCommand(options, io));
    });
};
