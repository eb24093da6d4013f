import { IDS_PER_QUERY } from '../compare/read.ts';
import { TOO_LONG_CODES } from '../dataverse/hints.ts';
import type { BatchRequest, DataverseClient } from '../dataverse/index.ts';
import {
  BulkError,
  columnValues,
  DataverseError,
  inFilter,
  isAddressableKey,
  isClientTimeout,
  isSqlTimeout,
  recordPath,
  recordUri,
  summarizeError,
} from '../dataverse/index.ts';
import { refusedRowValues } from '../dataverse/refused.ts';
import {
  type CrosswalkChange,
  type Journal,
  type OperationInput,
  STATE_REFUSED,
  type StagedImage,
} from '../journal/index.ts';
import { chunks, groupBy } from '../shared/group.ts';
import { ATTACHMENT_TOO_BIG, type Attachments, attachmentTooBigHint, NO_ATTACHMENT } from './documents.ts';
import type { ExistingRows } from './existing.ts';
import type { PagedOperation, PreparedRow } from './state.ts';

/** How rows are written. */
export interface WriteContext {
  readonly client: DataverseClient;
  /** Records per request (UpsertMultiple items or $batch parts). */
  readonly batchSize: number;
  readonly attachments: Attachments;
  /** Where the pre-images of a write are committed before it is sent, and the run they belong to. */
  readonly journal: Pick<Journal, 'images'>;
  readonly runId: number;
  /**
   * Rows per UpsertMultiple by table, once a larger request timed out in the database: later requests
   * to the table keep to it (writeBulk). Absent, each write starts from batchSize again.
   */
  readonly bulkRows?: Map<string, number>;
  /**
   * Rows to create that another journal may have written: looked for before they are written, and those
   * Dataverse holds written as updates (pre-image first). Absent, they are created.
   */
  readonly existing?: ExistingRows;
  /** Per table, whether it has a state (statecode): asked once per run, for `run --rewrite all` (hasState). */
  readonly stateful?: Map<string, Promise<boolean>>;
}

/** What a flush produced: operations and crosswalk changes to journal, each with its page. */
export interface Written {
  readonly ops: PagedOperation[];
  readonly crosswalk: { readonly page: number | null; readonly change: CrosswalkChange }[];
}

const plainColumns = (body: Readonly<Record<string, unknown>>) =>
  Object.keys(body).filter((k) => !k.includes('@'));

/**
 * Annotations a pre-image keeps beside each lookup's `_x_value`: the table the lookup points to and its
 * navigation property, so a polymorphic lookup (customer, regarding, owner) can be bound again to the
 * right table. Asked for with `Prefer: odata.include-annotations` (compose-http-requests-handle-errors);
 * Microsoft Learn's Web API query pages document both lookup annotations, and dynamics-web-api's README
 * reads the navigation property name for a bind the same way.
 */
export const LOOKUP_TABLE_ANNOTATION = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const LOOKUP_NAV_ANNOTATION = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** A row whose current values `preImages` reads: its mapping, table, id and the body about to be written. */
export type PreImageRow = Pick<PreparedRow, 'mapping' | 'table' | 'targetId' | 'body' | 'reopen'>;

/** What `preImages` reads besides the body's columns. */
export interface PreImageOptions {
  /**
   * Every column the mapping writes (its columns, key, lookups, owner, roles, document columns), not
   * only those in the body: the image a deleted row is recreated from.
   */
  readonly allMapped?: boolean;
  /** The row's state too (statecode, statuscode), for a table that has one. */
  readonly state?: boolean;
}

/** The `_x_value` names of the lookups a mapping binds: lookups (deferred ones too), owner, roles. */
function mappingLookups(m: PreImageRow['mapping']): string[] {
  return [
    ...m.lookups.map((l) => l.column),
    ...(m.owner ? ['ownerid'] : []),
    ...m.roles.map((r) => r.column),
  ].map((column) => `_${column}_value`);
}

/** The `_x_value` name of the lookup a body's `nav@odata.bind` writes, if the mapping knows the nav. */
function bindColumn(m: PreImageRow['mapping'], key: string): string | undefined {
  const nav = key.slice(0, -'@odata.bind'.length);
  const column =
    m.lookups.find((l) => l.candidates.some((c) => c.nav === nav))?.column ??
    (m.owner?.nav === nav ? 'ownerid' : m.roles.find((r) => r.nav === nav)?.column);
  return column ? `_${column}_value` : undefined;
}

/** The columns to read for the rows of one mapping. */
function preImageSelect(group: readonly PreImageRow[], options: PreImageOptions): string[] {
  const { mapping: m, table } = group[0]!;
  const plain = new Set(group.flatMap((r) => plainColumns(r.body)));
  if (options.allMapped) {
    for (const column of m.columns) plain.add(column);
    if (m.key.kind === 'alternate') plain.add(m.key.column);
  }
  // The columns of a note's file are added to the body after the pre-image is read (attach), and a
  // note without a file now has them cleared: the image keeps the file a rollback puts back.
  if (m.document) for (const column of Object.keys(NO_ATTACHMENT)) plain.add(column);
  const binds = group.flatMap((r) => Object.keys(r.body).filter((k) => k.endsWith('@odata.bind')));
  return [
    ...new Set([
      table.primaryId,
      ...plain,
      // overriddencreatedon reads back as the import time; createdon holds the date it set, which a
      // recreated row needs again (reference §2).
      ...(plain.has('overriddencreatedon') ? ['createdon'] : []),
      ...binds.map((k) => bindColumn(m, k)).filter((l): l is string => l !== undefined),
      // Deferred lookups are bound after the update in a second pass: their old value is kept here.
      ...(options.allMapped
        ? mappingLookups(m)
        : m.lookups.filter((l) => l.deferred).map((l) => `_${l.column}_value`)),
      // A reopened row's state is written too: the image keeps the closed state a rollback puts back.
      ...(m.hasState || options.state || group.some((r) => r.reopen) ? ['statecode', 'statuscode'] : []),
    ]),
  ];
}

/**
 * The current values of the columns a write will overwrite (the pre-image rollback restores): plain
 * columns, lookups as `_x_value` with their table and navigation property annotations, statecode and
 * statuscode. Keyed by lower-case row id; rows that do not exist are absent. Rows of several mappings
 * may be given together.
 */
export async function preImages(
  ctx: Pick<WriteContext, 'client'>,
  rows: readonly PreImageRow[],
  options: PreImageOptions = {},
): Promise<Map<string, Record<string, unknown>>> {
  const images = new Map<string, Record<string, unknown>>();
  for (const group of groupBy(rows, (row) => row.mapping.name).values()) {
    const table = group[0]!.table;
    const select = preImageSelect(group, options);
    const headers = {
      Prefer: `odata.include-annotations="${LOOKUP_TABLE_ANNOTATION},${LOOKUP_NAV_ANNOTATION}"`,
    };
    // Few ids per query: a GET's URL stays short (Microsoft.Dynamics.CRM.In, query-data-web-api).
    for (const part of chunks(group, IDS_PER_QUERY)) {
      for await (const current of ctx.client.query<Record<string, unknown>>(table.entitySet, {
        select,
        filter: inFilter(
          table.primaryId,
          part.map((r) => r.targetId),
        ),
        headers,
      })) {
        const id = String(current[table.primaryId]).toLowerCase();
        const image: Record<string, unknown> = {};
        for (const column of select) {
          if (column === table.primaryId || !(column in current)) continue;
          image[column] = current[column];
          for (const annotation of [LOOKUP_TABLE_ANNOTATION, LOOKUP_NAV_ANNOTATION]) {
            const name = `${column}@${annotation}`;
            if (column.startsWith('_') && name in current) image[name] = current[name];
          }
        }
        images.set(id, image);
      }
    }
  }
  return images;
}

/** A pre-image, or null for a row that did not exist; by lower-case row id. */
type Images = Map<string, Readonly<Record<string, unknown>> | null>;

/**
 * The pre-images of existing rows about to be written, committed to the journal before anything is
 * sent. A row this run already staged an image for (an attempt killed after Dataverse took its write
 * and before the journal recorded it) keeps the staged image, since the row may now hold this run's
 * values; columns the staged image lacks (the earlier write did not touch them) come from the read.
 * The image a failed or interrupted run staged of the row, taken over before (writeChanged), is built on the same
 * way (ImageStore.take): that run's write may have reached the row too.
 */
async function stagedPreImages(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
  options: PreImageOptions,
): Promise<Images> {
  const read = await preImages(ctx, rows, options);
  const images: Images = new Map();
  const staged: StagedImage[] = [];
  for (const row of rows) {
    const id = row.targetId.toLowerCase();
    const earlier = ctx.journal.images.get(ctx.runId, row.mapping.name, row.key);
    const fresh = read.get(id) ?? null;
    const image =
      earlier?.targetId === id
        ? earlier.preImage === null
          ? null
          : { ...fresh, ...earlier.preImage }
        : fresh;
    images.set(id, image);
    staged.push({
      mapping: row.mapping.name,
      key: row.key,
      targetId: id,
      action: 'update',
      preImage: image,
      sourceId: row.sourceId,
      table: row.table.name,
    });
  }
  ctx.journal.images.stage(ctx.runId, staged);
  return images;
}

/**
 * Stages the rows about to be created, with no pre-image (they did not exist), before anything is sent:
 * their ids are derived from their keys (prepare.ts), so a rollback of a run whose answer never came
 * deletes them by id like any row the run created (a row that is not there counts as gone).
 */
function stageCreates(ctx: WriteContext, rows: readonly PreparedRow[]): void {
  ctx.journal.images.stage(
    ctx.runId,
    rows
      .filter((row) => row.create)
      .map((row) => ({
        mapping: row.mapping.name,
        key: row.key,
        targetId: row.targetId.toLowerCase(),
        action: 'update' as const,
        preImage: null,
        sourceId: row.sourceId,
        table: row.table.name,
      })),
  );
}

/** What the reason of a row says when its document could not be attached (documents.ts): nothing was sent. */
const NOT_ATTACHED = 'the row was not written: the file for its documentbody could not be attached';

/**
 * What to do when the row's alternate key is longer than its column: not the general advice to truncate,
 * since keys cut to one length would fall together and rows of different records would be one.
 */
function keyTooLongHint(row: PreparedRow, error: DataverseError): string | undefined {
  const m = row.mapping;
  if (m.key.kind !== 'alternate' || !TOO_LONG_CODES.includes(error.code)) return undefined;
  if (!error.serverMessage.includes(`'${m.key.column}'`)) return undefined;
  return `the row's key (${row.key.length} characters) is longer than its column ${m.key.column}: a truncated key would make records share one row, so raise the key column's max_length in the spec and its MaxLength in Dataverse (\`flitstack schema verify\` shows the difference), or shorten the key's prefix`;
}

/**
 * A refused row as the journal keeps it: Dataverse's code, its message with the row's values masked
 * (its column and table stay), and what to do. The values are left out of the message because
 * Dataverse repeats the value it refused, and a row's values may be patient data.
 */
function failure(
  row: PreparedRow,
  error: unknown,
  held: readonly unknown[] = [],
  what = 'Dataverse refused the row',
): OperationInput {
  const e = summarizeError(error, [...columnValues(row.body), ...held]);
  const why =
    error instanceof DataverseError && error.code === ATTACHMENT_TOO_BIG && row.mapping.document
      ? attachmentTooBigHint(row)
      : error instanceof DataverseError
        ? (keyTooLongHint(row, error) ?? error.hint)
        : undefined;
  const hint = why ? ` — ${why}` : '';
  return {
    mapping: row.mapping.name,
    sourceId: row.sourceId,
    key: row.key,
    table: row.table.name,
    action: 'reject',
    reason: `${what}: ${e.message}${hint}`,
    error: e,
    flags: row.flags,
  };
}

/**
 * The body of a row addressed by its alternate key, without the key column: "don't include the
 * alternate key data in the portion of the request that represents the data to save"
 * (PA`use-upsert-insert-update-record`). Dataverse copies it from the address into a new row, and
 * UpsertMultiple refuses to create a row that has it in both places (0x80040216).
 */
function withoutKey(body: Record<string, unknown>, column: string): Record<string, unknown> {
  const { [column]: _key, ...rest } = body;
  return rest;
}

/**
 * Whether a row is addressed by its alternate key rather than its id: a row of an alternate-key mapping
 * whose key value can stand in an address. A key holding / < > * % & : \ ? + "breaks" addressing
 * (PA`define-alternate-keys-entity`): such a row is addressed by its id, which prepareRow derives from
 * the key and puts in a new row's body anyway (and Dataverse's upsert looks a row up by the primary key in
 * the body first, PA`use-upsert-insert-update-record`), with its key column in the body.
 */
function byKey(row: PreparedRow): boolean {
  return row.mapping.key.kind === 'alternate' && isAddressableKey(row.key);
}

/** Writes rows through $batch PATCH requests (upsert by key, or update of an existing row). */
async function writeBatch(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
): Promise<Map<PreparedRow, unknown>> {
  const errors = new Map<PreparedRow, unknown>();
  for (const part of chunks(rows, Math.min(ctx.batchSize, 1000))) {
    const requests: BatchRequest[] = part.map((row) => {
      const m = row.mapping;
      const keyed = row.create && byKey(row) && m.key.kind === 'alternate';
      const address = keyed
        ? recordPath(row.table.entitySet, { [m.key.column]: row.key })
        : recordPath(row.table.entitySet, row.targetId);
      // Update and match mappings change existing rows only: If-Match * (reference §3.3).
      const headers: Record<string, string> = m.mode === 'update' ? { 'If-Match': '*' } : {};
      const body = keyed ? withoutKey(row.body, m.key.column) : row.body;
      return { method: 'PATCH', path: address, body, headers };
    });
    const results = await ctx.client.batch(requests, { continueOnError: true });
    results.forEach((result, i) => {
      if (!result.executed || result.error || result.status >= 400)
        errors.set(part[i]!, result.error ?? new Error(`the request did not run (status ${result.status})`));
    });
  }
  return errors;
}

/**
 * Writes rows of a bulk-capable table through UpsertMultiple. A request that fails on one of its items
 * is rolled back whole on standard tables, and Dataverse's answer does not say which item (PA`bulk-operations`,
 * which suggests $batch for that case): the rows of that request are then written again through
 * `writeBatch`, where each row gets its own answer. A request that times out in the database (SQL
 * timeout expired) is "likely" too large, and the advice is to "reduce the batch size of your request"
 * (Troubleshoot Dataverse bulk operation errors, learn.microsoft.com/troubleshoot/power-platform/
 * power-apps/dataverse/bulk-operation-errors): it is written again as two halves, and the table's later
 * requests keep to the size that went through. So is a request with no answer in the client's time
 * (UpsertMultiple is idempotent: rows it wrote before the client gave up are written again unchanged). Failures of the request as a whole are thrown.
 */
async function writeBulk(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
): Promise<Map<PreparedRow, unknown>> {
  const errors = new Map<PreparedRow, unknown>();
  await writeBulkRows(ctx, rows, Math.min(ctx.batchSize, 1000), ctx.bulkRows ?? new Map(), errors);
  return errors;
}

/**
 * UpsertMultiple requests of at most `size` rows, or fewer once the table's requests had to shrink
 * (`sizes`, by table); a request the database times out on is written again as two halves.
 */
async function writeBulkRows(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
  size: number,
  sizes: Map<string, number>,
  errors: Map<PreparedRow, unknown>,
): Promise<void> {
  const table = rows[0]!.table;
  for (let at = 0; at < rows.length; ) {
    const part = rows.slice(at, at + Math.min(size, sizes.get(table.name) ?? size));
    at += part.length;
    try {
      await upsertPart(ctx, part);
    } catch (e) {
      if (tooLarge(e) && part.length > 1) {
        const half = Math.ceil(part.length / 2);
        sizes.set(table.name, Math.min(half, sizes.get(table.name) ?? half));
        await writeBulkRows(ctx, part, half, sizes, errors);
        continue;
      }
      // A row that times out alone gets its own answer in a $batch, as a refused row does.
      if (!(e instanceof BulkError) && !(e instanceof DataverseError && isSqlTimeout(e))) throw e;
      for (const [row, error] of await writeBatch(ctx, part)) errors.set(row, error);
    }
  }
}

/**
 * Whether a bulk request failed for its size: the database timed out on it, or no answer came in the
 * client's time (DataverseClient's timeoutMs), which sending the same request again would meet again.
 */
function tooLarge(e: unknown): boolean {
  return e instanceof DataverseError && (isSqlTimeout(e) || isClientTimeout(e));
}

/** One UpsertMultiple of rows of one table, each addressed by its alternate key or its id. */
async function upsertPart(ctx: WriteContext, part: readonly PreparedRow[]): Promise<void> {
  const table = part[0]!.table;
  const targets = part.map((row) => {
    const m = row.mapping;
    const keyed = byKey(row) && m.key.kind === 'alternate';
    const id = keyed
      ? recordUri(table.entitySet, { [m.key.column]: row.key }, false)
      : recordUri(table.entitySet, row.targetId, false);
    const body = keyed ? withoutKey(row.body, m.key.column) : row.body;
    return { '@odata.type': `Microsoft.Dynamics.CRM.${table.name}`, '@odata.id': id, ...body };
  });
  await ctx.client.upsertMultiple(table.entitySet, table.name, targets, { splitOnTimeout: true });
}

/**
 * Sets statecode/statuscode after the rows exist (statecode is not valid on create; reference §1.3).
 * A reopened row of a mapping that sets no state gets statecode 0 alone, which Dataverse gives the
 * state's default status. Rows whose write failed (`errors`) are left out; returns why the state of
 * each other row was not set, if it was not (the row itself is written).
 */
async function writeStates(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
  errors: ReadonlyMap<PreparedRow, unknown>,
): Promise<Map<PreparedRow, unknown>> {
  const failed = new Map<PreparedRow, unknown>();
  const stated = rows.filter((r) => (r.state || r.reopen) && !errors.has(r));
  for (const part of chunks(stated, Math.min(ctx.batchSize, 1000))) {
    const requests: BatchRequest[] = part.map((row) => ({
      method: 'PATCH',
      path: recordPath(row.table.entitySet, row.targetId),
      body: row.state ? { statecode: row.state.state, statuscode: row.state.status } : { statecode: 0 },
      headers: { 'If-Match': '*' },
    }));
    const results = await ctx.client.batch(requests, { continueOnError: true });
    results.forEach((result, i) => {
      if (!result.executed || result.error || result.status >= 400)
        failed.set(part[i]!, result.error ?? new Error(`setting the state failed (status ${result.status})`));
    });
  }
  return failed;
}

/**
 * The reject of a row written whose state was not set: the record did not load as the spec says, so it
 * counts as rejected (a record with a refused row counts so, whatever its other rows), beside the write
 * that created or updated the row, which a rollback undoes. Its crosswalk entry keeps no payload hash,
 * so the next run writes the row again and sets the state; the next delta reads the record again for
 * it (its reason starts with STATE_REFUSED), though PracticeHub did not change it.
 */
function stateFailure(row: PreparedRow, error: unknown, held: readonly unknown[]): OperationInput {
  const state = row.state
    ? `statecode ${row.state.state}, statuscode ${row.state.status}`
    : 'statecode 0, to reopen it';
  const refused = failure(row, error, held, `${STATE_REFUSED} (${state})`);
  return {
    ...refused,
    targetId: row.targetId,
    reason: `${refused.reason}; the next run or delta sets it`,
  };
}

/**
 * The values Dataverse holds for the existing rows it refused a write or a state change of: a refusal's
 * message may quote any value of the row, not only those the request sent (a plug-in refusing a
 * policy's update of a patient's contact with the patient's name and birth date), and the message is
 * masked with them before it reaches the journal and `flitstack log` (refusedRowValues). A row the
 * write would have created holds no other values.
 */
async function heldValues(
  ctx: WriteContext,
  changed: readonly PreparedRow[],
  errors: ReadonlyMap<PreparedRow, unknown>,
  stateErrors: ReadonlyMap<PreparedRow, unknown>,
): Promise<Map<PreparedRow, readonly unknown[]>> {
  const refused = changed.filter((row) => (errors.has(row) ? !row.create : stateErrors.has(row)));
  if (refused.length === 0) return new Map();
  const values = await refusedRowValues(
    ctx.client,
    refused.map((row) => ({ method: 'PATCH', path: recordPath(row.table.entitySet, row.targetId) })),
  );
  return new Map(refused.map((row, i) => [row, values[i]!]));
}

/**
 * Writes the rows of one mapping: unchanged rows are journaled and skipped; the others are written in
 * bulk (UpsertMultiple where the organisation supports it for the table) or in $batch requests that
 * continue past a failed row, after the pre-images of rows that already exist are read and committed to
 * the journal. Every row ends as an operation: create, update, unchanged, or reject with Dataverse's
 * error; a row written whose state was not set ends as its create or update and a reject (stateFailure).
 */
export async function writeRows(ctx: WriteContext, rows: readonly PreparedRow[]): Promise<Written> {
  const ops: PagedOperation[] = [];
  const crosswalk: Written['crosswalk'] = [];
  const toWrite = rows.filter((r) => !r.unchanged);
  const changed = ctx.existing ? await ctx.existing.check(toWrite) : toWrite;
  for (const row of rows) {
    if (!row.unchanged) continue;
    ops.push({
      page: row.page,
      op: {
        mapping: row.mapping.name,
        sourceId: row.sourceId,
        key: row.key,
        table: row.table.name,
        action: 'unchanged',
        targetId: row.targetId,
        payloadHash: row.hash,
        flags: row.flags,
        awaits: row.awaits,
      },
    });
    // The record as read now makes what the row holds: reconcile no longer counts it as changed since.
    if (row.savedAgain)
      crosswalk.push({
        page: row.page,
        change: { mapping: row.mapping.name, key: row.key, seen: true, sourceUpdatedAt: row.sourceUpdatedAt },
      });
  }
  for (const group of await ctx.attachments.groups(changed, MAX_ATTACHMENT_BYTES_PER_GROUP))
    await writeChanged(ctx, group, ops, crosswalk);
  return { ops, crosswalk };
}

/**
 * File bytes (Base64) attached in one group of writes: files are downloaded, uploaded and released a
 * group at a time, so memory stays flat however many documents a flush holds.
 */
const MAX_ATTACHMENT_BYTES_PER_GROUP = 4 * 1024 * 1024;

/**
 * A row the crosswalk holds that its pre-image read did not find (deleted in Dataverse since it was
 * written; `flitstack run --rewrite` writes such rows again) is created again, under the id the crosswalk
 * and the rows pointing to it know: a PATCH by id without If-Match, and an UpsertMultiple item, create a
 * row that does not exist (PA`use-upsert-insert-update-record`, learn.microsoft.com/power-apps/developer/
 * data-platform/use-upsert-insert-update-record), and an upsert addressed by alternate key takes the id
 * from the primary key in the body, else Dataverse would give the new row an id of its own. It is
 * journaled as created, its staged image empty (stagedPreImages), so a rollback deletes it again: the run
 * found no row there. A row staged by an earlier attempt of this run keeps what that attempt found. An
 * update-only mapping (If-Match *) never creates: its missing row stays an update that Dataverse refuses.
 */
function recreated(row: PreparedRow, images: Images): PreparedRow {
  const gone = !row.create && images.get(row.targetId.toLowerCase()) === null;
  if (!gone || row.mapping.mode !== 'upsert' || row.mapping.key.kind === 'match') return row;
  return { ...row, create: true, body: { ...row.body, [row.table.primaryId]: row.targetId } };
}

/**
 * Whether a table has a state (statecode), asked of the organisation's metadata once per run and table
 * (a failed read is asked again): selecting a column a table lacks fails the whole query.
 */
function hasState(ctx: WriteContext, table: string): Promise<boolean> {
  const known = ctx.stateful?.get(table);
  if (known) return known;
  const asked = ctx.client
    .attributes(table, false)
    .then((attributes) => attributes.some((a) => a.logicalName === 'statecode'));
  asked.catch(() => ctx.stateful?.delete(table));
  ctx.stateful?.set(table, asked);
  return asked;
}

/**
 * A row `run --rewrite all` writes again whose pre-image holds a closed state (deactivated in Dataverse)
 * is reopened, as one reconcile reported so is (rewrite.ts): its image keeps the state a rollback puts back.
 */
function reopenedIfClosed(row: PreparedRow, images: Images): PreparedRow {
  if (!row.reopenIfClosed || row.create) return row;
  const state = images.get(row.targetId.toLowerCase())?.statecode;
  return typeof state === 'number' && state !== 0 ? { ...row, reopen: true } : row;
}

/** Writes changed rows (pre-images, attachments, bulk or $batch, states) and adds their operations. */
async function writeChanged(
  ctx: WriteContext,
  rows: readonly PreparedRow[],
  ops: PagedOperation[],
  crosswalk: Written['crosswalk'],
): Promise<void> {
  if (rows.length === 0) return;
  let changed = rows;
  // What failed or interrupted runs staged of these rows becomes this run's, created rows included:
  // once this run journals a row, nothing else would undo the other run's unanswered write of it.
  ctx.journal.images.take(
    ctx.runId,
    changed.map((row) => ({ mapping: row.mapping.name, key: row.key, targetId: row.targetId })),
  );
  const existing = changed.filter((r) => !r.create);
  const state = existing.some((r) => r.reopenIfClosed) && (await hasState(ctx, existing[0]!.table.name));
  const images: Images = existing.length > 0 ? await stagedPreImages(ctx, existing, { state }) : new Map();
  ctx.existing?.count(existing, images);
  changed = changed.map((row) => reopenedIfClosed(recreated(row, images), images));
  stageCreates(ctx, changed);
  const attachmentErrors = await ctx.attachments.attach(changed, (row) =>
    images.get(row.targetId.toLowerCase()),
  );
  const writable = changed.filter((r) => !attachmentErrors.has(r));
  const m = writable[0]?.mapping;
  const bulk =
    m !== undefined &&
    m.mode === 'upsert' &&
    writable[0]!.table.bulkMessages &&
    (await ctx.client.supportsBulk(writable[0]!.table.name, 'UpsertMultiple'));
  const errors = new Map<PreparedRow, unknown>(attachmentErrors);
  const writeErrors =
    writable.length === 0
      ? new Map()
      : bulk
        ? await writeBulk(ctx, writable)
        : await writeBatch(ctx, writable);
  for (const [row, error] of writeErrors) errors.set(row, error);
  const stateErrors = await writeStates(ctx, writable, errors);
  const held = await heldValues(ctx, changed, errors, stateErrors);
  for (const row of changed) {
    const error = errors.get(row);
    if (error !== undefined) {
      // A file that could not be downloaded or archived kept the row from Dataverse, which never saw it.
      const what = attachmentErrors.has(row) ? NOT_ATTACHED : undefined;
      ops.push({ page: row.page, op: failure(row, error, held.get(row), what) });
      continue;
    }
    const stateError = stateErrors.get(row);
    // The payload is not all in the row while its state is not set: no hash, so it is not left unchanged.
    const hash = stateError === undefined ? row.hash : null;
    const preImage = row.create ? null : (images.get(row.targetId.toLowerCase()) ?? null);
    ops.push({
      page: row.page,
      op: {
        mapping: row.mapping.name,
        sourceId: row.sourceId,
        key: row.key,
        table: row.table.name,
        action: row.create ? 'create' : 'update',
        targetId: row.targetId,
        payloadHash: hash,
        flags: row.flags,
        awaits: row.awaits,
        preImage,
      },
    });
    if (stateError !== undefined)
      ops.push({ page: row.page, op: stateFailure(row, stateError, held.get(row) ?? []) });
    crosswalk.push({
      page: row.page,
      change: {
        mapping: row.mapping.name,
        key: row.key,
        sourceId: row.sourceId,
        table: row.table.name,
        targetId: row.targetId,
        payloadHash: hash,
        sourceUpdatedAt: row.sourceUpdatedAt,
      },
    });
  }
  // The file bytes are written: let them go before the next group is downloaded.
  for (const row of changed) if (row.document) delete row.body.documentbody;
}
