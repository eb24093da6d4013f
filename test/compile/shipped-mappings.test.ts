import { beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { Interpreter } from '../../compiler/interpret/interpret.ts';
import type { Ir } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';

const generated: GeneratedModule = generatedModule;

import type { Outcome } from '../../runtime/mapping/index.ts';
import { ROOT } from '../support/tmp.ts';

let interpreter: Interpreter;
let ir: Ir;
beforeAll(() => {
  const result = compileSpec(readSpecDir('spec', ROOT), createSchemaValidators(), { typecheck: false });
  ir = result.ir!;
  interpreter = new Interpreter(ir);
});

type Payload = Record<string, unknown>;

/** Runs a mapping of the committed generated/transformer.ts, and checks the interpreter agrees. */
function run(mapping: string, record: Record<string, unknown>): Outcome<Payload> {
  const out = generated.MAPPINGS[mapping]!.transform(record) as Outcome<Payload>;
  expect(interpreter.run(mapping, record)).toEqual(out);
  return out;
}

function rows(out: Outcome<Payload>) {
  if (out.kind !== 'rows') throw new Error(`expected rows, got ${JSON.stringify(out)}`);
  return out.rows;
}

const option = (map: string, source: string) =>
  ir.valueMaps.find((v) => v.name === map)!.entries.find((e) => e.source === source)!.target;

const clinics = [
  { clinic_id: '11', updated_at: '2019-05-01T09:00:00Z' },
  { clinic_id: '12', updated_at: '2024-02-01T09:00:00Z' },
  { clinic_id: '13', updated_at: '2021-07-01T09:00:00Z' },
];
const patient = {
  id: '1001',
  title: 'Dr',
  // Control characters are removed before the spaces around them are trimmed.
  first_name: '\u0000  Ada\u0007  ',
  last_name: null,
  preferred_name: 'Addy 🦷',
  date_of_birth: '1700-03-04',
  sex: 'female',
  email: 'ada@@example',
  phone_mobile: '07700 900123',
  phone_home: '(020) 7946 0958',
  postcode: 'sw1a 1aa',
  notes: 'x'.repeat(2500),
  clinic_assignments: clinics,
  referral_source_id: '501',
  referral_type: 'external_clinic',
  referral_date: '2023-08-09',
  custom_properties: {
    allergy_flag: 'Yes',
    care_plan_status: 'paused',
    preferred_contact_method: ['sms', 'email', 'sms'],
    last_xray_date: '2022-11-30T23:30:00Z',
    pain_score: 6.25,
    medical_alerts: 'Latex\u0000 allergy',
  },
  created_at: '2018-01-02T03:04:05Z',
  updated_at: '2024-02-01T09:00:00Z',
};

describe('the generated transformer on sample records of every mapping (and the interpreter agrees)', () => {
  it('clinic: an account whose parent is bound in the second pass; an over-long name is cut and flagged', () => {
    const out = run('clinic', {
      id: '12',
      name: `Harbourside ${'Physio '.repeat(30)}`,
      parent_clinic_id: '10',
      phone: '+44 20 7946 0000',
      created_at: '2015-01-01T00:00:00Z',
    });
    const [row] = rows(out);
    expect(row!.key).toBe('clinic-12');
    expect((row!.payload.name as string).length).toBe(160);
    expect(row!.payload.telephone1).toBe('+442079460000');
    const kinds = ir.plan.tables
      .find((t) => t.name === 'account')!
      .columns.find((c) => c.name === 'fs_accountkind')!.options;
    expect(row!.payload.fs_accountkind).toBe(kinds.find((o) => o.key === 'clinic')!.value);
    expect(row!.lookups).toEqual([{ column: 'parentaccountid', values: ['10'] }]);
    expect(out.kind === 'rows' && out.flags.map((f) => f.code)).toEqual(['truncated']);
    expect(generated.MAPPINGS.clinic!.lookups[0]).toMatchObject({
      column: 'parentaccountid',
      deferred: true,
    });
  });

  it('patient at three clinics: the most recent is the parent account; the other two become connections', () => {
    const [row] = rows(run('patient', patient));
    expect(row!.lookups).toEqual([
      { column: 'parentcustomerid', values: ['12'] },
      { column: 'fs_referringaccountid', values: ['501'] },
    ]);
    const links = rows(run('patient-clinic', patient));
    expect(links.map((l) => l.key)).toEqual(['patient-clinic-1001-11', 'patient-clinic-1001-13']);
    expect(links.map((l) => l.lookups)).toEqual([
      [
        { column: 'record1id', values: ['1001'] },
        { column: 'record2id', values: ['11'] },
      ],
      [
        { column: 'record1id', values: ['1001'] },
        { column: 'record2id', values: ['13'] },
      ],
    ]);
    expect(links[0]!.payload.effectivestart).toBe('2019-05-01T09:00:00Z');
    expect(run('patient-clinic', { ...patient, clinic_assignments: [clinics[0]] }).kind).toBe('skipped');
  });

  it('patient: names cleaned, placeholders, invalid email dropped, pre-1753 birth date dropped, phones in E.164', () => {
    const out = run('patient', patient);
    const [row] = rows(out);
    expect(row!.payload).toMatchObject({
      salutation: 'Dr',
      firstname: 'Ada',
      lastname: '(unknown)',
      nickname: 'Addy 🦷',
      birthdate: null,
      gendercode: 2,
      emailaddress1: null,
      mobilephone: '+447700900123',
      telephone2: '+442079460958',
      address1_postalcode: 'SW1A 1AA',
      overriddencreatedon: '2018-01-02T03:04:05Z',
      fs_referraldate: '2023-08-09',
      fs_referralsource: option('referral-type@contact.fs_referralsource', 'external_clinic'),
    });
    expect((row!.payload.description as string).length).toBe(2000);
    const codes = out.kind === 'rows' ? out.flags.map((f) => `${f.column}:${f.code}`) : [];
    expect(codes).toEqual(
      expect.arrayContaining([
        'birthdate:date_out_of_range_dropped',
        'emailaddress1:invalid_email_dropped',
        'description:truncated',
      ]),
    );
  });

  it('a list or an object where the source model says text is dropped with a flag, never silently', () => {
    const odd = {
      ...patient,
      first_name: ['Ann'],
      notes: ['Allergic to penicillin'],
      occupation: { text: 'Nurse' },
      custom_properties: { medical_alerts: ['Latex allergy'] },
    };
    const out = run('patient', odd);
    const [row] = rows(out);
    expect(row!.payload).toMatchObject({
      firstname: null,
      description: null,
      jobtitle: null,
      fs_medicalalerts: null,
    });
    const dropped = out.kind === 'rows' ? out.flags.filter((f) => f.code === 'unreadable_value_dropped') : [];
    expect(dropped.map((f) => [f.column, f.detail]).sort()).toEqual([
      ['description', 'a list where text was expected; value dropped'],
      ['firstname', 'a list where text was expected; value dropped'],
      ['fs_medicalalerts', 'a list where text was expected; value dropped'],
      ['jobtitle', 'an object where text was expected; value dropped'],
    ]);
  });

  it('custom patient properties: one of each type', () => {
    const [row] = rows(run('patient', patient));
    const contactMethod = (v: string) => option('contact-method@contact.fs_preferredcontactmethods', v);
    expect(row!.payload).toMatchObject({
      fs_allergyflag: true,
      fs_careplanstatus: option('care-plan-status@contact.fs_careplanstatus', 'paused'),
      // Choices in ascending order, as Dataverse returns a multi-select column.
      fs_preferredcontactmethods: [contactMethod('sms'), contactMethod('email')]
        .sort((a, b) => Number(a) - Number(b))
        .join(','),
      fs_lastxraydate: '2022-11-30',
      fs_painscore: 6.3,
      fs_medicalalerts: 'Latex allergy',
    });
  });

  it("a pain score outside the column's declared 0 to 10 is dropped with a flag, not sent for Dataverse to refuse", () => {
    const out = run('patient', {
      ...patient,
      custom_properties: { ...patient.custom_properties, pain_score: 42.5 },
    });
    const [row] = rows(out);
    expect(row!.payload.fs_painscore).toBeNull();
    const flag = out.kind === 'rows' ? out.flags.find((f) => f.column === 'fs_painscore') : undefined;
    expect(flag).toEqual({
      column: 'fs_painscore',
      code: 'number_out_of_range_dropped',
      detail: "number outside the column's range 0 to 10; value dropped",
    });
  });

  it('appointment: regarding the patient, owned by the practitioner, state set after creation', () => {
    const out = run('appointment', {
      id: '7001',
      patient_id: '1001',
      practitioner_id: '301',
      appointment_type_name: null,
      starts_at: '2024-03-31T00:30:00Z',
      ends_at: '2024-03-31T01:15:00Z',
      status: 'no_show',
      payment_status: 'failed',
      created_at: '2024-03-01T10:00:00Z',
    });
    const [row] = rows(out);
    expect(row!.key).toBe('appointment-7001');
    expect(row!.payload).toMatchObject({
      subject: 'Appointment',
      scheduledstart: '2024-03-31T00:30:00Z',
      fs_paymentstatus: option('payment-status@appointment.fs_paymentstatus', 'failed'),
    });
    expect(row!.owner).toEqual({ kind: 'staff', value: '301' });
    expect(row!.state).toEqual({ state: 2, status: 4 });
    expect(row!.lookups).toEqual([{ column: 'regardingobjectid', values: ['1001'] }]);
  });

  it('clinical note over the note limit: split into numbered notes, flagged; bound to the appointment, else the patient', () => {
    const body = `${'a'.repeat(99_990)} ${'b'.repeat(60_000)}`;
    const out = run('clinical-note', {
      id: '88',
      patient_id: '1001',
      appointment_id: null,
      author_id: '301',
      title: 'Follow-up',
      body,
      created_at: '2024-03-31T09:00:00Z',
    });
    const parts = rows(out);
    expect(parts.map((p) => p.key)).toEqual(['clinical-note-88', 'clinical-note-88-part-2']);
    expect(parts.map((p) => p.payload.subject)).toEqual([
      'Follow-up (part 1 of 2)',
      'Follow-up (part 2 of 2)',
    ]);
    expect(parts.map((p) => p.payload.notetext as string).join('')).toBe(body);
    expect(parts.every((p) => (p.payload.notetext as string).length <= 100_000)).toBe(true);
    expect(parts[0]!.lookups).toEqual([{ column: 'objectid', values: [null, '1001'] }]);
    expect(out.kind === 'rows' && out.flags.map((f) => f.code)).toEqual(['split']);
  });

  it('prescription: a note on the patient with the medication as title', () => {
    const [row] = rows(
      run('prescription', {
        id: '5',
        patient_id: '1001',
        prescriber_id: '301',
        medication_name: 'Ibuprofen',
        dosage: '400 mg',
        frequency: 'twice daily',
        quantity: 20,
        prescribed_on: '2024-01-05',
        external_pharmacy_ref: 'chewy:RX-1',
        created_at: '2024-01-05T08:00:00Z',
      }),
    );
    expect(row!.key).toBe('prescription-5');
    expect(row!.payload.subject).toBe('Ibuprofen');
    expect(row!.payload.notetext).toBe(
      'Medication: Ibuprofen\nDosage: 400 mg\nFrequency: twice daily\nQuantity: 20\nPrescribed on: 2024-01-05\nPharmacy: \nExternal pharmacy reference: chewy:RX-1\n\n',
    );
    expect(row!.owner).toEqual({ kind: 'staff', value: '301' });
  });

  it('staff: users are matched by email; a staff member without a licence (no user) becomes a contact', () => {
    const staff = {
      id: '301',
      first_name: 'Sam',
      last_name: 'Lee',
      email: ' Sam.Lee@Harbourside.example ',
      role: 'receptionist',
      specialization: null,
      active: false,
      created_at: '2016-06-01T00:00:00Z',
    };
    expect(rows(run('staff-user', staff))[0]!.key).toBe('sam.lee@harbourside.example');
    expect(run('staff-user', { ...staff, email: null })).toMatchObject({
      kind: 'skipped',
      reason: 'no email to match against systemuser.internalemailaddress',
    });
    expect(generated.MAPPINGS['staff-contact']!.notMatchedBy).toEqual(['staff-user']);
    const [contact] = rows(run('staff-contact', staff));
    expect(contact!.key).toBe('staff-301');
    expect(contact!.payload).toMatchObject({
      firstname: 'Sam',
      fs_staffactive: false,
      fs_role: option('staff-role@contact.fs_role', 'receptionist'),
    });
  });

  it('insurance: the primary policy updates the patient contact; others are skipped', () => {
    const policy = {
      id: '9',
      patient_id: '1001',
      carrier: '  Acme   Health ',
      policy_number: 'P-1',
      group_number: 'G-2',
      billing_responsibility: 'split',
      coverage_type: 'partial',
      is_primary: true,
    };
    const [row] = rows(run('insurance', policy));
    expect(row!.key).toBe('patient-1001');
    expect(row!.payload.fs_insurancecarrier).toBe('Acme Health');
    expect(run('insurance', { ...policy, is_primary: false })).toMatchObject({
      kind: 'skipped',
      reason: 'where: is_primary is not one of true',
    });
  });

  it('payment: an unknown method becomes Other and is flagged; amounts keep two decimals', () => {
    const out = run('payment', {
      id: '4',
      patient_id: '1001',
      appointment_id: '7001',
      amount: '120.005',
      currency: 'GBP',
      method: 'crypto',
      status: 'paid',
      paid_at: '2024-01-01T12:00:00Z',
      reference: 'R1',
      created_at: '2024-01-01T12:00:00Z',
    });
    const [row] = rows(out);
    const other = ir.valueMaps.find((v) => v.name === 'payment-method@fs_payment.fs_method')!.default;
    expect(other).toEqual(expect.any(Number));
    expect(row!.payload).toMatchObject({
      fs_amount: 120.01,
      fs_method: other,
      fs_name: 'GBP 120.005 paid (R1)',
    });
    expect(out.kind === 'rows' && out.flags.map((f) => f.code)).toEqual(['unmapped_value_defaulted']);
  });

  it('referral source: external organisations become stub accounts; channels are skipped', () => {
    expect(
      rows(
        run('referral-source', {
          id: '501',
          type: 'external_clinic',
          name: 'Dr Who',
          organisation_name: 'Northside Physio Ltd',
          created_at: '2020-01-01T00:00:00Z',
        }),
      )[0]!.payload.name,
    ).toBe('Northside Physio Ltd');
    // An organisation name of control characters alone would clean to nothing: the person's name is taken.
    const blank = run('referral-source', {
      id: '503',
      type: 'physician',
      name: 'Dr A. Patel',
      organisation_name: '\u0000',
    });
    expect(rows(blank)[0]!.payload.name).toBe('Dr A. Patel');
    expect(run('referral-source', { id: '502', type: 'marketing_channel', name: 'Google Ads' }).kind).toBe(
      'skipped',
    );
  });

  it('policy document: a note on the clinic with its file to attach', () => {
    const [row] = rows(
      run('policy-document', {
        id: '3',
        title: 'Infection control',
        category: 'policy',
        clinic_id: '12',
        staff_id: null,
        file_id: '900',
        version: '2',
        effective_on: '2023-01-01',
        created_at: '2023-01-01T00:00:00Z',
      }),
    );
    expect(row!.document).toEqual({ fileId: '900' });
    expect(row!.lookups).toEqual([{ column: 'objectid', values: ['12'] }]);
    expect(row!.payload.notetext).toBe('Category: policy\nVersion: 2\nEffective on: 2023-01-01');
  });

  it('training record: the latest record of a staff member updates their contact; the log is archived', () => {
    const [row] = rows(
      run('training-record', {
        id: '1',
        staff_id: '301',
        course_name: 'CPR',
        completed_on: '2024-05-01',
        certification_status: 'current',
        certification_expires_on: '2026-05-01',
      }),
    );
    expect(row!.key).toBe('staff-301');
    expect(row!.payload).toMatchObject({ fs_lasttrainingdate: '2024-05-01', fs_lasttrainingcourse: 'CPR' });
    expect(generated.MAPPINGS['training-record']!.archive?.urlColumn).toBe('fs_traininglogurl');
    expect(generated.MAPPINGS['training-record']!.group).toEqual({
      by: ['staff_id'],
      pick: 'latest',
      orderBy: ['completed_on'],
    });
  });

  it('a record without its key is rejected with the reason', () => {
    expect(run('clinic', { name: 'No id' })).toMatchObject({
      kind: 'rejected',
      rejections: [{ code: 'missing_key' }],
    });
  });
});
