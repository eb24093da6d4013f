import type { Ir, IrLeftOut } from '../ir/types.ts';
import { settingChanges } from './compare.ts';
import { diffMapping } from './mapping.ts';
import { riskNotes } from './risks.ts';
import { diffSchema } from './schema.ts';
import type { DiffSide, OptionLabels } from './side.ts';
import type { LoadOrderChange, LoadStep, MappingChange, MappingDiff } from './types.ts';

/** Migration-wide settings as text; secrets never reach the IR, so nothing here needs hiding. */
function migrationSettings(ir: Ir): Record<string, string | undefined> {
  const m = ir.migration;
  return {
    name: m.name,
    region: m.region,
    account: m.account,
    'requests per second': String(m.requestsPerSecond),
    'page size': String(m.pageSize),
    licence: m.license,
    'publisher prefix': m.prefix,
    'option value prefix': String(m.optionValuePrefix),
    solution: m.solution,
    'time zone': m.timeZone,
    'batch size': String(m.batchSize),
    'sample size': String(m.sampleSize),
    'reconcile tolerance': String(m.tolerance),
    checksums: m.checksums,
    'fallback owner': m.fallbackOwner,
    staff: m.staff ? `${m.staff.resource}, email ${m.staff.emailField}` : undefined,
    'invalid email policy': ir.policies.invalidEmail,
    'invalid phone policy': ir.policies.invalidPhone,
    'date out of range policy': ir.policies.dateOutOfRange,
    'unmapped value policy': ir.policies.unmappedValue,
    'deleted records': m.deletedRecords,
    archive: m.archive ? `${m.archive.dir} → ${m.archive.baseUrl}` : undefined,
    'max upload file size': String(m.maxUploadFileSize),
  };
}

/**
 * What the migration leaves out on purpose, as settings named `left out: resource[.field]` whose text
 * is the reason: a reviewer sees data dropped from the migration (or taken back in) and why.
 */
function leftOutSettings(leftOut: readonly IrLeftOut[]): Record<string, string> {
  const reasons = new Map<string, Set<string>>();
  for (const l of leftOut) {
    const name = `left out: ${l.field === undefined ? `${l.resource} (the whole resource)` : `${l.resource}.${l.field}`}`;
    reasons.set(name, (reasons.get(name) ?? new Set()).add(l.reason));
  }
  // Sorted, so that reordering the YAML changes nothing.
  return Object.fromEntries(
    [...reasons.keys()].sort().map((name) => [name, [...reasons.get(name)!].sort().join('; ')]),
  );
}

function loadOrderChange(base: Ir, head: Ir): LoadOrderChange | undefined {
  const steps = (ir: Ir): LoadStep[] =>
    ir.plan.loadOrder.map((s) => ({ mapping: s.mapping, dependsOn: s.dependsOn, deferred: s.deferred }));
  const before = steps(base);
  const after = steps(head);
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : { before, after };
}

const NO_LABELS: OptionLabels = new Map();

/**
 * The mapping diff of two IRs: what the head spec does differently from the base to the data and to
 * the schema plan, and the risk notes for data already loaded. Mappings are matched by name, fields
 * and lookups by target column, value-map entries by source value and custom options by key, so
 * reordering or reformatting the YAML changes nothing. Labels (optional) name the options values
 * map to.
 */
export function diffIr(
  base: Ir,
  head: Ir,
  labels: { readonly base: OptionLabels; readonly head: OptionLabels } = { base: NO_LABELS, head: NO_LABELS },
): MappingDiff {
  const sides = { base: { ir: base, labels: labels.base }, head: { ir: head, labels: labels.head } };
  const before = new Map(base.mappings.map((m) => [m.name, m]));
  const after = new Map(head.mappings.map((m) => [m.name, m]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const mappings = names.flatMap((n): MappingChange[] => {
    const change = diffMapping(before.get(n), after.get(n), sides);
    return change ? [change] : [];
  });
  const schema = diffSchema(base, head);
  return {
    mappings,
    schema,
    loadOrder: loadOrderChange(base, head),
    settings: settingChanges(
      { ...migrationSettings(base), ...leftOutSettings(base.leftOut) },
      { ...migrationSettings(head), ...leftOutSettings(head.leftOut) },
    ),
    risks: riskNotes(mappings, schema),
  };
}

/** The diff of two sides built by `specSide`. */
export function diffSides(base: DiffSide, head: DiffSide): MappingDiff {
  return diffIr(base.ir, head.ir, { base: base.labels, head: head.labels });
}

/** True when the diff holds no change at all. */
export function isEmptyDiff(diff: MappingDiff): boolean {
  const s = diff.schema;
  return (
    diff.mappings.length === 0 &&
    diff.loadOrder === undefined &&
    diff.settings.length === 0 &&
    s.tables.length === 0 &&
    s.flags.length === 0 &&
    s.customTables.before === s.customTables.after &&
    s.connectionRoles.added.length + s.connectionRoles.removed.length === 0 &&
    s.privileges.added.length + s.privileges.removed.length === 0
  );
}
