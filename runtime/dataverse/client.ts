import { Agent, type Dispatcher } from 'undici';
import { Backoff } from '../shared/backoff.ts';
import { type BatchItem, type BatchOptions, type BatchPartResult, batch } from './batch.ts';
import { type BulkMessage, BulkSupport, sendBulk } from './bulk.ts';
import { type Clock, systemClock } from './clock.ts';
import type { ClientContext } from './context.ts';
import type { DataverseEvent } from './events.ts';
import { Transport } from './http.ts';
import * as meta from './metadata.ts';
import type { RecordRef } from './odata.ts';
import { type DataverseClientOptions, DEFAULTS } from './options.ts';
import { Pacer } from './pacing.ts';
import { count, type QueryPagesOptions, query, queryPages } from './query.ts';
import * as records from './records.ts';
import * as schema from './schema.ts';
import { type DataverseStats, StatsRecorder } from './stats.ts';
import { TableCatalog, type TableInfo } from './tables.ts';
import { TokenClient } from './token.ts';

type Json = Record<string, unknown>;

/** Who the client is signed in as, and the parallelism the environment recommends. */
export interface WhoAmI {
  readonly userId: string;
  readonly businessUnitId: string;
  readonly organizationId: string;
  /** x-ms-dop-hint, when the answer carried it. */
  readonly dopHint?: number;
}

/**
 * A Dataverse Web API client for one environment and one application user: token, retries, service
 * protection and concurrency handled inside; data, bulk, $batch and metadata operations outside. The
 * same code serves a real tenant and the sandbox.
 */
export class DataverseClient {
  /** Where requests go: the dispatcher passed in, or the client's own Agent. */
  private readonly agent: Dispatcher;
  /** The client's own Agent, which close() closes; undefined when a dispatcher was passed in. */
  private readonly ownAgent: Agent | undefined;
  private readonly recorder = new StatsRecorder();
  private readonly pacer: Pacer;
  private readonly ctx: ClientContext;
  private readonly bulk: BulkSupport;
  private readonly clock: Clock;

  constructor(options: DataverseClientOptions) {
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const listener = options.onEvent;
    const emit = (event: DataverseEvent) => {
      try {
        listener?.(event);
      } catch {
        // A listener's failure must not fail the request it reports on.
      }
    };
    this.ownAgent = options.dispatcher ? undefined : new Agent({ keepAliveTimeout: 30_000 });
    this.agent = options.dispatcher ?? this.ownAgent!;
    const backoff = new Backoff(options.backoff ?? DEFAULTS.backoff, options.seed ?? DEFAULTS.seed);
    const url = options.url.replace(/\/+$/, '');
    const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
    const tokens = new TokenClient({
      authorityHost: options.authorityHost ?? DEFAULTS.authorityHost,
      tenantId: options.tenantId,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      scope: `${url}/.default`,
      refreshMarginMs: options.refreshMarginMs ?? DEFAULTS.refreshMarginMs,
      timeoutMs,
      maxRetries,
      backoff,
      clock,
      dispatcher: this.agent,
      stats: this.recorder,
      emit,
    });
    this.pacer = new Pacer({
      clock,
      stats: this.recorder,
      emit,
      ...(options.maxConcurrency !== undefined ? { maxConcurrency: options.maxConcurrency } : {}),
      concurrencyLimit: options.concurrencyLimit ?? DEFAULTS.concurrencyLimit,
      recoveryAfter: options.concurrencyRecoveryAfter ?? DEFAULTS.concurrencyRecoveryAfter,
    });
    const transport = new Transport({
      url,
      tokens,
      dispatcher: this.agent,
      clock,
      backoff,
      pacer: this.pacer,
      stats: this.recorder,
      emit,
      timeoutMs,
      maxRetries,
      maxThrottleRetries: options.maxThrottleRetries ?? DEFAULTS.maxThrottleRetries,
    });
    this.ctx = { transport, stats: this.recorder, emit, tables: new TableCatalog(transport) };
    this.bulk = new BulkSupport(this.ctx);
  }

  /** `GET WhoAmI`; sizes the concurrency from its x-ms-dop-hint (PA`send-parallel-requests`). */
  async whoAmI(): Promise<WhoAmI> {
    const res = await this.ctx.transport.send({
      method: 'GET',
      path: 'WhoAmI',
      kind: 'data',
      operation: 'WhoAmI',
    });
    const body = res.body as { UserId: string; BusinessUnitId: string; OrganizationId: string };
    const hint = Number(res.headers['x-ms-dop-hint']);
    if (Number.isInteger(hint)) this.pacer.applyDopHint(hint);
    return {
      userId: body.UserId,
      businessUnitId: body.BusinessUnitId,
      organizationId: body.OrganizationId,
      ...(Number.isInteger(hint) ? { dopHint: hint } : {}),
    };
  }

  /**
   * The ids (lower case) of the privileges a user holds through its security roles and those of its
   * teams (`GET systemusers(<id>)/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`, a RolePrivilege
   * each: PA`webapi/reference/roleprivilege`); undefined when the answer holds no list of them.
   */
  async userPrivileges(userId: string): Promise<ReadonlySet<string> | undefined> {
    const res = await this.ctx.transport.send({
      method: 'GET',
      path: `systemusers(${userId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`,
      kind: 'data',
      operation: 'RetrieveUserPrivileges',
    });
    const privileges = (res.body as { RolePrivileges?: unknown } | null)?.RolePrivileges;
    if (!Array.isArray(privileges)) return undefined;
    const ids = privileges.map((p: { PrivilegeId?: unknown } | null) => p?.PrivilegeId);
    return new Set(ids.filter((id): id is string => typeof id === 'string').map((id) => id.toLowerCase()));
  }

  /** Each table's Read privilege (id and name), as its metadata gives it. */
  readPrivileges(logicalNames: readonly string[]): Promise<Map<string, meta.TablePrivilege>> {
    return meta.readPrivileges(this.ctx, logicalNames);
  }

  /** The records of a query, following `@odata.nextLink`. */
  query<T = Json>(entitySet: string, options: QueryPagesOptions = {}): AsyncGenerator<T> {
    return query<T>(this.ctx, entitySet, options);
  }

  /** The pages of a query, following `@odata.nextLink`. */
  queryPages<T = Json>(entitySet: string, options: QueryPagesOptions = {}): AsyncGenerator<T[]> {
    return queryPages<T>(this.ctx, entitySet, options);
  }

  /** The number of rows matching `filter` (exact beyond the 5,000 that `$count` reports). */
  count(entitySet: string, filter?: string): Promise<number> {
    return count(this.ctx, entitySet, filter);
  }

  /** One record by primary or alternate key; undefined when it does not exist. */
  retrieve<T = Json>(entitySet: string, ref: RecordRef, select?: readonly string[]): Promise<T | undefined> {
    return records.retrieve<T>(this.ctx, entitySet, ref, select);
  }

  /** Creates a record and returns its id; with `id`, the create is idempotent. */
  create(entitySet: string, record: Json, options?: records.CreateOptions): Promise<string> {
    return records.create(this.ctx, entitySet, record, options);
  }

  /** Updates an existing record (`If-Match: *`). */
  update(entitySet: string, ref: RecordRef, changes: Json, options?: records.WriteOptions): Promise<void> {
    return records.update(this.ctx, entitySet, ref, changes, options);
  }

  /** Creates or updates a record by key (PATCH), or only one of the two with `mode`. */
  upsert(
    entitySet: string,
    ref: RecordRef,
    record: Json,
    options?: records.UpsertOptions,
  ): Promise<records.UpsertResult> {
    return records.upsert(this.ctx, entitySet, ref, record, options);
  }

  /** Sets a record's state and status reason after creation (statecode is not valid on create). */
  setState(entitySet: string, ref: RecordRef, statecode: number, statuscode?: number): Promise<void> {
    return records.update(this.ctx, entitySet, ref, {
      statecode,
      ...(statuscode !== undefined ? { statuscode } : {}),
    });
  }

  /** Deletes a record; see `records.remove`. */
  delete(entitySet: string, ref: RecordRef, options?: records.DeleteOptions): Promise<boolean> {
    return records.remove(this.ctx, entitySet, ref, options);
  }

  /** Whether the organisation supports a bulk message on a table (asked once, then remembered). */
  supportsBulk(logicalName: string, message: BulkMessage): Promise<boolean> {
    return this.bulk.supports(logicalName, message);
  }

  /** CreateMultiple; returns the new ids. Throws BulkError naming the failing item when it can. */
  async createMultiple(entitySet: string, logicalName: string, targets: readonly Json[]): Promise<string[]> {
    return (await sendBulk(this.ctx, 'CreateMultiple', entitySet, logicalName, targets)) ?? [];
  }

  /** UpdateMultiple; each target carries its primary key. */
  async updateMultiple(entitySet: string, logicalName: string, targets: readonly Json[]): Promise<void> {
    await sendBulk(this.ctx, 'UpdateMultiple', entitySet, logicalName, targets);
  }

  /**
   * UpsertMultiple; each target carries `@odata.id` (see `recordUri`) or its primary key. With
   * `splitOnTimeout`, a request of several targets that gets no answer in the client's time is not sent
   * again: it throws at once (isClientTimeout), for the caller to send fewer targets a request.
   */
  async upsertMultiple(
    entitySet: string,
    logicalName: string,
    targets: readonly Json[],
    options: { readonly splitOnTimeout?: boolean } = {},
  ): Promise<void> {
    await sendBulk(this.ctx, 'UpsertMultiple', entitySet, logicalName, targets, options.splitOnTimeout);
  }

  /** Sends requests and change sets as one `$batch`; one result per request. */
  batch(items: readonly BatchItem[], options?: BatchOptions): Promise<BatchPartResult[]> {
    return batch(this.ctx, items, options);
  }

  /** Logical name, entity set and primary key of the table behind an entity set (read once). */
  table(entitySet: string): Promise<TableInfo> {
    return this.ctx.tables.bySet(entitySet);
  }

  /** A table's definition, with its columns and keys when asked; undefined when it does not exist. */
  entityDefinition(
    logicalName: string,
    options?: { attributes?: boolean; keys?: boolean },
  ): Promise<meta.EntityDefinition | undefined> {
    return meta.entityDefinition(this.ctx, logicalName, options);
  }

  /** Every column of a table, with the options of choice columns. */
  attributes(logicalName: string, withOptions = true): Promise<meta.AttributeDefinition[]> {
    return meta.attributes(this.ctx, logicalName, withOptions);
  }

  /** A column of `logicalName` with its options read on their own: a choice column's, or a Yes/No column's two. */
  readColumnOptions(
    logicalName: string,
    column: meta.AttributeDefinition,
  ): Promise<meta.AttributeDefinition> {
    return meta.readColumnOptions(this.ctx, logicalName, column);
  }

  /** The logical names of the organisation's custom tables (IsCustomEntity), sorted. */
  customTables(): Promise<string[]> {
    return meta.customTables(this.ctx);
  }

  /** The relationships whose lookups point to a table, with their delete behaviour. */
  oneToManyRelationships(logicalName: string): Promise<meta.OneToManyRelationship[]> {
    return meta.oneToManyRelationships(this.ctx, logicalName);
  }

  /** The alternate keys of a table and their index status. */
  keys(logicalName: string): Promise<meta.KeyDefinition[]> {
    return meta.keys(this.ctx, logicalName);
  }

  /** Creates a column (AttributeMetadata body) in a solution; returns its MetadataId. */
  createAttribute(logicalName: string, metadata: Json, solution?: string): Promise<string> {
    return schema.createAttribute(this.ctx, logicalName, metadata, solution);
  }

  /** Changes properties of a column (`changes`: AttributeMetadata properties) through the metadata API. */
  updateAttribute(
    logicalName: string,
    column: string,
    metadataType: string,
    changes: Json,
    solution?: string,
  ): Promise<void> {
    return schema.updateAttribute(this.ctx, logicalName, column, metadataType, changes, solution);
  }

  /** Changes the label (in the plan's language) of one option of a column's local option set. */
  updateOptionValue(
    logicalName: string,
    column: string,
    value: number,
    label: string,
    solution?: string,
  ): Promise<void> {
    return schema.updateOptionValue(this.ctx, logicalName, column, value, label, solution);
  }

  /** Adds an option (value and label in the plan's language) to a column's local option set; returns its value. */
  insertOptionValue(
    logicalName: string,
    column: string,
    value: number,
    label: string,
    solution?: string,
  ): Promise<number> {
    return schema.insertOptionValue(this.ctx, logicalName, column, value, label, solution);
  }

  /** Creates a table (EntityMetadata body with its primary name column); returns its MetadataId. */
  async createTable(definition: Json, solution?: string): Promise<string> {
    const id = await schema.createTable(this.ctx, definition, solution);
    this.ctx.tables.clear();
    return id;
  }

  /** Creates a lookup through a one-to-many relationship (OneToManyRelationshipMetadata body). */
  createOneToManyRelationship(definition: Json, solution?: string): Promise<string | undefined> {
    return schema.createOneToManyRelationship(this.ctx, definition, solution);
  }

  /** Creates an alternate key (EntityKeyMetadata body); its index then builds asynchronously. */
  createKey(logicalName: string, key: Json, solution?: string): Promise<string> {
    return schema.createKey(this.ctx, logicalName, key, solution);
  }

  /** Submits the build of a key's index again (a key that Failed once its duplicate values are gone). */
  reactivateKey(logicalName: string, keyName: string): Promise<void> {
    return schema.reactivateKey(this.ctx, logicalName, keyName);
  }

  /** Waits until a key's index is Active; throws when it Failed or time ran out. */
  waitForKey(
    logicalName: string,
    keyName: string,
    options?: { timeoutMs?: number; intervalMs?: number; failedGraceMs?: number },
  ): Promise<void> {
    return schema.waitForKey(
      this.ctx,
      (ms) => this.clock.sleep(ms),
      () => this.clock.now(),
      logicalName,
      keyName,
      options,
    );
  }

  /** Publishes the named tables (PublishXml), or everything (PublishAllXml) when none is named. */
  publish(entities: readonly string[]): Promise<void> {
    return schema.publish(this.ctx, entities);
  }

  /** The publisher that owns a customization prefix. */
  publisherByPrefix(prefix: string): Promise<schema.Publisher | undefined> {
    return schema.publisherByPrefix(this.ctx, prefix);
  }

  /** Counters since the client was created. */
  stats(): DataverseStats {
    return this.recorder.snapshot(this.pacer.concurrency);
  }

  /** Closes the client's own connections (not a dispatcher passed in). */
  async close(): Promise<void> {
    await this.ownAgent?.close();
  }
}
