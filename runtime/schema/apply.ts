import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import type { DataverseClient } from '../dataverse/index.ts';
import { componentExists, DataverseError, KeyError, label } from '../dataverse/index.ts';
import type { GeneratedModule } from '../mapping/index.ts';
import { uuidV5 } from '../run/ids.ts';
import { attributeBody, lookupRelationship, tableBody } from './bodies.ts';
import { keyNamed, sameKey } from './keys.ts';
import { optionInserts, optionLabelChanges } from './options.ts';
import { ensureSolution, SchemaError } from './solution.ts';
import {
  columnChanges,
  type LiveSchema,
  readLiveSchema,
  type SchemaFinding,
  verifySchema,
} from './verify.ts';

/**
 * How long a key built again (ReactivateEntityKey) may still report Failed before its build job is seen
 * starting: the action only submits an asynchronous system job (PA`webapi/reference/reactivateentitykey`).
 */
const REBUILD_START_MS = 30_000;

/** What `schema apply` did. */
export interface Applied {
  readonly created: readonly string[];
  /**
   * Findings it cannot fix (different types, precisions, behaviours, formats, missing options and labels
   * of a global option set, labels without one in the plan's language, missing standard columns), and
   * the components Dataverse refused to create or change, with its reason.
   */
  readonly remaining: readonly SchemaFinding[];
}

type Component = Pick<SchemaFinding, 'kind' | 'table' | 'name'>;
const sameComponent = (a: Component, b: Component) =>
  a.kind === b.kind && a.table === b.table && a.name === b.name;

/**
 * Runs one metadata create or change. Dataverse refusing the definition (HTTP 400: a name, a length or a
 * quota it does not take) becomes a finding and apply goes on with the other components, so that one
 * refusal lists every other one and leaves nothing the plan could create uncreated; any other failure
 * (access, throttling, an organisation out of reach) stops it. A component Dataverse says is there
 * already (another apply, or a create an interrupted one left running, made it since it was read) is
 * compared with the plan by the final check like any existing one, and its refusal shown only when the
 * organisation still lacks it as planned. Returns what came of it.
 */
async function attempt(
  refused: SchemaFinding[],
  component: Component,
  action: () => Promise<unknown>,
): Promise<'done' | 'there' | 'refused'> {
  try {
    await action();
    return 'done';
  } catch (error) {
    const exists = error instanceof DataverseError && componentExists(error);
    if (!exists && (!(error instanceof DataverseError) || error.status !== 400)) throw error;
    // Listed all the same: the final check keeps it only while the organisation lacks the component as
    // planned (a name another component of the organisation holds).
    refused.push({ ...component, problem: `Dataverse refused it: ${error.message}`, applicable: false });
    return exists ? 'there' : 'refused';
  }
}

/**
 * Creates what the plan needs and the organisation lacks, through the metadata Web API: custom tables,
 * columns (lookups through relationships), changes of existing columns it can make in place (a longer
 * maximum length, a wider range, the required level, a missing option or the label of an option of a
 * local option set), alternate keys (then waits until they are Active; one that failed to build is
 * built again, as the rows sharing its values may be gone) and connection roles; then
 * publishes. Idempotent: what exists is left as it is. A component Dataverse refuses is listed in
 * `remaining` with its reason, and the others are created all the same.
 */
export async function applySchema(
  client: DataverseClient,
  plan: IrSchemaPlan,
  tables: GeneratedModule['TABLES'],
  options: { readonly keyTimeoutMs?: number; readonly onStep?: (step: string) => void } = {},
): Promise<Applied> {
  const created: string[] = [];
  const refused: SchemaFinding[] = [];
  const step = (text: string) => {
    created.push(text);
    options.onStep?.(text);
  };
  const solution = plan.publisher.solution;
  // The publisher and its solution are checked (and the solution created) before the first component
  // is created or changed, not before an apply that finds nothing to create: an organisation whose
  // schema came in a managed solution is complete without one it could add to.
  let checked: Promise<void> | undefined;
  const inSolution =
    <T>(action: () => Promise<T>) =>
    async (): Promise<T> => {
      checked ??= ensureSolution(client, plan, step);
      await checked;
      return action();
    };
  let live: LiveSchema = await readLiveSchema(client, plan, tables);
  for (const table of plan.tables) {
    if (table.custom && !live.tables.get(table.name)) {
      const component = { kind: 'table', table: table.name, name: table.name } as const;
      const create = inSolution(() => client.createTable(tableBody(table.name, table.custom!), solution));
      if ((await attempt(refused, component, create)) === 'done') step(`created table ${table.name}`);
    }
  }
  live = await readLiveSchema(client, plan, tables);
  const touched = new Set<string>();
  let stale = false;
  for (const table of plan.tables) {
    // A table that is not there (refused above) takes no columns or keys: its finding says why.
    if (!live.tables.get(table.name)) continue;
    const existing = new Set((live.tables.get(table.name)?.attributes ?? []).map((a) => a.logicalName));
    for (const column of table.columns) {
      if (existing.has(column.name)) continue;
      const component = { kind: 'column', table: table.name, name: column.name } as const;
      const create = inSolution(
        column.type === 'lookup'
          ? async () =>
              client.createOneToManyRelationship(
                lookupRelationship(table.name, column, await primaryIdOf(client, tables, column.target!)),
                solution,
              )
          : () => client.createAttribute(table.name, attributeBody(column), solution),
      );
      const outcome = await attempt(refused, component, create);
      if (outcome === 'there' && (await madeMeanwhile(client, table.name, column.name))) {
        // Made meanwhile (another apply, or a create an interrupted one left running), maybe otherwise
        // than the plan says: compared with the plan as any existing column, in this apply, which
        // changes what it can below and reports the rest, instead of "already exists".
        refused.splice(
          refused.findIndex((r) => sameComponent(r, component)),
          1,
        );
        stale = true;
      }
      if (outcome !== 'done') continue;
      touched.add(table.name);
      step(`created column ${table.name}.${column.name} (${column.type})`);
    }
  }
  if (stale) live = await readLiveSchema(client, plan, tables);
  // Existing columns narrower than the plan (length, range) or with another required level are widened
  // or changed in place; what the API cannot change without touching stored values stays a finding.
  for (const change of columnChanges(live, plan)) {
    const component = { kind: 'column', table: change.table, name: change.column } as const;
    const update = inSolution(() =>
      client.updateAttribute(change.table, change.column, change.metadataType, change.changes, solution),
    );
    if ((await attempt(refused, component, update)) !== 'done') continue;
    touched.add(change.table);
    step(`changed column ${change.table}.${change.column} (${change.properties.join(', ')})`);
  }
  // An option the spec gained since the column was created (a new value-map entry) is added with the
  // plan's value and label (InsertOptionValue, PA`webapi/create-update-optionsets`, "Insert options").
  for (const insert of optionInserts(live, plan)) {
    const name = `${insert.column}=${insert.value}`;
    const component = { kind: 'option', table: insert.table, name } as const;
    const add = inSolution(() =>
      client.insertOptionValue(insert.table, insert.column, insert.value, insert.label, solution),
    );
    if ((await attempt(refused, component, add)) !== 'done') continue;
    touched.add(insert.table);
    step(`added option ${insert.table}.${name} ${JSON.stringify(insert.label)}`);
  }
  // An option of the planned value labelled otherwise means something else to every reader of the rows
  // the load writes: its label becomes the plan's (UpdateOptionValue, PA`webapi/create-update-optionsets`).
  for (const change of optionLabelChanges(live, plan)) {
    const name = `${change.column}=${change.value}`;
    const component = { kind: 'option', table: change.table, name } as const;
    const update = inSolution(() =>
      client.updateOptionValue(change.table, change.column, change.value, change.to, solution),
    );
    if ((await attempt(refused, component, update)) !== 'done') continue;
    touched.add(change.table);
    step(
      `changed option ${change.table}.${name} from ${JSON.stringify(change.from)} to ${JSON.stringify(change.to)}`,
    );
  }
  live = await readLiveSchema(client, plan, tables);
  const waiting: { table: string; name: string; rebuilt: boolean }[] = [];
  for (const table of plan.tables) {
    if (!live.tables.get(table.name)) continue;
    for (const key of table.keys) {
      const entity = live.tables.get(table.name)!;
      let found = (entity.keys ?? []).find((k) => sameKey(k, key));
      // A key on other columns holding the plan's key's name stays a finding: Dataverse takes one key a name.
      if (!found && keyNamed(entity, key.name)) continue;
      if (!found) {
        const component = { kind: 'key', table: table.name, name: key.name } as const;
        const definition = {
          SchemaName: key.name,
          DisplayName: label(key.label),
          KeyAttributes: key.columns,
        };
        const create = inSolution(() => client.createKey(table.name, definition, solution));
        const outcome = await attempt(refused, component, create);
        if (outcome === 'refused') continue;
        if (outcome === 'done') step(`created alternate key ${table.name}.${key.name}`);
        else {
          // Made meanwhile by another apply, maybe under another name: waited for as it is now, and
          // reported as any key found (not Active yet, failed), not as refused. A key of the name on
          // other columns made meanwhile is left to the final check, which reports it.
          found = (await client.keys(table.name)).find((k) => sameKey(k, key));
          if (!found) continue;
          const refusal = refused.findIndex((r) => sameComponent(r, component));
          refused.splice(refusal, 1);
        }
      }
      const name = found?.schemaName ?? key.name;
      let rebuilt = false;
      if (found?.status === 'Failed') {
        // Built again (ReactivateEntityKey): Active once the rows sharing its values are gone, else
        // Failed again, which the final check reports with what to do.
        const component = { kind: 'key', table: table.name, name } as const;
        const rebuild = () => client.reactivateKey(table.name, name);
        if ((await attempt(refused, component, rebuild)) !== 'done') continue;
        step(`building alternate key ${table.name}.${name} again`);
        rebuilt = true;
      }
      if (found?.status !== 'Active') waiting.push({ table: table.name, name, rebuilt });
    }
  }
  for (const role of plan.connectionRoles) {
    if (!live.roles.has(role.name.toLowerCase())) {
      const component = { kind: 'role', table: 'connectionrole', name: role.name } as const;
      // Under an id derived from its name: two applies, or a create retried after a lost answer, meet
      // DuplicateRecord instead of making a second role of the name, which the run looks up by name.
      const id = uuidV5(`flitstack/connectionrole/${role.name.toLowerCase()}`);
      const create = () => client.create('connectionroles', { name: role.name, category: 5 }, { id });
      if ((await attempt(refused, component, create)) === 'done')
        step(`created connection role ${role.name}`);
    }
  }
  // Every table the plan adds columns to is published, not only those this apply touched: an apply
  // stopped between creating columns and publishing them leaves them unpublished, and its next run
  // creates nothing. Publishing is idempotent.
  const planned = [
    ...new Set([
      ...plan.tables.filter((t) => t.columns.length > 0 && live.tables.get(t.name)).map((t) => t.name),
      ...touched,
    ]),
  ];
  if (planned.length > 0) {
    await client.publish(planned);
    if (touched.size > 0) step(`published ${planned.join(', ')}`);
  }
  // Alternate keys are built asynchronously: wait for Active before any upsert uses them (reference §3.4).
  // A key whose index fails to build (rows sharing its values) is a finding like one found failed, with
  // what to do, and the other keys are still waited for: the same organisation gives the same report
  // and exit code whether the key failed during this apply or before it. The keys share one time limit,
  // and one still building at its end is a finding ("not Active yet") beside the rest of the report,
  // not an error that drops it.
  const deadline = Date.now() + (options.keyTimeoutMs ?? 600_000);
  for (const key of waiting) {
    try {
      await client.waitForKey(key.table, key.name, {
        timeoutMs: Math.max(0, deadline - Date.now()),
        // A key built again still reports its last build's Failed until the new build job starts.
        ...(key.rebuilt ? { failedGraceMs: REBUILD_START_MS } : {}),
      });
    } catch (error) {
      if (error instanceof KeyError && (error.reason === 'failed' || error.reason === 'timeout')) continue;
      throw error;
    }
    step(`alternate key ${key.table}.${key.name} is Active`);
  }
  // A refused component's own finding says why, in place of the one that offers apply to create it.
  const found = verifySchema(await readLiveSchema(client, plan, tables), plan, tables);
  // A refusal of a component the organisation now has as the plan says (another apply added the same
  // option meanwhile, under an answer that names no code for it) leaves nothing to fix.
  const remaining = [
    ...refused.filter((r) => found.some((f) => sameComponent(r, f))),
    ...found.filter((f) => !refused.some((r) => sameComponent(r, f))),
  ];
  return { created, remaining };
}

/** Whether the organisation has the column now, after its create met "already exists". */
async function madeMeanwhile(client: DataverseClient, table: string, column: string): Promise<boolean> {
  return (await client.attributes(table)).some((a) => a.logicalName === column);
}

/** The primary key column of a table: from the generated module when the migration writes it, else the organisation's. */
async function primaryIdOf(
  client: DataverseClient,
  tables: GeneratedModule['TABLES'],
  name: string,
): Promise<string> {
  const known = tables[name]?.primaryId;
  if (known) return known;
  const definition = await client.entityDefinition(name);
  if (!definition) {
    throw new SchemaError(
      `a lookup column points at table '${name}', which the organisation does not have`,
      'create the table first, or change the lookup target in the spec',
    );
  }
  return definition.primaryIdAttribute;
}
