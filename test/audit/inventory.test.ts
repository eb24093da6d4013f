import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceModel } from '../../compiler/model/spec.ts';
import { buildReport, type FieldSummary, type Inventory, takeInventory } from '../../runtime/audit/index.ts';
import { spreadPages } from '../../runtime/audit/inventory.ts';
import { type Sandboxes, startSandboxes } from '../../sandbox/index.ts';
import { clientOptions, loadSpec, specCopy } from './helpers.ts';

const field = (inv: Inventory, resource: string, path: string): FieldSummary => {
  const walk = (list: readonly FieldSummary[]): FieldSummary | undefined => {
    for (const f of list) {
      if (f.path === path) return f;
      const inner = walk([...(f.fields ?? []), ...(f.items ? [f.items, ...(f.items.fields ?? [])] : [])]);
      if (inner) return inner;
    }
    return undefined;
  };
  const found = walk(inv.resources.find((r) => r.resource === resource)?.fields ?? []);
  if (!found) throw new Error(`${resource}.${path} not in the inventory`);
  return found;
};

describe('audit inventory against the PracticeHub sandbox', () => {
  let sb: Sandboxes;
  let model: SourceModel;
  let inv: Inventory;

  beforeAll(async () => {
    sb = await startSandboxes({ rate: 10_000, scale: 0.2 });
    model = loadSpec(specCopy()).context.source!;
    inv = await takeInventory({ client: clientOptions(sb, 5_000), model, samplePages: 2 });
  });
  afterAll(async () => sb.close());

  it('counts every resource of the model as the sandbox holds it', () => {
    const counts = sb.practicehub.counts();
    const seen = Object.fromEntries(
      inv.resources.filter((r) => r.in_model).map((r) => [r.resource, r.total]),
    );
    expect(seen).toEqual(counts);
  });

  it('samples at most two pages per resource and costs one request per page, one probe and 404s', () => {
    const patients = inv.resources.find((r) => r.resource === 'patients')!;
    expect(patients.pages_sampled).toBe(2);
    expect(patients.sampled).toBe(200);
    expect(inv.resources.find((r) => r.resource === 'clinics')!.pages_sampled).toBe(1);
    expect(inv.requests.made).toBe(inv.requests.minimum);
    // 15 model resources (9 with two pages at scale 0.2), 5 documented names the account does not serve, 1 probe.
    const pages = inv.resources.reduce((n, r) => n + Math.max(1, r.pages_sampled), 0);
    expect(inv.requests.made).toBe(pages + 5 + 1);
    expect(inv.projection).toBe('unsupported');
  });

  it('samples the first page and the last, so that the newest records are in the sample too', () => {
    const all = [...sb.practicehub.records('patients')];
    expect(all).toHaveLength(400);
    const sampled = inv.samples.get('patients')!.map((r) => r.id);
    expect(sampled).toEqual([...all.slice(0, 100), ...all.slice(300)].map((r) => r.id));
  });

  it('spreads the pages it samples evenly from the first to the last', () => {
    expect(spreadPages(2, 4)).toEqual([1, 4]);
    expect(spreadPages(3, 10)).toEqual([1, 6, 10]);
    expect(spreadPages(4, 5)).toEqual([1, 2, 4, 5]);
    expect(spreadPages(5, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(spreadPages(4, 3)).toEqual([1, 2, 3]);
    expect(spreadPages(1, 9)).toEqual([1]);
    expect(spreadPages(2, 1)).toEqual([1]);
  });

  it('infers types and fill rates that match the served records', () => {
    const all = [...sb.practicehub.records('patients')];
    const sample = [...all.slice(0, 100), ...all.slice(300)];
    const filled = (name: string) => sample.filter((r) => r[name] !== null && r[name] !== '').length / 200;
    expect(field(inv, 'patients', 'date_of_birth')).toMatchObject({
      type: 'date',
      phi: true,
      phi_source: 'model',
    });
    expect(field(inv, 'patients', 'email').fill_rate).toBeCloseTo(filled('email'), 4);
    expect(field(inv, 'patients', 'last_name').fill_rate).toBeCloseTo(filled('last_name'), 4);
    expect(field(inv, 'patients', 'created_at').type).toBe('datetime');
    expect(field(inv, 'patients', 'clinic_assignments').type).toBe('array');
    expect(field(inv, 'patients', 'clinic_assignments[].clinic_id').type).toBe('id');
    expect(field(inv, 'patients', 'custom_properties.allergy_flag').type).toBe('boolean');
    expect(field(inv, 'payments', 'amount').type).toBe('decimal');
    expect(field(inv, 'practitioners', 'active').type).toBe('boolean');
    const status = field(inv, 'appointments', 'status');
    expect(status.type).toBe('enum');
    expect(status.values).toEqual(
      [
        ...new Set(
          [...sb.practicehub.records('appointments')]
            .filter((_, i, all) => i < 100 || i >= all.length - (all.length % 100 || 100))
            .map((r) => r.status as string),
        ),
      ].sort(),
    );
    // PHI fields never carry values, even when they are enumerations.
    expect(field(inv, 'patients', 'sex').values).toBeUndefined();
    expect(field(inv, 'clinical_notes', 'body').type).toBe('text');
  });

  it('scales the sampled file sizes to the total', () => {
    const files = inv.resources.find((r) => r.resource === 'files')!;
    const all = [...sb.practicehub.records('files')];
    const sizes = all.map((f) => f.size as number);
    expect(files.binary?.sampled_files).toBe(all.length);
    expect(files.binary?.estimated_bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(Object.keys(files.binary?.by_owner ?? {}).sort()).toEqual(['patient', 'policy_document']);
  });

  it('finds a new field, a field the source lacks, a changed type and unlisted values', async () => {
    const [first] = sb.practicehub.records('patients');
    const [appointment] = sb.practicehub.records('appointments');
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [first!.id],
      patch: { occupation: 42 },
    });
    sb.practicehub.mutate({
      resource: 'appointments',
      action: 'update',
      ids: [appointment!.id],
      patch: { status: 'rescheduled' },
    });
    // The sandbox refuses to patch fields a resource does not have, so the new and the missing field
    // come from a copy of the model: patients.email removed, patients.nhs_number added.
    const dir = specCopy();
    const data = loadSpec(dir).context.source!;
    const resources = new Map(data.resources);
    const patients = resources.get('patients')!;
    const fields = new Map(patients.fields);
    fields.delete('email');
    fields.set('nhs_number', { ...fields.get('occupation')!, description: 'NHS number.' });
    resources.set('patients', { ...patients, fields });
    const edited: SourceModel = { ...data, resources };
    const again = await takeInventory({ client: clientOptions(sb, 5_000), model: edited, samplePages: 1 });
    const report = buildReport(again, {
      auditedAt: new Date('2026-11-20T10:00:00Z'),
      account: 'demo',
      region: 'eu',
      baseUrl: sb.practicehub.baseUrl,
      requestsPerSecond: 5_000,
      pageSize: 100,
      samplePages: 1,
      model: edited,
      ir: undefined,
    });
    expect(report.diff.new_fields).toContainEqual(
      expect.objectContaining({ resource: 'patients', path: 'email', type: 'string', phi: true }),
    );
    expect(report.diff.unseen_fields).toEqual([{ resource: 'patients', path: 'nhs_number' }]);
    expect(report.diff.type_changes).toEqual([
      expect.objectContaining({ resource: 'patients', path: 'occupation', model: 'string', seen: 'mixed' }),
    ]);
    expect(report.diff.new_values).toEqual([
      { resource: 'appointments', path: 'status', values: ['rescheduled'], count: 1 },
    ]);
    expect(report.diff.new_resources).toEqual([]);
    expect(report.estimate).toEqual({ unavailable: 'the spec has errors: run flitstack validate' });
  });
});
