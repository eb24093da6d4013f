import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { AttributeDefinition, EntityDefinition, KeyDefinition } from '../dataverse/index.ts';
import { failedKeyHint } from '../dataverse/index.ts';
import { TYPE_NAMES } from './bodies.ts';
import type { SchemaFinding } from './verify.ts';

/**
 * Whether a key of the organisation is the plan's key: the same columns, no more (a key on more
 * columns does not make one value of them unique, and upserts address rows by the plan's columns).
 */
export function sameKey(
  live: { readonly keyAttributes: readonly string[] },
  planned: { readonly columns: readonly string[] },
): boolean {
  return (
    live.keyAttributes.length === planned.columns.length &&
    planned.columns.every((c) => live.keyAttributes.includes(c))
  );
}

/**
 * The organisation's key of a name (Dataverse holds one key per name on a table, EntityKeyNameExists), as
 * a planned key that is not there may find its name taken by a key on other columns.
 */
export function keyNamed(entity: EntityDefinition, name: string): KeyDefinition | undefined {
  return (entity.keys ?? []).find((k) => k.logicalName === name.toLowerCase());
}

/**
 * The planned columns of a key that the organisation has with another type than the plan's: Dataverse
 * takes a key only on the types the plan gives them (PA`define-alternate-keys-entity`: Decimal, Whole
 * Number, Single line of text, DateTime, Lookup, Option Set), and apply cannot change a column's type.
 */
function retyped(
  columns: readonly string[],
  planned: ReadonlyMap<string, IrPlanColumn>,
  attributes: ReadonlyMap<string, AttributeDefinition>,
): string[] {
  return columns.flatMap((name) => {
    const column = planned.get(name);
    const attribute = attributes.get(name);
    if (!column || !attribute || attribute.typeName === TYPE_NAMES[column.type]) return [];
    return [`${name} is ${attribute.typeName}, not ${TYPE_NAMES[column.type]}`];
  });
}

/**
 * The findings of a table's planned alternate keys: missing (which apply creates, unless a column of it
 * has another type, which it cannot change), failed to build, or not Active yet.
 */
export function keyFindings(
  table: string,
  planTable: IrSchemaPlan['tables'][number],
  entity: EntityDefinition,
  attributes: ReadonlyMap<string, AttributeDefinition>,
): SchemaFinding[] {
  const planned = new Map(planTable.columns.map((c) => [c.name, c]));
  const findings: SchemaFinding[] = [];
  for (const key of planTable.keys) {
    const found = (entity.keys ?? []).find((k) => sameKey(k, key));
    const missing = `alternate key on ${key.columns.join(', ')} does not exist`;
    if (!found) {
      const blocked = retyped(key.columns, planned, attributes);
      const namesake = keyNamed(entity, key.name);
      findings.push({
        kind: 'key',
        table,
        name: key.name,
        problem: namesake
          ? `${missing}, and its name ${key.name} is taken by a key on ${namesake.keyAttributes.join(', ')}: delete that key in Power Apps (Tables → ${table} → Keys), then run schema apply, which creates the plan's`
          : blocked.length === 0
            ? missing
            : `${missing}, and schema apply cannot create it while ${blocked.join(' and ')} as the plan says: fix the column first (its own finding says how), then run schema apply`,
        applicable: !namesake && blocked.length === 0,
      });
    } else if (found.status === 'Failed')
      findings.push({
        kind: 'key',
        table,
        name: found.schemaName,
        problem: `alternate key failed to build: rows hold the same values of ${key.columns.join(', ')}; ${failedKeyHint(table, found.schemaName)}`,
        applicable: false,
      });
    else if (found.status !== 'Active')
      findings.push({
        kind: 'key',
        table,
        name: found.schemaName,
        problem: `alternate key is ${found.status}, not Active yet (Dataverse builds its index in the background)`,
        applicable: true,
      });
  }
  return findings;
}
