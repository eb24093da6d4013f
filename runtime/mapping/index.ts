export type {
  ColumnDefinition,
  GeneratedModule,
  LookupDefinition,
  MappingDefinition,
  MigrationDefinition,
  ResourceDefinition,
  TableDefinition,
} from './definition.ts';
export { ownsRows, producesVaryingRows } from './definition.ts';
export type { Outcome, PendingLookup, PendingOwner, Row } from './outcome.ts';
export {
  asObject,
  at,
  deletedAt,
  exceptMostRecent,
  field,
  groupKeyOf,
  idText,
  isOneOf,
  isPresent,
  keyValue,
  lookupId,
  mapState,
  mostRecent,
  objectIn,
  objects,
  optionNumber,
  partKey,
  partTitle,
  pickId,
  type SourceRecord,
  type StateMap,
} from './records.ts';
