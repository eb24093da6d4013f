import { type ClientContext, recordWrites } from './context.ts';
import { DataverseError, isDuplicateRecord, isSqlTimeout, SQL_TIMEOUT } from './errors.ts';
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
      sent: e.sent,
    });
    if (itemIndex !== undefined) this.itemIndex = itemIndex;
  }
}

/**
 * Which item a bulk error is about. Dataverse's bulk errors do not give the item's index; some name
 * its row ("Contact With Ids = <guid> Do Not Exist", bulk-operations): a GUID in the message is matched
 * against the items' primary keys and `@odata.id` values. Undefined when nothing matches.
 */
export function failedItem(
  e: DataverseError,
  targets: readonly Json[],
  primaryId?: string,
): number | undefined {
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
 * then means the first attempt (all or nothing on standard tables) created them all. With
 * `splitOnTimeout`, a request of several items with no answer in the client's time is thrown at once.
 */
export async function sendBulk(
  ctx: ClientContext,
  message: BulkMessage,
  entitySet: string,
  logicalName: string,
  targets: readonly Json[],
  splitOnTimeout = false,
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
      // A request too large for the database's time times out again when sent again: the caller
      // splits it; so, when it asks, is one with no answer in the client's time.
      notRetried: (code) => code === SQL_TIMEOUT,
      timeoutNotRetried: splitOnTimeout && items.length > 1,
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
 * except authorization (401, 403), a request too large (413: the same rows in a $batch are no smaller),
 * a table without the message, an unknown entity set or key, schema errors (reference §8), and a SQL
 * timeout, which is about the request's size (isSqlTimeout). A
 * missing privilege (0x80040220) counts: the principal it names may be one row's owner, who needs read
 * access to the table.
 */
function isItemFailure(e: DataverseError): boolean {
  if (e.code === '0x80040220') return true;
  if (isSqlTimeout(e)) return false;
  if (e.status < 400 || e.status >= 500 || [401, 403, 405, 413, 429].includes(e.status)) return false;
  return !REQUEST_CODES.has(e.code) && !SCHEMA_MESSAGE.test(e.serverMessage);
}
