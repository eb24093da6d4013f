import { type ClientContext, recordWrites } from './context.ts';
import { DataverseError, isDuplicateRecord } from './errors.ts';
import { literal } from './odata.ts';

type Json = Record<string, unknown>;

/** The bulk messages of PA`bulk-operations` that standard and custom tables may support (reference §3.1). */
export type BulkMessage = 'CreateMultiple' | 'UpdateMultiple' | 'UpsertMultiple';

/** A bulk request that failed because of one item; on standard tables nothing of it was written. */
export class BulkError extends DataverseError {
  override readonly name: string = 'BulkError';
  /** Index in the targets of the item that failed, when the answer tells which one. */
  readonly itemIndex?: number;

  constructor(
    e: DataverseError,
    message: BulkMessage,
    entitySet: string,
    itemIndex: number | undefined,
    total: number,
  ) {
    super({
      status: e.status,
      code: e.code,
      serverMessage: e.serverMessage,
      method: e.method,
      path: e.path,
      operation: `${message} into ${entitySet} (${itemIndex === undefined ? `one of ${total} items` : `item ${itemIndex} of ${total}`}; the whole request was rolled back)`,
      ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
      ...(e.innererror ? { innererror: e.innererror } : {}),
      ...(e.details ? { details: e.details } : {}),
    });
    if (itemIndex !== undefined) this.itemIndex = itemIndex;
  }
}

/**
 * Which item a bulk error is about. The sandbox (and any message that does) names `Targets[i]`;
 * otherwise a GUID in the message (e.g. "Contact With Ids = <guid> Do Not Exist", bulk-operations) is
 * matched against the items' primary keys and `@odata.id` values. Undefined when nothing matches.
 */
export function failedItem(
  e: DataverseError,
  targets: readonly Json[],
  primaryId?: string,
): number | undefined {
  const indexed = /Targets\[(\d+)\]/.exec(e.serverMessage);
  if (indexed) {
    const i = Number(indexed[1]);
    return i < targets.length ? i : undefined;
  }
  const guids =
    e.serverMessage.toLowerCase().match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ??
    [];
  for (const guid of guids) {
    const i = targets.findIndex((t) => {
      const pk = primaryId ? t[primaryId] : undefined;
      const id = t['@odata.id'];
      return (
        (typeof pk === 'string' && pk.toLowerCase() === guid) ||
        (typeof id === 'string' && id.toLowerCase().includes(guid))
      );
    });
    if (i !== -1) return i;
  }
  return undefined;
}

/** Answers and remembers, per table and message, whether the organisation supports a bulk message. */
export class BulkSupport {
  private readonly known = new Map<string, Promise<boolean>>();

  constructor(private readonly ctx: ClientContext) {}

  /**
   * Asks `sdkmessagefilters` (PA`bulk-operations`, reference §3.1): an empty answer means the table does
   * not support the message ("not all the core Dataverse tables support them, such as Account or Contact").
   */
  supports(logicalName: string, message: BulkMessage): Promise<boolean> {
    const key = `${message}:${logicalName}`;
    let answer = this.known.get(key);
    if (!answer) {
      answer = this.ask(logicalName, message);
      this.known.set(key, answer);
      answer.catch(() => this.known.delete(key));
    }
    return answer;
  }

  private async ask(logicalName: string, message: BulkMessage): Promise<boolean> {
    const filter = `sdkmessageid/name eq ${literal(message)} and primaryobjecttypecode eq ${literal(logicalName)}`;
    const res = await this.ctx.transport.send({
      method: 'GET',
      path: `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(filter)}&$top=1`,
      kind: 'data',
      operation: `ask whether ${logicalName} supports ${message}`,
    });
    return ((res.body as { value?: unknown[] }).value ?? []).length > 0;
  }
}

/**
 * Sends one bulk request: `POST {set}/Microsoft.Dynamics.CRM.{message}` with `Targets`, each item typed
 * with `@odata.type` (mandatory, upsertmultiple reference). UpsertMultiple and UpdateMultiple are
 * idempotent; CreateMultiple is when every item carries its primary key, and a DuplicateRecord on a retry
 * then means the first attempt (all or nothing on standard tables) created them all.
 */
export async function sendBulk(
  ctx: ClientContext,
  message: BulkMessage,
  entitySet: string,
  logicalName: string,
  targets: readonly Json[],
): Promise<string[] | undefined> {
  if (targets.length === 0) return message === 'CreateMultiple' ? [] : undefined;
  const type = `Microsoft.Dynamics.CRM.${logicalName}`;
  const items = targets.map((t) => ({ '@odata.type': type, ...t }));
  const primaryId = (await ctx.tables.bySet(entitySet)).primaryIdAttribute;
  const withIds = items.every((t) => typeof (t as Json)[primaryId] === 'string');
  try {
    const res = await ctx.transport.send({
      method: 'POST',
      path: `${entitySet}/Microsoft.Dynamics.CRM.${message}`,
      kind: 'bulk',
      json: { Targets: items },
      idempotent: message !== 'CreateMultiple' || withIds,
      operation: `${message} into ${entitySet}`,
      ...(message === 'CreateMultiple' && withIds ? { settledOnRetry: isDuplicateRecord } : {}),
    });
    recordWrites(ctx, 'bulk', items.length);
    if (message !== 'CreateMultiple') return undefined;
    if (res.settled) return items.map((t) => String((t as Json)[primaryId]).toLowerCase());
    const ids = (res.body as { Ids?: unknown[] } | undefined)?.Ids;
    return Array.isArray(ids) ? ids.map((id) => String(id).toLowerCase()) : [];
  } catch (e) {
    if (e instanceof DataverseError && isItemFailure(e)) {
      throw new BulkError(e, message, entitySet, failedItem(e, items, primaryId), items.length);
    }
    throw e;
  }
}

/** Codes that fail a bulk request whatever its items: SdkEntityDoesNotSupportMessage, unknown segment, key not defined. */
const REQUEST_CODES = new Set(['0x80040800', '0x8006088a', '0x80060890']);

/** Schema errors: every item of one mapping has the same shape, so a missing column fails them all. */
const SCHEMA_MESSAGE =
  /Could not find a property named|Invalid property '|does not exist on type|An undeclared property/;

/**
 * Whether a failed bulk request may be about its items rather than the request as a whole: 4xx answers,
 * except authorization (401, 403), a table without the message, an unknown entity set or key, and schema
 * errors (reference §8). 413 (request too large) counts: smaller requests may pass.
 */
function isItemFailure(e: DataverseError): boolean {
  if (e.status < 400 || e.status >= 500 || [401, 403, 405, 429].includes(e.status)) return false;
  return !REQUEST_CODES.has(e.code) && !SCHEMA_MESSAGE.test(e.serverMessage);
}

/** One item that could not be written, with the error that named it. */
export interface BulkFailure {
  readonly index: number;
  readonly error: DataverseError;
}

/** What `sendBulkIsolating` wrote and what it could not. */
export interface BulkOutcome {
  /** Ids by target index (CreateMultiple only; undefined for failed items). */
  readonly ids: (string | undefined)[];
  readonly failures: BulkFailure[];
}

/**
 * Writes every item that can be written: when a request fails on one item (the whole request is rolled
 * back on standard tables, PA`bulk-operations`), that item is set aside and the rest is sent again; when
 * the answer does not say which item failed, the items are split in halves until it does. Failures of
 * the request as a whole (see isItemFailure) are thrown, not bisected.
 */
export async function sendBulkIsolating(
  ctx: ClientContext,
  message: BulkMessage,
  entitySet: string,
  logicalName: string,
  targets: readonly Json[],
): Promise<BulkOutcome> {
  const ids: (string | undefined)[] = targets.map(() => undefined);
  const failures: BulkFailure[] = [];
  const fail = (index: number, error: BulkError) => failures.push({ index, error });
  const run = async (indexes: number[]): Promise<void> => {
    let pending = indexes;
    while (pending.length > 0) {
      try {
        const written = await sendBulk(
          ctx,
          message,
          entitySet,
          logicalName,
          pending.map((i) => targets[i]!),
        );
        written?.forEach((id, k) => {
          ids[pending[k]!] = id;
        });
        return;
      } catch (e) {
        if (!(e instanceof BulkError)) throw e;
        if (e.itemIndex !== undefined) {
          fail(pending[e.itemIndex]!, e);
          pending = pending.filter((_, k) => k !== e.itemIndex);
        } else if (pending.length === 1) {
          fail(pending[0]!, e);
          return;
        } else {
          const half = Math.ceil(pending.length / 2);
          await run(pending.slice(0, half));
          await run(pending.slice(half));
          return;
        }
      }
    }
  };
  await run(targets.map((_, i) => i));
  failures.sort((a, b) => a.index - b.index);
  return { ids, failures };
}
