import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { ACTIONS, type Action, Journal, type LogWriter } from '../../runtime/journal/index.ts';
import { fsReason } from '../../runtime/shared/paths.ts';
import { openPrivate } from '../../runtime/shared/private-file.ts';
import { UsageError } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { existingJournal, runOption } from '../options.ts';

export interface LogCommandOptions {
  readonly run: string;
  readonly journal: string;
  readonly format: 'csv' | 'json';
  readonly out?: string;
  readonly action?: string;
  readonly withPreImages?: boolean;
}

/** A writer to a file only its owner may read, honouring the stream's back-pressure. */
function fileWriter(stream: WriteStream): LogWriter {
  return (chunk) =>
    new Promise<void>((done, fail) => {
      const ok = stream.write(chunk, (error) => {
        if (error) fail(error);
        else if (ok) done();
      });
      if (!ok) stream.once('drain', done);
    });
}

/**
 * The output file, opened before anything is read, so a bad path fails at once; 0600 even when it
 * existed with another mode, since pre-images hold patient data.
 */
function outputFile(path: string): WriteStream {
  let fd: number;
  try {
    fd = openPrivate(path);
  } catch (error) {
    throw new UsageError(
      `--out ${path}: cannot write it: ${fsReason(error, path)}; pass a file this user can write`,
    );
  }
  const stream = createWriteStream('', { fd });
  // A write error reaches the writer's callback; without a listener it would also end the process.
  stream.on('error', () => undefined);
  return stream;
}

function actionsOf(text: string | undefined): Action[] | undefined {
  if (text === undefined) return undefined;
  // A trailing or doubled comma names no action: it is left out, as in --only.
  const actions = text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (actions.length === 0)
    throw new UsageError(
      `--action needs actions, comma-separated, e.g. --action reject,skip (one of ${ACTIONS.join(', ')})`,
    );
  const unknown = actions.filter((a) => !(ACTIONS as readonly string[]).includes(a));
  if (unknown.length > 0)
    throw new UsageError(`--action: unknown action ${unknown.join(', ')} (one of ${ACTIONS.join(', ')})`);
  return actions as Action[];
}

/** `flitstack log`: streams a run's operations from the journal (read only) to stdout or a file. */
export async function logCommand(options: LogCommandOptions, io: CliIo): Promise<number> {
  const runId = runOption(options.run);
  const action = actionsOf(options.action);
  const journal = Journal.open(existingJournal(options.journal, io.cwd), { readonly: true });
  let stream: WriteStream | undefined;
  try {
    // Before --out is opened, which empties it: a mistyped run id leaves an earlier export as it was.
    journal.requireRun(runId);
    stream = options.out ? outputFile(resolve(io.cwd, options.out)) : undefined;
    const write: LogWriter = stream ? fileWriter(stream) : (chunk) => io.out(chunk);
    const count = await journal.exportLog(runId, options.format, write, action ? { action } : {}, {
      withPreImages: options.withPreImages === true,
    });
    if (stream) io.err(`${count} operations of run ${runId} written to ${options.out}\n`);
    return 0;
  } finally {
    journal.close();
    if (stream) await new Promise<void>((done) => stream?.end(done));
  }
}
