export type { BackoffOptions } from '../shared/backoff.ts';
export type { BatchChangeSet, BatchItem, BatchOptions, BatchPartResult, BatchRequest } from './batch.ts';
export { MAX_BATCH_PARTS } from './batch.ts';
export type { BulkMessage } from './bulk.ts';
export { BulkError } from './bulk.ts';
export type { WhoAmI } from './client.ts';
export { DataverseClient } from './client.ts';
export type { Clock } from './clock.ts';
export type { DataverseErrorInit, FailureSummary, InnerError } from './errors.ts';
export {
  columnValues,
  DataverseError,
  isClientTimeout,
  isSqlTimeout,
  summarizeError,
  summarizePart,
} from './errors.ts';
export type {
  DataverseEvent,
  DataverseEventListener,
  RequestKind,
  RetryReason,
  ThrottleLimit,
} from './events.ts';
export { maskValues, VALUE_MARK } from './mask.ts';
export type {
  AttributeDefinition,
  ChoiceOption,
  EntityDefinition,
  KeyDefinition,
  OneToManyRelationship,
  TablePrivilege,
} from './metadata.ts';
export type { KeyValue, QueryOptions, RecordRef } from './odata.ts';
export {
  inFilter,
  isAddressableKey,
  keyPredicate,
  literal,
  queryString,
  recordPath,
  recordUri,
} from './odata.ts';
export type { DataverseClientOptions } from './options.ts';
export { optionsFromEnv } from './options.ts';
export type { QueryPagesOptions } from './query.ts';
export { MAX_PAGE_SIZE } from './query.ts';
export type {
  CreateOptions,
  DeleteOptions,
  UpsertMode,
  UpsertOptions,
  UpsertResult,
  WriteOptions,
} from './records.ts';
export type { Publisher } from './schema.ts';
export { componentExists, failedKeyHint, KeyError, LABEL_LANGUAGE, label } from './schema.ts';
export type { DataverseStats } from './stats.ts';
export type { TableInfo } from './tables.ts';
export { UnknownEntitySetError } from './tables.ts';
