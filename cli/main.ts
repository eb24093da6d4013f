import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { DAMAGED_HINT } from '../runtime/journal/file.ts';
import { commands } from './commands/index.ts';
import { UsageError } from './errors.ts';
import { onInterrupt } from './interrupt.ts';
import { type CliIo, processIo } from './io.ts';

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/** Builds the commander program; each command's action resolves to an exit code stored in `result`. */
export function buildProgram(io: CliIo, result: { code: number }): Command {
  const program = new Command('flitstack')
    .description('Migration as code: PracticeHub to Microsoft Dynamics 365 Sales (Dataverse).')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const register of commands) {
    register(program, io, (code) => {
      result.code = code;
    });
  }
  return program;
}

/** Runs the CLI with `argv` (as in process.argv) and returns the exit code. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const result = { code: EXIT.ok };
  const program = buildProgram(io, result);
  // The journal the command uses, to name it when SQLite fails on it mid-command.
  let journal: string | undefined;
  // Ctrl-C while a command reads or writes for long: one line on what it left and what to do.
  let stopListening: () => void = () => undefined;
  // The command running, to name it if it stops on an error of no known kind.
  let command = '';
  program.hook('preAction', (_, action) => {
    command = action.name();
    const given = action.opts().journal;
    if (typeof given === 'string') journal = resolve(io.cwd, given);
    stopListening = onInterrupt(action.name(), () => journal, io.err);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok;
      // Help shown because no command was given (commander's `help({ error: true })`): a usage error.
      if (error.code === 'commander.help') return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.err(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    const known = environmentError(error, journal);
    if (known) {
      io.err(`error: ${known}\n`);
      return EXIT.usage;
    }
    io.err(unexpected(error, command, io.env.FLITSTACK_DEBUG === '1'));
    return EXIT.findings;
  } finally {
    stopListening();
  }
  return result.code;
}

/**
 * Errors of the services or the journal that stop a command (unreachable service, refused credentials,
 * a missing publisher): their messages already say what failed, on which request, and what to do.
 */
function environmentError(error: unknown, journal: string | undefined): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const names = [
    'DataverseError',
    'BulkError',
    'PracticeHubError',
    'PracticeHubConfigError',
    'PracticeHubRequestError',
    'PracticeHubAuthError',
    'PracticeHubIgnoredFilterError',
    'JournalError',
    'DirectoryError',
    'SchemaError',
    'KeyError',
    'UnknownEntitySetError',
  ];
  if (error.name === 'SqliteError') return journalFailure(error, journal);
  if (!names.includes(error.name)) return undefined;
  const hint = (error as Error & { hint?: unknown }).hint;
  return typeof hint === 'string' && hint && !error.message.includes(hint)
    ? `${error.message}\n  hint: ${hint}`
    : error.message;
}

/**
 * SQLite failing on the journal's file after it opened (a damaged page met mid-run, a failing or full
 * disk): the journal is the only SQLite file FlitStack uses. Other SQLite errors (constraints, SQL) are
 * bugs and keep their stack trace.
 */
function journalFailure(error: Error, path: string | undefined): string | undefined {
  const code = String((error as Error & { code?: unknown }).code ?? '');
  const journal = path ? `the journal ${path}` : 'the journal';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))
    return `${journal} is damaged (SQLite: ${error.message})\n  hint: ${DAMAGED_HINT}`;
  if (/^SQLITE_(IOERR|FULL|READONLY|CANTOPEN|PERM)/.test(code))
    return `${journal} could not be read or written (SQLite: ${error.message})\n  hint: check the disk and the journal file's owner and permissions, then run the command again`;
  return undefined;
}

/**
 * What stderr says of an error of no known kind (a bug): the command, the error's kind and where it was
 * thrown, with what to do. Its message is left out, since a message built by a library may quote the
 * values it choked on, patient data included; `FLITSTACK_DEBUG=1` prints the whole stack.
 */
export function unexpected(error: unknown, command: string, debug: boolean): string {
  const name = error instanceof Error ? error.name : typeof error;
  const where = command ? `flitstack ${command}` : 'flitstack';
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const frames = debug
    ? stack
    : stack
        .split('\n')
        .filter((line) => /^\s+at /.test(line))
        .join('\n');
  return (
    `error: ${where} stopped on an unexpected ${name}: this is a bug in flitstack\n` +
    '  hint: what was journaled before it stays (runs and rollbacks resume where they stopped); report the command and the lines below. ' +
    "The error's message is left out, since it may quote record values; FLITSTACK_DEBUG=1 prints it\n" +
    (frames ? `${frames}\n` : '')
  );
}
