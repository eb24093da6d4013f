import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import {
  groupKeyOf,
  idText,
  type MappingDefinition,
  type Outcome,
  type SourceRecord,
} from '../mapping/index.ts';
import { orderGroup } from '../run/groups.ts';
import type { CompareEntry } from './compare.ts';

/** What the spec makes of a record: the generated transform, or the reference interpreter. */
export type Oracle = (
  mapping: MappingDefinition,
  record: SourceRecord,
) => Outcome<Readonly<Record<string, unknown>>>;

/** The generated module's own transform functions as the oracle. */
export const generatedOracle: Oracle = (m, record) =>
  m.transform(record) as Outcome<Readonly<Record<string, unknown>>>;

/**
 * Entries for the records of one mapping, in source order. A grouping mapping loads one record per
 * group (the latest or earliest by its order, picked by the run's own `orderGroup`); the others are
 * skipped as superseded, so only the picked record is compared with the row.
 */
export function entriesOf(
  m: MappingDefinition,
  records: readonly SourceRecord[],
  oracle: Oracle,
): CompareEntry[] {
  if (!m.group) return records.map((record) => ({ mapping: m, record, outcome: oracle(m, record) }));
  const group = m.group;
  const groups = new Map<string, SourceRecord[]>();
  for (const record of records) {
    const key = groupKeyOf(group, record);
    const members = groups.get(key);
    if (members) members.push(record);
    else groups.set(key, [record]);
  }
  const picked = new Map<SourceRecord, SourceRecord | undefined>();
  for (const members of groups.values()) {
    const ordered = orderGroup(group, members);
    for (const r of ordered) picked.set(r, r === ordered[0] ? undefined : ordered[0]);
  }
  return records.map((record) => {
    const winner = picked.get(record);
    if (winner === undefined) return { mapping: m, record, outcome: oracle(m, record) };
    const sourceId = idText(record.id) ?? '';
    return {
      mapping: m,
      record,
      outcome: {
        kind: 'skipped',
        sourceId,
        reason: `superseded: record ${idText(winner.id)} is the ${group.pick} of the same ${group.by.join('.')}`,
      },
    };
  });
}

/** Decimal places of each custom decimal column the schema plan declares. */
export function precisionFromPlan(plan: IrSchemaPlan): (table: string, column: string) => number | undefined {
  const precision = new Map<string, number>();
  for (const t of plan.tables)
    for (const c of t.columns)
      if (c.precision !== undefined) precision.set(`${t.name}.${c.name}`, c.precision);
  return (table, column) => precision.get(`${table}.${column}`);
}
