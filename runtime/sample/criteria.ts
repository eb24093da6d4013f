import type { Ir } from '../../compiler/ir/types.ts';
import { at, isPresent, type MappingDefinition, type Outcome, type SourceRecord } from '../mapping/index.ts';
import { spreadRank } from './pick.ts';

/** What a criterion sees of one source record: the record and what each mapping of its resource makes of it. */
export interface Facts {
  readonly resource: string;
  readonly id: string;
  readonly record: SourceRecord;
  /** Position in the read (records load in this order, as in a full run). */
  readonly seq: number;
  readonly outcomes: readonly {
    readonly mapping: MappingDefinition;
    readonly outcome: Outcome<Readonly<Record<string, unknown>>>;
  }[];
  /** Mappings of the record whose owner (a staff member) is inactive or has no enabled Dynamics user. */
  readonly inactiveOwners: readonly string[];
}

/** One reason to pick a record: the record is picked under each key it yields (one record per key). */
export interface Criterion {
  readonly id: string;
  /** How the reports name it: "every appointment status". */
  readonly label: string;
  /** The resource it reads; every resource when absent. */
  readonly resource?: string;
  /** The keys a record qualifies under (e.g. its status), with a score when the best record wins. */
  keys(facts: Facts): readonly { readonly key: string; readonly score?: number }[];
  /** `first`: the first records seen per key; `best`: the highest scores per key. */
  readonly keep: 'first' | 'best';
  /** Records kept per key (default 1). */
  readonly perKey?: number;
  /** Distinct keys kept, the first seen (a bound on what one criterion adds). */
  readonly limit: number;
}

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
const one = (key: string) => [{ key }];
const when = (test: boolean, key = '') => (test ? one(key) : []);
const valueKeys = (v: unknown) =>
  (Array.isArray(v) ? v : [v])
    .filter((x) => x !== null && x !== undefined && x !== '')
    .map((x) => ({ key: text(x) }));

/**
 * The sample's criteria: what a reviewer must see at least once. Data-specific rows name PracticeHub
 * fields (a field that is not read finds nothing); generic rows follow what the spec does to records
 * (flags, rejections, skips, owners). `criteriaFor` adds one row per value-mapped field of the spec.
 */
const CRITERIA: readonly Criterion[] = [
  {
    // Without it a mapping of a resource read late (the size used up by larger resources) and picked by
    // no other row could be left out of the sample, and its spec never checked.
    id: 'mapping',
    label: 'one record of each mapping',
    keep: 'best',
    limit: 200,
    // A record the mapping writes rows for wins over one it skips or rejects; among those, the same
    // even spread as the fill, so the pick does not lean on the read order.
    keys: (f) =>
      f.outcomes.map(({ mapping, outcome }) => ({
        key: mapping.name,
        score: (outcome.kind === 'rows' ? 2 ** 32 : 0) - spreadRank(f.resource, f.id),
      })),
  },
  {
    id: 'clinic',
    label: 'every clinic',
    resource: 'clinics',
    keep: 'first',
    limit: 50,
    keys: (f) => one(f.id),
  },
  {
    id: 'appointment-status',
    label: 'every appointment status',
    resource: 'appointments',
    keep: 'first',
    limit: 20,
    keys: (f) => valueKeys(f.record.status),
  },
  {
    id: 'custom-property',
    label: 'every custom property, with a value',
    resource: 'patients',
    keep: 'first',
    limit: 30,
    keys: (f) => {
      const props = f.record.custom_properties;
      if (props === null || typeof props !== 'object') return [];
      return Object.entries(props as Record<string, unknown>)
        .filter(([, v]) => isPresent(v))
        .map(([k]) => ({ key: k }));
    },
  },
  {
    id: 'longest-note',
    label: 'the longest clinical note',
    resource: 'clinical_notes',
    keep: 'best',
    limit: 1,
    keys: (f) => [{ key: '', score: text(f.record.body).length }],
  },
  {
    id: 'longest-patient-notes',
    label: 'the longest patient notes',
    resource: 'patients',
    keep: 'best',
    limit: 1,
    keys: (f) => [{ key: '', score: text(f.record.notes).length }],
  },
  {
    id: 'earliest-birth',
    label: 'the earliest date of birth',
    resource: 'patients',
    keep: 'best',
    limit: 1,
    keys: (f) => {
      const ms = Date.parse(text(f.record.date_of_birth));
      return Number.isFinite(ms) ? [{ key: '', score: -ms }] : [];
    },
  },
  {
    id: 'missing-email',
    label: 'no email',
    keep: 'first',
    perKey: 2,
    limit: 20,
    keys: (f) => when('email' in f.record && !isPresent(f.record.email), f.resource),
  },
  {
    id: 'missing-name',
    label: 'a name missing',
    resource: 'patients',
    keep: 'first',
    limit: 2,
    keys: (f) => [
      ...when(!isPresent(f.record.first_name), 'first_name'),
      ...when(!isPresent(f.record.last_name), 'last_name'),
    ],
  },
  {
    id: 'several-clinics',
    label: 'a patient at several clinics',
    resource: 'patients',
    keep: 'first',
    perKey: 2,
    limit: 4,
    keys: (f) => {
      const n = Array.isArray(f.record.clinic_assignments) ? f.record.clinic_assignments.length : 0;
      return n > 1 ? one(`${n} clinics`) : [];
    },
  },
  {
    id: 'inactive-owner',
    label: 'the owner inactive or without an enabled Dynamics user',
    keep: 'first',
    perKey: 2,
    limit: 20,
    keys: (f) => f.inactiveOwners.map((m) => ({ key: m })),
  },
  {
    id: 'inactive-staff',
    label: 'a staff member who left',
    keep: 'first',
    perKey: 2,
    limit: 1,
    keys: (f) => when(f.record.active === false, f.resource),
  },
  {
    id: 'flag',
    label: 'each flag the spec raises',
    keep: 'first',
    limit: 60,
    keys: (f) =>
      f.outcomes.flatMap(({ mapping, outcome }) =>
        outcome.kind === 'skipped'
          ? []
          : outcome.flags.map((x) => ({ key: `${mapping.name} ${x.column} ${x.code}` })),
      ),
  },
  {
    id: 'rejection',
    label: 'each rejection the spec makes',
    keep: 'first',
    limit: 30,
    keys: (f) =>
      f.outcomes.flatMap(({ mapping, outcome }) =>
        outcome.kind === 'rejected'
          ? outcome.rejections.map((x) => ({ key: `${mapping.name} ${x.column} ${x.code}` }))
          : [],
      ),
  },
  {
    id: 'skip',
    label: 'each reason the spec skips a record',
    keep: 'first',
    limit: 20,
    keys: (f) =>
      f.outcomes.flatMap(({ mapping, outcome }) =>
        outcome.kind === 'skipped' ? [{ key: `${mapping.name}: ${outcome.reason}` }] : [],
      ),
  },
  {
    id: 'split',
    label: 'a record written as several rows',
    keep: 'first',
    limit: 20,
    keys: (f) =>
      f.outcomes.flatMap(({ mapping, outcome }) =>
        outcome.kind === 'rows' && outcome.rows.length > 1 ? [{ key: mapping.name }] : [],
      ),
  },
];

/**
 * The criteria for a spec: the fixed table, and for every field the spec maps through a value map or
 * state map, one record per source value ("every value of appointments.status").
 */
export function criteriaFor(ir: Ir | undefined): Criterion[] {
  const mapped = new Map<string, { resource: string; path: readonly string[] }>();
  for (const m of ir?.mappings ?? []) {
    const paths = [
      ...m.fields
        .filter(
          (f) => f.source.kind === 'path' && f.steps.some((s) => s.kind === 'map' || s.kind === 'multi_map'),
        )
        .map((f) => (f.source.kind === 'path' ? f.source.path : [])),
      ...(m.state ? [m.state.path] : []),
    ].filter((p) => p.length > 0 && p[0] !== 'item');
    for (const path of paths) mapped.set(`${m.source}.${path.join('.')}`, { resource: m.source, path });
  }
  const derived: Criterion[] = [...mapped].map(([name, { resource, path }]) => ({
    id: `value ${name}`,
    label: `every value of ${name}`,
    resource,
    keep: 'first',
    limit: 30,
    keys: (f) => valueKeys(at(f.record, path)),
  }));
  return [...CRITERIA, ...derived];
}
