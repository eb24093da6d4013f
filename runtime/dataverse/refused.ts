import { type BatchPartResult, type BatchRequest, MAX_BATCH_PARTS } from './batch.ts';
import type { DataverseClient } from './client.ts';
import { columnValues, DataverseError, notAnId } from './errors.ts';

/** A request that addresses one existing row: `contacts(<id>)` or `contacts(key='…')`, no query. */
const ROW_PATH = /^[A-Za-z_]\w*\([^()]+\)$/;

/**
 * The values of the rows that `refused` (write requests Dataverse refused) address, as Dataverse holds
 * them now, one list per request: what a refusal's message may quote besides the values the request
 * sent. A plug-in's message (IsvAborted) is free text its author wrote with whatever values of the row
 * it likes: "A thrown InvalidPluginExecutionException returns to the caller with a friendly message"
 * (PA`best-practices/business-logic/use-invalidpluginexecutionexception-plugin-workflow-activities`),
 * and a plug-in sees the whole row, so a state change refused for the row's booking note quotes the note.
 * Read with one `$batch` of GETs per 1,000 rows; a request that creates a row (its values are all in
 * its body) or a row that cannot be read gives an empty list.
 */
export async function refusedRowValues(
  client: DataverseClient,
  refused: readonly BatchRequest[],
): Promise<unknown[][]> {
  const reads = refused.map((r) => (r.method !== 'POST' && ROW_PATH.test(r.path) ? r.path : undefined));
  const paths = [...new Set(reads.filter((p): p is string => p !== undefined))];
  const rows = new Map<string, unknown>();
  for (let at = 0; at < paths.length; at += MAX_BATCH_PARTS) {
    const part = paths.slice(at, at + MAX_BATCH_PARTS);
    let results: BatchPartResult[];
    try {
      results = await client.batch(
        part.map((path) => ({ method: 'GET' as const, path })),
        { continueOnError: true },
      );
    } catch (error) {
      // Dataverse does not answer the reads now: the messages are masked with the requests' values alone.
      if (!(error instanceof DataverseError)) throw error;
      continue;
    }
    for (const [i, path] of part.entries()) rows.set(path, results[i]?.body);
  }
  return reads.map((path) => (path === undefined ? [] : columnValues(rows.get(path)).filter(notAnId)));
}
