import { bool, entries, int, type Json, list, num, obj, oneOf, scalar, str } from './coerce.ts';
import type {
  ArchiveSpec,
  ChoiceOptionSpec,
  ConditionSpec,
  CustomColumnSpec,
  CustomTableSpec,
  FieldSpec,
  KeySpec,
  LookupSpec,
  ObjectSpec,
  Proposal,
  StepSpec,
} from './spec.ts';

const COLUMN_TYPES = [
  'string',
  'memo',
  'integer',
  'decimal',
  'money',
  'boolean',
  'date',
  'datetime',
  'choice',
  'multi_choice',
  'lookup',
] as const;

/** A string or a list of strings, as a list (for key.source, from, lookup.object). */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return list(v).filter((x): x is string => typeof x === 'string');
}

/** Reads a custom column declaration; undefined when it lacks a valid type or label. */
export function readCustom(v: unknown, file: string, pointer: string): CustomColumnSpec | undefined {
  const c = obj(v);
  const type = oneOf(c?.type, COLUMN_TYPES);
  if (!c || !type) return undefined;
  const options: ChoiceOptionSpec[] = entries(c.options).map(([key, option]) => {
    const o = obj(option);
    return {
      key,
      label: str(option) ?? str(o?.label) ?? key,
      value: int(o?.value),
      pointer: `${pointer}/options/${key}`,
    };
  });
  return {
    file,
    pointer,
    type,
    label: str(c.label) ?? '',
    description: str(c.description),
    required: oneOf(c.required, ['none', 'recommended', 'application'] as const) ?? 'none',
    maxLength: int(c.max_length),
    format: str(c.format),
    precision: int(c.precision),
    min: num(c.min),
    max: num(c.max),
    behavior: oneOf(c.behavior, ['user_local', 'time_zone_independent'] as const),
    trueLabel: str(c.true_label),
    falseLabel: str(c.false_label),
    options,
    target: str(c.target),
    schemaName: str(c.schema_name),
  };
}

function readProposal(v: unknown): Proposal | undefined {
  const p = obj(v);
  return p ? { reason: str(p.reason) ?? '', confidence: num(p.confidence) ?? 0 } : undefined;
}

function readStep(v: unknown, file: string, pointer: string): StepSpec | undefined {
  if (typeof v === 'string') return { file, pointer, name: v, params: {} };
  const o = obj(v);
  const first = o ? Object.entries(o)[0] : undefined;
  if (!first || Object.keys(o!).length !== 1) return undefined;
  const [name, raw] = first;
  const params: Json = obj(raw) ?? (raw === undefined || raw === null ? {} : { [name]: raw });
  return { file, pointer, name, params };
}

function readLookup(v: unknown, file: string, pointer: string): LookupSpec | undefined {
  const l = obj(v);
  if (!l) return undefined;
  return {
    file,
    pointer,
    objects: strings(l.object),
    element: str(l.element),
    pick: oneOf(l.pick, ['most_recent', 'first'] as const),
    orderBy: str(l.order_by),
    required: bool(l.required) ?? false,
    defer: bool(l.defer),
  };
}

function readField(v: unknown, file: string, pointer: string): FieldSpec | undefined {
  const f = obj(v);
  const to = str(f?.to);
  if (!f || !to) return undefined;
  return {
    file,
    pointer,
    to,
    from: strings(f.from),
    fromIsList: Array.isArray(f.from),
    template: str(f.template),
    value: scalar(f.value),
    connectionRole: str(f.connection_role),
    transform: list(f.transform)
      .map((s, i) => readStep(s, file, `${pointer}/transform/${i}`))
      .filter((s): s is StepSpec => s !== undefined),
    ...(f.transform !== undefined &&
      f.transform !== null &&
      !Array.isArray(f.transform) && { transformUnread: true }),
    lookup: readLookup(f.lookup, file, `${pointer}/lookup`),
    custom: readCustom(f.custom, file, `${pointer}/custom`),
    note: str(f.note),
    proposed: readProposal(f.proposed),
  };
}

function readKey(v: unknown, file: string): KeySpec | undefined {
  const k = obj(v);
  if (!k) return undefined;
  return {
    file,
    pointer: '/key',
    sources: strings(k.source),
    prefix: str(k.prefix) ?? '',
    column: str(k.column),
    deriveId: bool(k.derive_id) ?? false,
    custom: readCustom(k.custom, file, '/key/custom'),
  };
}

function readCondition(v: unknown, file: string, pointer: string): ConditionSpec | undefined {
  const c = obj(v);
  if (!c) return undefined;
  const values = (x: unknown) =>
    Array.isArray(x) ? x.map(scalar).filter((s) => s !== undefined) : undefined;
  return {
    file,
    pointer,
    field: str(c.field),
    in: values(c.in),
    notIn: values(c.not_in),
    present: bool(c.present),
    notMatchedBy: str(c.not_matched_by),
  };
}

function readCustomTable(v: unknown, file: string): CustomTableSpec | undefined {
  const t = obj(v);
  const primary = obj(t?.primary_name);
  const column = str(primary?.column);
  if (!t || !primary || !column) return undefined;
  return {
    file,
    pointer: '/custom_table',
    label: str(t.label) ?? '',
    pluralLabel: str(t.plural_label) ?? '',
    description: str(t.description),
    ownership: oneOf(t.ownership, ['user', 'organization'] as const) ?? 'user',
    hasNotes: bool(t.has_notes) ?? false,
    primaryName: {
      column,
      label: str(primary.label) ?? column,
      maxLength: int(primary.max_length) ?? 100,
      pointer: '/custom_table/primary_name',
    },
  };
}

function readArchive(v: unknown, file: string): ArchiveSpec | undefined {
  const a = obj(v);
  const name = str(a?.name);
  const urlColumn = str(a?.url_column);
  if (!a || !name || !urlColumn) return undefined;
  return {
    file,
    pointer: '/archive',
    name,
    columns: strings(a.columns),
    urlColumn,
    custom: readCustom(a.custom, file, '/archive/custom'),
  };
}

/** Reads an object mapping file's data into an ObjectSpec. */
export function readObject(data: unknown, file: string, name: string): ObjectSpec {
  const root = obj(data) ?? {};
  const match = obj(root.match);
  const each = obj(root.each);
  const group = obj(root.group);
  const owner = obj(root.owner);
  const state = obj(root.state);
  const document = obj(root.document);
  const matchSource = str(match?.source);
  const matchColumn = str(match?.column);
  const eachPath = str(each?.path);
  const groupBy = str(group?.by);
  const groupOrder = str(group?.order_by);
  const stateFrom = str(state?.from);
  const stateMap = str(state?.map);
  const documentFile = str(document?.file);
  return {
    file,
    pointer: '',
    name,
    description: str(root.description),
    source: str(root.source),
    target: str(root.target),
    extends: str(root.extends),
    // \`mode: Update\` is an error (FS013), read as meant so the rules do not add those of an upsert.
    mode:
      oneOf(typeof root.mode === 'string' ? root.mode.trim().toLowerCase() : root.mode, [
        'upsert',
        'update',
      ] as const) ?? 'upsert',
    key: readKey(root.key, file),
    match:
      matchSource && matchColumn
        ? {
            source: matchSource,
            column: matchColumn,
            activeOnly: bool(match?.active_only) ?? false,
            pointer: '/match',
          }
        : undefined,
    where: list(root.where)
      .map((c, i) => readCondition(c, file, `/where/${i}`))
      .filter((c): c is ConditionSpec => c !== undefined),
    each: eachPath
      ? {
          path: eachPath,
          skip: oneOf(each?.skip, ['most_recent'] as const),
          orderBy: str(each?.order_by),
          pointer: '/each',
        }
      : undefined,
    group:
      groupBy && groupOrder
        ? {
            by: groupBy,
            pick: oneOf(group?.pick, ['latest', 'earliest'] as const) ?? 'latest',
            orderBy: groupOrder,
            pointer: '/group',
          }
        : undefined,
    customTable: readCustomTable(root.custom_table, file),
    fields: list(root.fields)
      .map((f, i) => readField(f, file, `/fields/${i}`))
      .filter((f): f is FieldSpec => f !== undefined),
    owner: owner ? { staff: str(owner.staff), email: str(owner.email), pointer: '/owner' } : undefined,
    state: stateFrom && stateMap ? { from: stateFrom, map: stateMap, pointer: '/state' } : undefined,
    document: documentFile
      ? { file: documentFile, maxBytes: int(document?.max_bytes), pointer: '/document' }
      : undefined,
    archive: readArchive(root.archive, file),
    proposed: readProposal(root.proposed),
  };
}
