import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type PracticeHubSandbox, RESOURCE_NAMES } from '../../../sandbox/practicehub/index.ts';
import { list, start } from './helpers.ts';

/** A field of spec/source/practicehub.yaml (the source model mappings are validated against). */
interface FieldSpec {
  type: string;
  nullable?: boolean;
  references?: string;
  values?: string[];
  open?: boolean;
  items?: FieldSpec;
  fields?: Record<string, FieldSpec>;
}

const model = parse(
  readFileSync(new URL('../../../spec/source/practicehub.yaml', import.meta.url), 'utf8'),
) as {
  resources: Record<string, { fields: Record<string, FieldSpec> }>;
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const validDate = (s: string): boolean =>
  DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/** Checks one value against its field spec; returns problems, and collects references to check later. */
function check(spec: FieldSpec, value: unknown, path: string, refs: [string, string, string][]): string[] {
  if (value === null || value === undefined) return spec.nullable ? [] : [`${path}: null but not nullable`];
  const fail = (what: string): string[] => [`${path}: ${what}, got ${JSON.stringify(value)?.slice(0, 80)}`];
  switch (spec.type) {
    case 'id':
      if (typeof value !== 'string' || !/^\d+$/.test(value)) return fail('not an id (text of digits)');
      if (spec.references) refs.push([spec.references, value, path]);
      return [];
    case 'string':
    case 'text':
      if (typeof value !== 'string') return fail('not a string');
      return LONE_SURROGATE.test(value) ? fail('lone surrogate') : [];
    case 'integer':
      return Number.isInteger(value) ? [] : fail('not an integer');
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value) ? [] : fail('not a decimal');
    case 'boolean':
      return typeof value === 'boolean' ? [] : fail('not a boolean');
    case 'date':
      return typeof value === 'string' && validDate(value) ? [] : fail('not a YYYY-MM-DD date');
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value) && validDate(value.slice(0, 10))
        ? []
        : fail('not an ISO 8601 UTC datetime');
    case 'enum':
      if (typeof value !== 'string') return fail('not an enum string');
      return spec.open || spec.values!.includes(value) ? [] : fail(`not one of ${spec.values!.join(', ')}`);
    case 'array':
      if (!Array.isArray(value)) return fail('not an array');
      return value.flatMap((item, i) => check(spec.items!, item, `${path}[${i}]`, refs));
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) return fail('not an object');
      return checkObject(spec.fields!, value as Record<string, unknown>, path, refs);
    default:
      return [`${path}: unknown spec type ${spec.type}`];
  }
}

function checkObject(
  fields: Record<string, FieldSpec>,
  value: Record<string, unknown>,
  path: string,
  refs: [string, string, string][],
): string[] {
  const extra = Object.keys(value)
    .filter((k) => !Object.hasOwn(fields, k))
    .map((k) => `${path}.${k}: not in the source model`);
  return [
    ...extra,
    ...Object.entries(fields).flatMap(([name, spec]) => check(spec, value[name], `${path}.${name}`, refs)),
  ];
}

// The brief: serve exactly the resources and fields of spec/source/practicehub.yaml, with its types,
// enums and nullability; references point at existing records.
describe('PracticeHub sandbox: conformance to spec/source/practicehub.yaml', () => {
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(() => sandbox.close());

  it('serves exactly the resources of the source model', () => {
    expect([...RESOURCE_NAMES].sort()).toEqual(Object.keys(model.resources).sort());
  });

  it('every record of every resource conforms, and every reference points at an existing record', () => {
    const ids = new Map(RESOURCE_NAMES.map((r) => [r as string, new Set<string>()]));
    const refs: [string, string, string][] = [];
    const problems: string[] = [];
    for (const resource of RESOURCE_NAMES) {
      for (const record of sandbox.records(resource)) {
        ids.get(resource)!.add(record.id);
        problems.push(
          ...checkObject(model.resources[resource]!.fields, record, `${resource}/${record.id}`, refs),
        );
        if (problems.length > 20) break;
      }
    }
    expect(problems.slice(0, 20)).toEqual([]);
    const dangling = refs
      .filter(([resource, id]) => !ids.get(resource)?.has(id))
      .map(([r, id, path]) => `${path} → ${r}/${id}`);
    expect(dangling.slice(0, 20)).toEqual([]);
    expect(refs.length).toBeGreaterThan(50_000);
    // File owners are typed by owner_type rather than `references`: check them too.
    for (const file of sandbox.records('files')) {
      const owner = file.owner_type === 'patient' ? 'patients' : 'policy_documents';
      expect(ids.get(owner)!.has(String(file.owner_id)), `files/${file.id}`).toBe(true);
    }
  });

  it('the checker itself rejects wrong types, enums, nulls, extra fields and lone surrogates', () => {
    const [good] = sandbox.records('payments');
    const fields = model.resources.payments!.fields;
    expect(checkObject(fields, good!, 'ok', [])).toEqual([]);
    const broken = {
      ...good!,
      amount: '12.50',
      currency: 'XBT',
      status: null,
      extra: 1,
      reference: 'a\uD800b',
    };
    expect(checkObject(fields, broken, 'bad', []).map((p) => p.split(':')[0])).toEqual([
      'bad.extra',
      'bad.amount',
      'bad.currency',
      'bad.status',
      'bad.reference',
    ]);
  });

  it('records served over HTTP conform too (a page of each resource)', async () => {
    const refs: [string, string, string][] = [];
    for (const resource of RESOURCE_NAMES) {
      const body = await list(sandbox, `/${resource}?page=2&page_size=50`);
      const problems = body.data.flatMap((r) =>
        checkObject(model.resources[resource]!.fields, r, `${resource}/${String(r.id)}`, refs),
      );
      expect(problems, resource).toEqual([]);
    }
  });

  it('dates every base record before the reference date (appointments may start after it)', () => {
    const limit = Date.parse('2026-06-30T00:00:00Z');
    let future = 0;
    for (const resource of RESOURCE_NAMES) {
      for (const r of sandbox.records(resource)) {
        expect(
          Date.parse(String(r.created_at)) < limit && Date.parse(String(r.updated_at)) < limit,
          `${resource}/${r.id}`,
        ).toBe(true);
        expect(
          Date.parse(String(r.created_at)) <= Date.parse(String(r.updated_at)),
          `${resource}/${r.id}`,
        ).toBe(true);
        if (resource === 'appointments' && Date.parse(String(r.starts_at)) >= limit) future += 1;
      }
    }
    expect(future).toBeGreaterThan(20);
  });
});
