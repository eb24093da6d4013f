import { nameGuid } from './catalog.ts';
import type { TableDef } from './types.ts';

/** The types a table's security privileges come in (PrivilegeType, PA`webapi/reference/privilegetype`). */
const PRIVILEGE_TYPES = [
  'Create',
  'Read',
  'Write',
  'Delete',
  'Assign',
  'Share',
  'Append',
  'AppendTo',
] as const;
type PrivilegeType = (typeof PRIVILEGE_TYPES)[number];

// Tables of the sandbox whose privileges carry another name than their schema name (prvReadNote,
// prvReadUser: "Message privileges" in the organization service reference).
const OWN_NAMES: Readonly<Record<string, string>> = { annotation: 'Note', systemuser: 'User' };

/**
 * The name of a table's privilege of one type: prv<Type><name>, the name being its schema name, except
 * that every activity table shares the Activity privileges ("uses the same privileges as all activity
 * entities", appointment entity reference) and the tables of OWN_NAMES.
 */
export function privilegeName(def: TableDef, type: PrivilegeType): string {
  const name = def.isActivity ? 'Activity' : (OWN_NAMES[def.logicalName] ?? def.schemaName);
  return `prv${type}${name}`;
}

/**
 * A table's Privileges as EntityMetadata gives them (SecurityPrivilegeMetadata,
 * PA`webapi/reference/securityprivilegemetadata`). A table no user owns has no Assign and Share
 * privileges, and its others are granted for the whole organisation only.
 */
export function privilegesJson(def: TableDef): Record<string, unknown>[] {
  const owned = def.ownership === 'UserOwned';
  const types = owned ? PRIVILEGE_TYPES : PRIVILEGE_TYPES.filter((t) => t !== 'Assign' && t !== 'Share');
  return types.map((type) => {
    const name = privilegeName(def, type);
    return {
      Name: name,
      PrivilegeId: nameGuid(`privilege:${name}`),
      PrivilegeType: type,
      CanBeBasic: owned,
      CanBeLocal: owned,
      CanBeDeep: owned,
      CanBeGlobal: true,
    };
  });
}
