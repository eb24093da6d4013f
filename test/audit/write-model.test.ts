import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import {
  type AuditReport,
  type FieldSummary,
  modelDiff,
  rewriteSourceModel,
  unnameable,
} from '../../runtime/audit/index.ts';
import { FIELD_NAME, RESOURCE_NAME } from '../../runtime/audit/write-model.ts';
import { ROOT } from '../support/tmp.ts';

const MODEL = `# yaml-language-server: $schema=../../schemas/source-model.schema.json
# The resources, by hand.
version: 1
system: practicehub
resources:
  patients:
    description: A person.
    fields:
      id: { type: id, description: Patient id. }
      sex:
        {
          type: enum,
          values: [female, male],
          phi: true,
          description: Sex.,
        }
      custom_properties:
        type: object
        fields:
          allergy_flag: { type: boolean, nullable: true }
      visits:
        type: array
        items:
          type: object
          fields:
            clinic_id: { type: id }
`;

function f(path: string, type: FieldSummary['type'], extra: Partial<FieldSummary> = {}): FieldSummary {
  return {
    name: path.split('.').at(-1)!.replace('[]', ''),
    path,
    type,
    kinds: { string: 10 },
    present: 10,
    filled: 10,
    fill_rate: 1,
    phi: false,
    in_model: false,
    ...extra,
  };
}

function report(): AuditReport {
  const patients = [
    f('id', 'id', { in_model: true, model_type: 'id' }),
    f('sex', 'enum', {
      in_model: true,
      model_type: 'enum',
      model_values: ['female', 'male'],
      phi: true,
      unlisted: 1,
    }),
    f('custom_properties', 'object', {
      in_model: true,
      model_type: 'object',
      kinds: { object: 10 },
      fields: [
        f('custom_properties.allergy_flag', 'boolean', {
          in_model: true,
          model_type: 'boolean',
          present: 0,
          filled: 0,
          fill_rate: 0,
        }),
        f('custom_properties.blood_type', 'enum', { values: ['A', 'B', 'O'], fill_rate: 0.5 }),
      ],
    }),
    f('visits', 'array', {
      in_model: true,
      model_type: 'array',
      kinds: { array: 10 },
      items: f('visits[]', 'object', {
        in_model: true,
        model_type: 'object',
        kinds: { object: 12 },
        fields: [
          f('visits[].clinic_id', 'id', { in_model: true, model_type: 'id' }),
          f('visits[].room', 'string', { max_length: 8 }),
        ],
      }),
    }),
    f('email', 'string', { phi: true, phi_source: 'name', fill_rate: 0.8 }),
  ];
  const resources = [
    {
      resource: 'patients',
      in_model: true,
      served: true,
      total: 40,
      pages_sampled: 1,
      sampled: 10,
      fields: patients,
    },
    {
      resource: 'invoices',
      in_model: false,
      served: true,
      total: 7,
      pages_sampled: 1,
      sampled: 7,
      fields: [f('id', 'id'), f('total', 'decimal', { kinds: { decimal: 7 } })],
    },
  ];
  return {
    version: 1,
    audited_at: '2026-11-20T10:00:00.000Z',
    source: {
      system: 'practicehub',
      account: 'harbourside',
      region: 'eu',
      base_url: 'http://x/api',
      requests_per_second: 1,
      page_size: 100,
      sample_pages: 1,
      projection: 'unknown',
    },
    resources,
    diff: modelDiff(resources.map((r) => ({ ...r, resource: r.resource, inModel: r.in_model }))),
    estimate: { unavailable: 'test' },
    requests: { made: 1, minimum: 1, probes: 0, throttled: 0, retried: 0, seconds: 1 },
  } as AuditReport;
}

describe('rewriting the source model', () => {
  it('names resources and fields as the source model schema does', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'source-model.schema.json'), 'utf8'));
    const names = (node: { propertyNames?: { pattern: string } }) => node.propertyNames?.pattern;
    expect(names(schema.properties.resources)).toBe(RESOURCE_NAME.source);
    expect(names(schema.$defs.fields)).toBe(FIELD_NAME.source);
  });

  it('adds nested fields, element fields, new resources and notes, keeping every line and validating', () => {
    const r = report();
    expect(r.diff.new_fields.map((n) => n.path)).toEqual([
      'custom_properties.blood_type',
      'visits[].room',
      'email',
    ]);
    expect(r.diff.unseen_fields).toEqual([{ resource: 'patients', path: 'custom_properties.allergy_flag' }]);
    expect(r.diff.new_values).toEqual([{ resource: 'patients', path: 'sex', values: null, count: 1 }]);
    const out = rewriteSourceModel(MODEL, r);
    for (const line of MODEL.split('\n')) expect(out.split('\n')).toContain(line);
    const data = parse(out) as {
      audited: string;
      resources: Record<string, { volume?: number; fields: Record<string, Record<string, unknown>> }>;
    };
    expect(data.audited).toBe('2026-11-20 from account harbourside (eu)');
    const patients = data.resources.patients!;
    expect(patients.volume).toBe(40);
    expect((patients.fields.custom_properties!.fields as Record<string, unknown>).blood_type).toMatchObject({
      type: 'enum',
      values: ['A', 'B', 'O'],
      nullable: true,
    });
    expect(
      ((patients.fields.visits!.items as Record<string, unknown>).fields as Record<string, unknown>).room,
    ).toMatchObject({
      type: 'string',
    });
    expect(patients.fields.email).toMatchObject({ type: 'string', nullable: true, phi: true });
    expect(data.resources.invoices).toEqual({
      description: 'Found by flitstack audit on 2026-11-20; not in the API reference.',
      volume: 7,
      fields: {
        id: {
          type: 'id',
          description: 'Found by flitstack audit on 2026-11-20: filled in 100 % of sampled records.',
        },
        total: {
          type: 'decimal',
          description: 'Found by flitstack audit on 2026-11-20: filled in 100 % of sampled records.',
        },
      },
    });
    expect(out).toContain(
      '          # not seen in audit on 2026-11-20: absent from all 10 sampled records\n          allergy_flag:',
    );
    expect(out).toContain('      # audit 2026-11-20: 1 value not listed (PHI: values not shown)\n      sex:');
    expect(createSchemaValidators()['source-model'](parse(out))).toBe(true);
    expect(rewriteSourceModel(out, r)).toBe(out);
  });

  it('leaves out fields named outside the model language, and an object with no other child, and names them', () => {
    const r = report();
    const patients = r.resources[0]!;
    const odd = [
      f('gpSurgery', 'string'),
      f('onlybad', 'object', { kinds: { object: 10 }, fields: [f('onlybad.BadOnly', 'string')] }),
      f('mixed', 'object', {
        kinds: { object: 10 },
        fields: [f('mixed.Bad Key', 'string'), f('mixed.good', 'string')],
      }),
    ];
    const resources = [{ ...patients, fields: [...patients.fields, ...odd] }, ...r.resources.slice(1)];
    const withOdd = {
      ...r,
      resources,
      diff: modelDiff(resources.map((x) => ({ ...x, inModel: x.in_model }))),
    } as AuditReport;
    const out = rewriteSourceModel(MODEL, withOdd);
    const fields = (parse(out) as { resources: { patients: { fields: Record<string, unknown> } } }).resources
      .patients.fields;
    expect(Object.keys(fields)).not.toContain('gpSurgery');
    expect(Object.keys(fields)).not.toContain('onlybad');
    expect(Object.keys((fields.mixed as { fields: Record<string, unknown> }).fields)).toEqual(['good']);
    expect(createSchemaValidators()['source-model'](parse(out))).toBe(true);
    expect(unnameable(withOdd)).toEqual([
      { resource: 'patients', path: 'gpSurgery' },
      { resource: 'patients', path: 'onlybad.BadOnly' },
      { resource: 'patients', path: 'mixed.Bad Key' },
    ]);
  });
});
