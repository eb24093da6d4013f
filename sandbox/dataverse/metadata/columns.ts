import type { ColumnDef, DateBehavior, NavDef, OptionDef, RequiredLevel } from './types.ts';

/**
 * Small builders so that `standard.ts` reads like the reference tables: one line per column, with the
 * MaxLength, required level and create/update validity written next to the name.
 */

type Extra = Partial<Omit<ColumnDef, 'logicalName' | 'type'>>;

const base = (logicalName: string, type: ColumnDef['type'], extra: Extra): ColumnDef => ({
  logicalName,
  schemaName: extra.schemaName ?? logicalName,
  type,
  displayName: extra.displayName ?? logicalName,
  requiredLevel: extra.requiredLevel ?? 'None',
  validForCreate: extra.validForCreate ?? true,
  validForUpdate: extra.validForUpdate ?? true,
  validForRead: extra.validForRead ?? true,
  isCustom: extra.isCustom ?? false,
  ...extra,
});

/** Read-only: IsValidForCreate and IsValidForUpdate false (values sent are ignored, entity-attribute-metadata). */
export const READ_ONLY: Extra = { validForCreate: false, validForUpdate: false };

/** Single line of text. */
export const str = (name: string, maxLength: number, required: RequiredLevel = 'None', extra: Extra = {}) =>
  base(name, 'String', { maxLength, requiredLevel: required, formatName: 'Text', ...extra });

/** Multiple lines of text. */
export const memo = (name: string, maxLength: number, extra: Extra = {}) =>
  base(name, 'Memo', { maxLength, ...extra });

/** Whole number. */
export const int = (name: string, min = -2147483648, max = 2147483647, extra: Extra = {}) =>
  base(name, 'Integer', { minValue: min, maxValue: max, ...extra });

/** Big integer (versionnumber). */
export const bigint = (name: string, extra: Extra = {}) => base(name, 'BigInt', extra);

/** Floating point number. */
export const dbl = (name: string, min: number, max: number, precision: number, extra: Extra = {}) =>
  base(name, 'Double', { minValue: min, maxValue: max, precision, ...extra });

/** Decimal number. */
export const dec = (name: string, min: number, max: number, precision: number, extra: Extra = {}) =>
  base(name, 'Decimal', { minValue: min, maxValue: max, precision, ...extra });

/** Currency. */
export const money = (name: string, extra: Extra = {}) =>
  base(name, 'Money', { minValue: -922337203685477, maxValue: 922337203685477, precision: 2, ...extra });

/** Two options. */
export const bool = (name: string, defaultValue = false, extra: Extra = {}) =>
  base(name, 'Boolean', { defaultValue, ...extra });

/** Date and time; `behavior` DateOnly makes the Web API type Edm.Date (behavior-format-date-time-attribute). */
export const dt = (
  name: string,
  behavior: DateBehavior = 'UserLocal',
  dateFormat: 'DateOnly' | 'DateAndTime' = 'DateAndTime',
  extra: Extra = {},
) => base(name, 'DateTime', { behavior, dateFormat, ...extra });

/** Choice. */
export const pick = (name: string, options: readonly OptionDef[], extra: Extra = {}) =>
  base(name, 'Picklist', { options, ...extra });

/** Unique identifier (primary keys and id columns). */
export const guid = (name: string, extra: Extra = {}) => base(name, 'Uniqueidentifier', extra);

/** Lookup to one or more tables. */
export const lookup = (name: string, targets: readonly string[], extra: Extra = {}) =>
  base(name, targets.length > 1 ? 'Customer' : 'Lookup', { targets, ...extra });

/** Table name column (objecttypecode and the like). */
export const entityName = (name: string, extra: Extra = {}) => base(name, 'EntityName', extra);

/** Shorthand for options: `opts([1, 'Active'], [2, 'Inactive'])`. */
export const opts = (...pairs: readonly (readonly [number, string])[]): OptionDef[] =>
  pairs.map(([value, label]) => ({ value, label }));

/** statecode / statuscode pair from `[state, label, defaultStatus]` and `[status, label, state]` rows. */
export function stateColumns(
  states: readonly (readonly [number, string, number])[],
  statuses: readonly (readonly [number, string, number])[],
): ColumnDef[] {
  return [
    base('statecode', 'State', {
      schemaName: 'StateCode',
      requiredLevel: 'SystemRequired',
      // The reference pages list statecode as IsValidForCreate False (reference §1.1, §1.3).
      validForCreate: false,
      options: states.map(([value, label, defaultStatus]) => ({ value, label, defaultStatus })),
    }),
    base('statuscode', 'Status', {
      schemaName: 'StatusCode',
      options: statuses.map(([value, label, state]) => ({ value, label, state })),
    }),
  ];
}

/** The usual Active/Inactive state model of most tables. */
export const ACTIVE_INACTIVE = stateColumns(
  [
    [0, 'Active', 1],
    [1, 'Inactive', 2],
  ],
  [
    [1, 'Active', 0],
    [2, 'Inactive', 1],
  ],
);

/** A navigation property definition. */
export const nav = (
  name: string,
  column: string,
  target: string | readonly string[],
  relationship: string,
  cascadeDelete: NavDef['cascadeDelete'] = 'RemoveLink',
): NavDef => ({
  name,
  column,
  targets: typeof target === 'string' ? [target] : target,
  relationship,
  cascadeDelete,
});

/**
 * Columns every user-owned table carries. `overriddencreatedon` is create-only with Format DateOnly and
 * behavior UserLocal (reference §2); createdon/modifiedon/createdby/modifiedby are read-only.
 */
export function ownedColumns(): ColumnDef[] {
  return [
    ...auditColumns(),
    {
      ...lookup('ownerid', ['systemuser', 'team'], { requiredLevel: 'SystemRequired' }),
      type: 'Owner',
      schemaName: 'OwnerId',
    },
    lookup('owningbusinessunit', ['businessunit'], READ_ONLY),
    lookup('owninguser', ['systemuser'], READ_ONLY),
    lookup('owningteam', ['team'], READ_ONLY),
  ];
}

/** Audit columns shared by every table, owned or not. */
export function auditColumns(): ColumnDef[] {
  return [
    dt('createdon', 'UserLocal', 'DateAndTime', READ_ONLY),
    dt('modifiedon', 'UserLocal', 'DateAndTime', READ_ONLY),
    lookup('createdby', ['systemuser'], READ_ONLY),
    lookup('modifiedby', ['systemuser'], READ_ONLY),
    dt('overriddencreatedon', 'UserLocal', 'DateOnly', {
      validForUpdate: false,
      schemaName: 'OverriddenCreatedOn',
    }),
    int('importsequencenumber', -2147483648, 2147483647, { validForUpdate: false }),
    bigint('versionnumber', READ_ONLY),
  ];
}

/**
 * Navigation properties of the system lookups. Activities suffix them with the table name
 * (`ownerid_appointment`, `createdby_appointment`: REF`appointment` many-to-one table); other tables use
 * the column name (`ownerid`: REF`annotation`, REF`account`).
 */
export function systemNavs(table: string, activity: boolean, owned: boolean): NavDef[] {
  const n = (column: string) => (activity ? `${column}_${table}` : column);
  const list = [
    nav(n('createdby'), 'createdby', 'systemuser', `lk_${table}_createdby`),
    nav(n('modifiedby'), 'modifiedby', 'systemuser', `lk_${table}_modifiedby`),
  ];
  if (owned) {
    list.push(
      nav(n('ownerid'), 'ownerid', ['systemuser', 'team'], `owner_${table}s`),
      nav(n('owningbusinessunit'), 'owningbusinessunit', 'businessunit', `business_unit_${table}`),
      nav(n('owninguser'), 'owninguser', 'systemuser', `user_${table}`),
      nav(n('owningteam'), 'owningteam', 'team', `team_${table}`),
    );
  }
  return list;
}
