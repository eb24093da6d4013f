import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhRecord, PracticeHubSandbox, ResourceName } from '../../../sandbox/practicehub/index.ts';
import { start } from './helpers.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Control characters other than line feed and carriage return, and the Unicode line/paragraph separators. */
const hasControl = (s: string): boolean =>
  [...s].some((ch) => {
    const c = ch.codePointAt(0)!;
    return (c < 0x20 && c !== 0x0a && c !== 0x0d) || c === 0x2028 || c === 0x2029;
  });
const EMOJI = /\p{Extended_Pictographic}/u;

// reference practicehub.md, sandbox model "Data": the mess real clinics have, each present at scale 1.
describe('PracticeHub sandbox: the mess (scale 1)', () => {
  let sandbox: PracticeHubSandbox;
  const all = new Map<ResourceName, PhRecord[]>();
  const of = (r: ResourceName): PhRecord[] => {
    if (!all.has(r)) all.set(r, [...sandbox.records(r)]);
    return all.get(r)!;
  };
  beforeAll(async () => {
    sandbox = await start();
  });
  afterAll(() => sandbox.close());

  it("has the brief's volumes at scale 1", () => {
    expect(sandbox.counts()).toEqual({
      clinics: 4,
      practitioners: 25,
      custom_properties: 6,
      appointment_types: 8,
      payment_methods: 7,
      referral_sources: 60,
      patients: 2000,
      appointments: 10000,
      clinical_notes: 4000,
      prescriptions: 1000,
      insurance_policies: 1500,
      payments: 8000,
      policy_documents: 30,
      training_records: 120,
      files: 100,
    });
    const clinics = of('clinics');
    expect(clinics.filter((c) => c.parent_clinic_id === null)).toHaveLength(1);
    expect(clinics.filter((c) => c.parent_clinic_id === clinics[0]!.id)).toHaveLength(3);
  });

  it('patients: duplicate, invalid and over-long emails; missing names; emoji and control characters', () => {
    const patients = of('patients');
    const emails = patients.map((p) => p.email).filter((e): e is string => typeof e === 'string');
    const seen = new Map<string, number>();
    for (const e of emails) seen.set(e, (seen.get(e) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1).length).toBeGreaterThanOrEqual(30);
    const invalid = emails.filter((e) => !EMAIL.test(e) || e.includes('..') || e.includes('@@'));
    expect(invalid.length).toBeGreaterThanOrEqual(30);
    expect(invalid).toEqual(expect.arrayContaining(['a@b']));
    expect(emails.some((e) => e.length > 100)).toBe(true);
    expect(patients.filter((p) => p.first_name === null).length).toBeGreaterThanOrEqual(10);
    expect(patients.filter((p) => p.last_name === null || p.last_name === '').length).toBeGreaterThanOrEqual(
      20,
    );
    expect(patients.some((p) => EMOJI.test(String(p.first_name)))).toBe(true);
    expect(patients.some((p) => hasControl(String(p.first_name)))).toBe(true);
    expect(patients.some((p) => String(p.first_name).length > 50)).toBe(true);
  });

  it('patients: 2–3 clinics with distinct assignment times; dates of birth before 1900 and 1753', () => {
    const patients = of('patients');
    const assignments = patients.map(
      (p) => p.clinic_assignments as { clinic_id: string; updated_at: string }[],
    );
    expect(assignments.filter((a) => a.length === 2).length).toBeGreaterThan(100);
    expect(assignments.filter((a) => a.length === 3).length).toBeGreaterThanOrEqual(40);
    for (const a of assignments.filter((x) => x.length > 1)) {
      expect(new Set(a.map((x) => x.updated_at)).size).toBe(a.length);
      expect(new Set(a.map((x) => x.clinic_id)).size).toBe(a.length);
    }
    const years = patients.map((p) => (p.date_of_birth ? Number(String(p.date_of_birth).slice(0, 4)) : null));
    expect(years.filter((y) => y !== null && y < 1900).length).toBeGreaterThanOrEqual(8);
    expect(years.filter((y) => y !== null && y < 1753)).toHaveLength(2);
  });

  it('patients: phone numbers in many formats, with extensions and junk', () => {
    const phones = of('patients')
      .flatMap((p) => [p.phone_mobile, p.phone_home])
      .filter((x): x is string => typeof x === 'string');
    const shapes = [
      /^\+44 20 7946 0\d{3}$/,
      /^\(555\) 01\d-\d{4}$/,
      /^0412 345 \d{3}$/,
      /^07700900\d{3}$/,
      /ext\. \d+$/,
      /x\d{2}$/,
      /^(N\/A|none|0|call reception)$/,
    ];
    for (const shape of shapes)
      expect(
        phones.some((p) => shape.test(p)),
        String(shape),
      ).toBe(true);
  });

  it('patients: every custom property type, each with nulls and values', () => {
    const definitions = of('custom_properties');
    expect(definitions.map((d) => d.type).sort()).toEqual([
      'boolean',
      'date',
      'multi_choice',
      'number',
      'single_choice',
      'text',
    ]);
    const values = of('patients').map((p) => p.custom_properties as Record<string, unknown>);
    for (const d of definitions) {
      const key = String(d.key);
      expect(
        values.some((v) => v[key] === null),
        key,
      ).toBe(true);
      expect(
        values.some((v) => v[key] !== null && v[key] !== undefined),
        key,
      ).toBe(true);
    }
  });

  it('staff: inactive, without email, sharing an email', () => {
    const staff = of('practitioners');
    expect(staff.filter((s) => s.active === false)).toHaveLength(3);
    expect(staff.filter((s) => s.email === null)).toHaveLength(2);
    const emails = staff.map((s) => s.email).filter(Boolean);
    expect(emails.length - new Set(emails).size).toBe(1);
    expect(staff.some((s) => s.role === 'practitioner' && s.active === false)).toBe(true);
    const byInactive = new Set(staff.filter((s) => s.active === false).map((s) => s.id));
    expect(of('appointments').some((a) => byInactive.has(String(a.practitioner_id)))).toBe(true);
  });

  it('clinical notes: over 100,000 characters (up to ~250,000), between 32,768 and 100,000, odd characters', () => {
    const lengths = of('clinical_notes').map((n) => String(n.body).length);
    const huge = lengths.filter((l) => l > 100_000);
    expect(huge).toHaveLength(3);
    expect(Math.max(...huge)).toBe(250_000);
    expect(lengths.filter((l) => l > 32_768 && l <= 100_000)).toHaveLength(5);
    const bodies = of('clinical_notes').map((n) => String(n.body));
    expect(bodies.some((b) => EMOJI.test(b))).toBe(true);
    expect(bodies.some((b) => b.includes('\u0000'))).toBe(true);
    expect(bodies.some((b) => b.includes('\u2028'))).toBe(true);
  });

  it('referral sources of every type, physicians and external clinics with organisations', () => {
    const sources = of('referral_sources');
    expect(new Set(sources.map((s) => s.type)).size).toBe(5);
    for (const s of sources.filter((x) => x.type === 'physician' || x.type === 'external_clinic')) {
      expect(typeof s.organisation_name).toBe('string');
    }
  });

  it('insurance with unknown carriers; payments with methods outside the enum', () => {
    const carriers = new Set(of('insurance_policies').map((p) => String(p.carrier)));
    expect([...carriers].filter((c) => ['Unknown', 'N/A', 'self pay??'].includes(c)).length).toBeGreaterThan(
      0,
    );
    const documented = ['card', 'cash', 'bank_transfer', 'insurance', 'voucher'];
    const odd = new Set(
      of('payments')
        .map((p) => String(p.method))
        .filter((m) => !documented.includes(m)),
    );
    expect([...odd]).toEqual(expect.arrayContaining(['cheque', 'crypto', 'giftcard']));
  });

  it('strings longer than Dataverse limits: a clinic name over 160 characters', () => {
    expect(of('clinics').some((c) => String(c.name).length > 160)).toBe(true);
  });
});
