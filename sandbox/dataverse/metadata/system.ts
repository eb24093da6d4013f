import {
  ACTIVE_INACTIVE,
  bool,
  dec,
  entityName,
  guid,
  int,
  lookup,
  memo,
  nav,
  opts,
  pick,
  READ_ONLY,
  str,
} from './columns.ts';
import { tableDef } from './table.ts';
import type { TableDef } from './types.ts';

/**
 * Supporting system tables: the targets of owner and currency lookups (team, businessunit,
 * transactioncurrency), the schema tables (publisher, solution) and the SDK message tables a client
 * queries to learn which bulk messages a table supports (PA`bulk-operations`). Reduced to the columns a
 * client reads; the sandbox serves most of them read-only.
 */

const team = tableDef({
  logicalName: 'team',
  schemaName: 'Team',
  entitySetName: 'teams',
  displayName: 'Team',
  displayCollectionName: 'Teams',
  primaryId: 'teamid',
  primaryName: 'name',
  ownership: 'BusinessOwned',
  objectTypeCode: 9,
  writable: false,
  columns: [
    str('name', 160, 'SystemRequired', { isPrimaryName: true }),
    pick('teamtype', opts([0, 'Owner'], [1, 'Access'], [2, 'Security Group'], [3, 'Office Group'])),
    bool('isdefault'),
    guid('azureactivedirectoryobjectid'),
    lookup('businessunitid', ['businessunit']),
  ],
  navs: [nav('businessunitid', 'businessunitid', 'businessunit', 'business_unit_teams')],
});

const businessunit = tableDef({
  logicalName: 'businessunit',
  schemaName: 'BusinessUnit',
  entitySetName: 'businessunits',
  displayName: 'Business Unit',
  displayCollectionName: 'Business Units',
  primaryId: 'businessunitid',
  primaryName: 'name',
  ownership: 'BusinessOwned',
  objectTypeCode: 10,
  writable: false,
  columns: [
    str('name', 160, 'SystemRequired', { isPrimaryName: true }),
    bool('isdisabled'),
    lookup('parentbusinessunitid', ['businessunit']),
  ],
  navs: [
    nav('parentbusinessunitid', 'parentbusinessunitid', 'businessunit', 'business_unit_parent_business_unit'),
  ],
});

const transactioncurrency = tableDef({
  logicalName: 'transactioncurrency',
  schemaName: 'TransactionCurrency',
  entitySetName: 'transactioncurrencies',
  displayName: 'Currency',
  displayCollectionName: 'Currencies',
  primaryId: 'transactioncurrencyid',
  primaryName: 'currencyname',
  ownership: 'OrganizationOwned',
  objectTypeCode: 9105,
  writable: false,
  columns: [
    str('currencyname', 100, 'SystemRequired', { isPrimaryName: true }),
    str('isocurrencycode', 5, 'SystemRequired'),
    str('currencysymbol', 13, 'SystemRequired'),
    dec('exchangerate', 0.0000000001, 100000000000, 10),
    int('currencyprecision', 0, 4),
  ],
  states: ACTIVE_INACTIVE,
});

const publisher = tableDef({
  logicalName: 'publisher',
  schemaName: 'Publisher',
  entitySetName: 'publishers',
  displayName: 'Publisher',
  displayCollectionName: 'Publishers',
  primaryId: 'publisherid',
  primaryName: 'friendlyname',
  ownership: 'OrganizationOwned',
  objectTypeCode: 7101,
  columns: [
    str('friendlyname', 256, 'None', { isPrimaryName: true }),
    str('uniquename', 256, 'SystemRequired'),
    str('customizationprefix', 8),
    int('customizationoptionvalueprefix', 10000, 99999),
    memo('description', 2000),
  ],
});

const solution = tableDef({
  logicalName: 'solution',
  schemaName: 'Solution',
  entitySetName: 'solutions',
  displayName: 'Solution',
  displayCollectionName: 'Solutions',
  primaryId: 'solutionid',
  primaryName: 'friendlyname',
  ownership: 'OrganizationOwned',
  objectTypeCode: 7100,
  columns: [
    str('friendlyname', 256, 'None', { isPrimaryName: true }),
    str('uniquename', 65, 'SystemRequired'),
    str('version', 256, 'SystemRequired'),
    bool('ismanaged', false, READ_ONLY),
    lookup('publisherid', ['publisher'], { requiredLevel: 'SystemRequired' }),
  ],
  navs: [nav('publisherid', 'publisherid', 'publisher', 'publisher_solution')],
});

const sdkmessage = tableDef({
  logicalName: 'sdkmessage',
  schemaName: 'SdkMessage',
  entitySetName: 'sdkmessages',
  displayName: 'Sdk Message',
  displayCollectionName: 'Sdk Messages',
  primaryId: 'sdkmessageid',
  primaryName: 'name',
  ownership: 'OrganizationOwned',
  objectTypeCode: 4606,
  writable: false,
  columns: [str('name', 256, 'SystemRequired', { isPrimaryName: true })],
});

/** PA`bulk-operations`: clients ask this table whether a table supports CreateMultiple and friends. */
const sdkmessagefilter = tableDef({
  logicalName: 'sdkmessagefilter',
  schemaName: 'SdkMessageFilter',
  entitySetName: 'sdkmessagefilters',
  displayName: 'Sdk Message Filter',
  displayCollectionName: 'Sdk Message Filters',
  primaryId: 'sdkmessagefilterid',
  primaryName: 'name',
  ownership: 'OrganizationOwned',
  objectTypeCode: 4607,
  writable: false,
  columns: [
    str('name', 256, 'None', { isPrimaryName: true }),
    entityName('primaryobjecttypecode'),
    entityName('secondaryobjecttypecode'),
    bool('isvisible', true),
    lookup('sdkmessageid', ['sdkmessage']),
  ],
  navs: [nav('sdkmessageid', 'sdkmessageid', 'sdkmessage', 'sdkmessageid_sdkmessagefilter')],
});

/** Supporting tables, in a stable order. */
export const SYSTEM_TABLES: readonly TableDef[] = [
  team,
  businessunit,
  transactioncurrency,
  publisher,
  solution,
  sdkmessage,
  sdkmessagefilter,
];

/** Tables whose rows the sandbox derives from metadata; snapshots leave them out unless asked. */
export const DERIVED_TABLES: ReadonlySet<string> = new Set(['sdkmessage', 'sdkmessagefilter']);

/** The messages registered for every writable table, plus the bulk ones where supported (bulk-operations). */
export const BASE_MESSAGES = [
  'Create',
  'Update',
  'Delete',
  'Retrieve',
  'RetrieveMultiple',
  'Upsert',
] as const;
export const BULK_MESSAGES = ['CreateMultiple', 'UpdateMultiple', 'UpsertMultiple'] as const;
