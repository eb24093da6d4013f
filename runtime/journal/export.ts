import type { OperationRecord } from './types.ts';

/** Formats of the audit log. */
export type LogFormat = 'csv' | 'json';

/** Receives the log in pieces; a returned promise is awaited (back-pressure of a file stream). */
export type LogWriter = (chunk: string) => void | Promise<void>;

/** Columns of the audit log, in order. Pre-images are left out: they hold patient data. */
export const LOG_COLUMNS = [
  'id',
  'run_id',
  'at',
  'resource',
  'page',
  'mapping',
  'source_id',
  'row_key',
  'table',
  'action',
  'target_id',
  'reason',
  'error_code',
  'error_message',
  'flags',
  'has_pre_image',
  'payload_hash',
] as const;

type LogEntry = Record<(typeof LOG_COLUMNS)[number], string | number | boolean | null | unknown[]>;

/** One operation as an audit log entry. */
export function logEntry(op: OperationRecord): LogEntry {
  return {
    id: op.id,
    run_id: op.runId,
    at: op.at,
    resource: op.resource,
    page: op.page,
    mapping: op.mapping,
    source_id: op.sourceId,
    row_key: op.key,
    table: op.table,
    action: op.action,
    target_id: op.targetId,
    reason: op.reason,
    error_code: op.error?.code ?? null,
    error_message: op.error?.message ?? null,
    flags: [...op.flags],
    has_pre_image: op.preImage !== null,
    payload_hash: op.payloadHash,
  };
}

/**
 * One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF, with quotes
 * doubled. Text that a spreadsheet would run as a formula (leading = + - @, tab or CR; OWASP "CSV
 * Injection") gets a leading apostrophe, so opening the log cannot execute anything.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 says. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

const FLUSH_AT = 64 * 1024;

/**
 * Streams operations as an audit log: CSV with a header line, or a JSON array with one entry per
 * line. Output is handed to `write` in pieces of about 64 KiB. Returns the number of entries. With
 * `withPreImages`, a `pre_image` column holds the values each write overwrote (patient data).
 */
export async function writeLog(
  ops: Iterable<OperationRecord>,
  format: LogFormat,
  write: LogWriter,
  options: { readonly withPreImages?: boolean } = {},
): Promise<number> {
  const columns: readonly string[] = options.withPreImages ? [...LOG_COLUMNS, 'pre_image'] : LOG_COLUMNS;
  let buffer = format === 'csv' ? csvLine(columns) : '[';
  let count = 0;
  for (const op of ops) {
    const entry: Record<string, unknown> = options.withPreImages
      ? { ...logEntry(op), pre_image: op.preImage }
      : logEntry(op);
    buffer +=
      format === 'csv'
        ? csvLine(columns.map((c) => entry[c]))
        : `${count === 0 ? '' : ','}\n${JSON.stringify(entry)}`;
    count += 1;
    if (buffer.length >= FLUSH_AT) {
      await write(buffer);
      buffer = '';
    }
  }
  buffer += format === 'csv' ? '' : count === 0 ? ']\n' : '\n]\n';
  if (buffer.length > 0) await write(buffer);
  return count;
}
