import { Option } from 'commander';

/*
 * The options several commands share, declared once so that their names, defaults and help read the
 * same everywhere. Each call makes a new Option: commander keeps per-command state in them.
 */

/** `--spec <dir>`, default `spec`. */
export const specOption = (): Option => new Option('--spec <dir>', 'spec directory').default('spec');

/** `--journal <file>`, default `.flitstack/journal.db`. */
export const journalOption = (): Option =>
  new Option('--journal <file>', 'journal (SQLite) file').default('.flitstack/journal.db');

/** `--archive-dir <dir>`: where a loading command archives files and logs. */
export const archiveDirOption = (): Option =>
  new Option('--archive-dir <dir>', "where archived files and logs go (default: the spec's archive.dir)");

/** `--rate <n>`: the PracticeHub client's requests per second, for commands that read PracticeHub. */
export const rateOption = (): Option =>
  new Option(
    '--rate <n>',
    "PracticeHub requests per second, when the account's agreed limit differs from the spec's source.rate_limit",
  );

/** `--format text|json`, default text. */
export const formatOption = (description: string): Option =>
  new Option('--format <format>', description).choices(['text', 'json']).default('text');
