import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { AttributeDefinition, DataverseClient, EntityDefinition } from '../dataverse/index.ts';
import { DataverseError, failedKeyHint } from '../dataverse/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { TYPE_NAMES } from './bodies.ts';

/** Something the organisation lacks (or has differently) compared with the plan. */
export interface SchemaFinding {
  readonly kind: 'table' | 'column' | 'option' | 'key' | 'role';
  readonly table: string;
  readonly name: string;
  readonly problem: string;
  /** Whether `flitstack schema apply` can fix it. */
  readonly applicable: boolean;
}

/** The live state the checks read; `schema apply` reuses it. */
export interface LiveSchema {
  readonly tables: ReadonlyMap<string, EntityDefinition | undefined>;
  readonly roles: ReadonlySet<string>;
}

/** Reads the metadata of every table the migration writes (one request per table) and the connection roles. */
export async function readLiveSchema(
  client: DataverseClient,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
): Promise<LiveSchema> {
  const names = [...new Set([...Object.keys(tables), ...plan.tables.map((t) => t.name)])];
  const live = new Map<string, EntityDefinition | undefined>();
  for (const name of names) {
    try {
      const entity = await client.entityDefinition(name, { keys: true });
      // Choice options are read with the columns' type casts (attributes with options).
      live.set(name, entity ? { ...entity, attributes: await client.attributes(name, true) } : undefined);
    } catch (error) {
      if (error instanceof DataverseError && error.status === 404) live.set(name, undefined);
      else throw error;
    }
  }
  const roles = new Set<string>();
  if (plan.connectionRoles.length > 0) {
    for await (const role of client.query<{ name: string }>('connectionroles', { select: ['name'] }))
      roles.add(role.name.toLowerCase());
  }
  return { tables: live, roles };
}

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

function columnProblem(column: IrPlanColumn, attribute: AttributeDefinition): string | undefined {
  const expected = TYPE_NAMES[column.type];
  if (attribute.typeName !== expected) return `is ${attribute.typeName}, the plan says ${expected}`;
  if (
    (column.type === 'string' || column.type === 'memo') &&
    (attribute.maxLength ?? 0) < (column.maxLength ?? 0)
  ) {
    return `holds ${attribute.maxLength} characters, the plan needs ${column.maxLength}`;
  }
  if (column.type === 'date' && attribute.dateTimeBehavior && attribute.dateTimeBehavior !== 'DateOnly') {
    return `has behaviour ${attribute.dateTimeBehavior}, the plan needs DateOnly`;
  }
  if (column.type === 'lookup' && column.target && !(attribute.targets ?? []).includes(column.target)) {
    return `points to ${(attribute.targets ?? []).join(', ') || 'nothing'}, the plan needs ${column.target}`;
  }
  return undefined;
}

/**
 * The run addresses records through the entity set the spec expects (the plan's for a custom table,
 * the target snapshot's for a standard one); any other name in the organisation stops the load at the
 * table's first write, so it is found here instead.
 */
function entitySetProblem(
  name: string,
  entity: EntityDefinition,
  planTable: IrSchemaPlan['tables'][number] | undefined,
  written: GeneratedModule['TABLES'][string] | undefined,
): SchemaFinding | undefined {
  const expected = planTable?.custom?.entitySet ?? written?.entitySet;
  if (expected === undefined || entity.entitySetName === expected) return undefined;
  const fix = planTable?.custom
    ? `change the table's entity set name (EntitySetName) to ${expected} in Dataverse, or give the mapping another table name in the spec`
    : `set the table's entity_set in the target snapshot (target.metadata of migration.yaml) to ${entity.entitySetName}, then compile and confirm`;
  return {
    kind: 'table',
    table: name,
    name,
    problem: `entity set is ${entity.entitySetName || '(none)'}, the generated code writes to ${expected}: ${fix}`,
    applicable: false,
  };
}

/**
 * Compares the organisation with the plan and the columns the transformer writes: every table (and
 * its entity set name), column, choice option, alternate key (Active) and connection role. An empty list means the load can start.
 */
export function checkSchema(
  live: LiveSchema,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
): SchemaFinding[] {
  const findings: SchemaFinding[] = [];
  const planned = new Map(plan.tables.map((t) => [t.name, t]));
  for (const name of new Set([...planned.keys(), ...Object.keys(tables)])) {
    const entity = live.tables.get(name);
    const planTable = planned.get(name);
    if (!entity) {
      findings.push({
        kind: 'table',
        table: name,
        name,
        problem: planTable?.custom
          ? 'custom table does not exist'
          : 'table does not exist in the organisation',
        applicable: Boolean(planTable?.custom),
      });
      continue;
    }
    const entitySetFinding = entitySetProblem(name, entity, planTable, tables[name]);
    if (entitySetFinding) findings.push(entitySetFinding);
    const attributes = new Map((entity.attributes ?? []).map((a) => [a.logicalName, a]));
    const customColumns = new Map((planTable?.columns ?? []).map((c) => [c.name, c]));
    for (const column of planTable?.columns ?? []) {
      const attribute = attributes.get(column.name);
      if (!attribute) {
        findings.push({
          kind: 'column',
          table: name,
          name: column.name,
          problem: `custom column (${column.type}) does not exist`,
          applicable: true,
        });
        continue;
      }
      const problem = columnProblem(column, attribute);
      if (problem)
        findings.push({ kind: 'column', table: name, name: column.name, problem, applicable: false });
      if (column.type === 'choice' || column.type === 'multi_choice') {
        const values = new Set((attribute.options ?? []).map((o) => o.value));
        for (const option of column.options) {
          if (!values.has(option.value)) {
            findings.push({
              kind: 'option',
              table: name,
              name: `${column.name}=${option.value}`,
              problem: `option ${option.value} (${option.label}) is missing`,
              applicable: false,
            });
          }
        }
      }
    }
    for (const column of Object.keys(tables[name]?.columns ?? {})) {
      if (!customColumns.has(column) && !attributes.has(column)) {
        findings.push({
          kind: 'column',
          table: name,
          name: column,
          problem: 'column does not exist (it is not a custom column of the plan: check the target snapshot)',
          applicable: false,
        });
      }
    }
    for (const key of planTable?.keys ?? []) {
      const found = (entity.keys ?? []).find((k) => sameKey(k, key));
      if (!found)
        findings.push({
          kind: 'key',
          table: name,
          name: key.name,
          problem: `alternate key on ${key.columns.join(', ')} does not exist`,
          applicable: true,
        });
      else if (found.status === 'Failed')
        findings.push({
          kind: 'key',
          table: name,
          name: found.schemaName,
          problem: `alternate key failed to build: rows hold the same values of ${key.columns.join(', ')}; ${failedKeyHint(name, found.schemaName)}`,
          applicable: false,
        });
      else if (found.status !== 'Active')
        findings.push({
          kind: 'key',
          table: name,
          name: found.schemaName,
          problem: `alternate key is ${found.status}, not Active yet (Dataverse builds its index in the background)`,
          applicable: true,
        });
    }
  }
  for (const role of plan.connectionRoles) {
    if (!live.roles.has(role.name.toLowerCase()))
      findings.push({
        kind: 'role',
        table: 'connectionrole',
        name: role.name,
        problem: 'connection role does not exist',
        applicable: true,
      });
  }
  return findings;
}
