import { describe, expect, it } from 'vitest';
import type { SourceField } from '../../compiler/model/spec.ts';
import { type FieldSummary, fieldDefinition, modelDiff } from '../../runtime/audit/index.ts';
import { childSummaries } from '../../runtime/audit/infer.ts';
import { addRecords, newResourceProfile } from '../../runtime/audit/profile.ts';

function field(type: SourceField['type'], extra: Partial<SourceField> = {}): SourceField {
  return {
    type,
    description: undefined,
    nullable: true,
    phi: false,
    references: undefined,
    values: undefined,
    open: false,
    maxLength: undefined,
    items: undefined,
    fields: undefined,
    ...extra,
  };
}

// A model with a PHI object whose own field carries no flag, as analysts write it: the flag on the
// object says what it holds.
const MODEL = new Map<string, SourceField>([
  ['id', field('id', { nullable: false })],
  [
    'emergency_contact',
    field('object', {
      phi: true,
      fields: new Map([['relationship', field('enum', { values: ['parent', 'spouse'] })]]),
    }),
  ],
]);

const RELATIONSHIPS = ['parent', 'spouse', 'Aunt Maud', 'Uncle Bob'];
const ALLERGIES = [['peanut'], ['latex', 'peanut'], ['penicillin']];

function summaries(): FieldSummary[] {
  const profile = newResourceProfile();
  addRecords(
    profile,
    Array.from({ length: 40 }, (_, i) => ({
      id: String(i + 1),
      emergency_contact: { relationship: RELATIONSHIPS[i % RELATIONSHIPS.length]! },
      allergies: ALLERGIES[i % ALLERGIES.length]!,
    })),
  );
  return childSummaries(profile.fields, MODEL, profile.records, '');
}

const find = (list: readonly FieldSummary[], path: string): FieldSummary | undefined => {
  for (const f of list) {
    if (f.path === path) return f;
    const found = find([...(f.fields ?? []), ...(f.items ? [f.items] : [])], path);
    if (found) return found;
  }
  return undefined;
};

const at = (list: readonly FieldSummary[], path: string): FieldSummary => {
  const found = find(list, path);
  if (!found) throw new Error(`${path} not summarised`);
  return found;
};

describe('audit field summaries of PHI fields', () => {
  it('treats the fields and elements inside a PHI field as PHI, and shows none of their values', () => {
    const fields = summaries();
    const relationship = at(fields, 'emergency_contact.relationship');
    expect(relationship).toMatchObject({ phi: true, phi_source: 'model', unlisted: 2 });
    expect(relationship.values).toBeUndefined();
    expect(relationship.unlisted_values).toBeUndefined();
    const allergies = at(fields, 'allergies');
    expect(allergies).toMatchObject({ phi: true, phi_source: 'name', phi_reason: 'clinical information' });
    const elements = at(fields, 'allergies[]');
    expect(elements).toMatchObject({
      type: 'enum',
      phi: true,
      phi_source: 'name',
      phi_reason: 'clinical information',
    });
    expect(elements.values).toBeUndefined();
    const text = JSON.stringify(fields);
    for (const value of ['Aunt Maud', 'Uncle Bob', 'peanut', 'latex', 'penicillin'])
      expect(text, value).not.toContain(value);
  });

  it('lists no value of a PHI field in the model diff or in the model field it drafts', () => {
    const fields = summaries();
    const diff = modelDiff([
      { resource: 'patients', inModel: true, served: true, total: 40, sampled: 40, fields },
    ]);
    expect(diff.new_values).toEqual([
      { resource: 'patients', path: 'emergency_contact.relationship', values: null, count: 2 },
    ]);
    const drafted = fieldDefinition(at(fields, 'allergies'), '2026-11-20');
    expect(drafted).toMatchObject({ type: 'array', phi: true, items: { type: 'string', phi: true } });
    expect(JSON.stringify(drafted)).not.toContain('peanut');
  });
});
