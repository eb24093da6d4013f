import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { readSpecDir } from '../../cli/spec-files.ts';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { validateSpec } from '../../compiler/validate/index.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { AuditReport } from '../../runtime/audit/index.ts';
import { type ProposeResult, propose } from '../../runtime/propose/index.ts';
import { editFile, specCopy } from '../audit/helpers.ts';
import { ROOT } from '../support/tmp.ts';

const validators = createSchemaValidators();
const EMAIL_LINE = '  - { to: emailaddress1, from: email, transform: [trim, lowercase, email] }\n';

function shipped(change: (files: Map<string, string>) => void = () => undefined): SpecInput {
  const input = readSpecDir(join(ROOT, 'spec'), ROOT);
  const files = new Map(input.files);
  change(files);
  return { root: 'spec', files };
}

function drafted(input: SpecInput, options: Parameters<typeof propose>[2] = {}): ProposeResult {
  const result = propose(input, validators, options);
  if ('refused' in result) throw new Error(result.refused.map((d) => d.message).join('\n'));
  return result;
}

function applied(input: SpecInput, result: ProposeResult): SpecInput {
  return {
    root: input.root,
    files: new Map([...input.files, ...result.files.map((f) => [f.path, f.contents] as const)]),
  };
}

function errorsOf(input: SpecInput) {
  return validateSpec(input, validators).diagnostics.filter((d) => d.severity === 'error');
}

describe('flitstack propose', () => {
  it("drafts the patient's email line again with high confidence, leaving every other line as it was", () => {
    const input = shipped((files) =>
      files.set('objects/patient.yaml', files.get('objects/patient.yaml')!.replace(EMAIL_LINE, '')),
    );
    const result = drafted(input);
    const before = input.files.get('objects/patient.yaml')!;
    const after = result.files.find((f) => f.path === 'objects/patient.yaml')!.contents;
    expect(after.startsWith(before)).toBe(true);
    expect(after.slice(before.length)).toBe(
      [
        '  - to: emailaddress1',
        '    from: email',
        '    transform: [trim, lowercase, email]',
        '    proposed: { reason: "usual correspondence: PracticeHub patients.email → contact.emailaddress1", confidence: 0.95 }',
        '',
      ].join('\n'),
    );
    const line = result.drafted.find((d) => d.file === 'objects/patient.yaml')!;
    expect(line.confidence).toBeGreaterThanOrEqual(0.9);
    const next = applied(input, result);
    expect(errorsOf(next)).toEqual([]);
    const warnings = validateSpec(next, validators).diagnostics.filter((d) => d.code === 'FS140');
    expect(warnings.map((w) => w.file)).toContain('spec/objects/patient.yaml');
    // One warning per drafted line of an existing file, one per drafted mapping file.
    const existing = result.drafted.filter(
      (d) => d.kind === 'line' && !result.files.find((f) => f.path === d.file)?.created,
    );
    expect(warnings.length).toBe(existing.length + result.drafted.filter((d) => d.kind === 'mapping').length);
  });

  it('drafts a text line that strips control characters, which Dataverse refuses, before it trims', () => {
    const city = '  - { to: address1_city, from: city, transform: [strip_control, trim, truncate] }\n';
    const input = shipped((files) =>
      files.set('objects/patient.yaml', files.get('objects/patient.yaml')!.replace(city, '')),
    );
    const result = drafted(input);
    const after = result.files.find((f) => f.path === 'objects/patient.yaml')!.contents;
    expect(after).toMatch(
      /- to: address1_city\n {4}from: city\n {4}transform: \[strip_control, trim, truncate\]\n/,
    );
    expect(errorsOf(applied(input, result))).toEqual([]);
  });

  it('drafts a new mapping file for a resource whose mapping was removed, and the spec validates', () => {
    const input = shipped((files) => files.delete('objects/prescription.yaml'));
    const result = drafted(input);
    const file = result.files.find((f) => f.path === 'objects/prescription.yaml');
    expect(file?.created).toBe(true);
    const data = parse(file!.contents) as Record<string, unknown> & { fields: Record<string, unknown>[] };
    expect(data.proposed).toEqual({
      reason: 'no mapping reads prescriptions: usual correspondence prescriptions → annotation',
      confidence: 0.7,
    });
    expect(data).toMatchObject({
      source: 'prescriptions',
      target: 'annotation',
      owner: { staff: 'prescriber_id' },
    });
    expect(data.key).toEqual({ source: 'id', prefix: 'prescription-', derive_id: true });
    expect(data.fields.map((f) => [f.to, f.from ?? 'template'])).toEqual([
      ['objectid', 'patient_id'],
      ['subject', 'medication_name'],
      ['overriddencreatedon', 'created_at'],
      ['notetext', 'template'],
    ]);
    expect(data.fields[0]!.lookup).toEqual({ object: 'patient' });
    expect(data.fields.every((f) => f.proposed === undefined && typeof f.note === 'string')).toBe(true);
    expect(errorsOf(applied(input, result))).toEqual([]);
  });

  it('is deterministic and does not draft what it drafted before', () => {
    const input = shipped((files) =>
      files.set('objects/patient.yaml', files.get('objects/patient.yaml')!.replace(EMAIL_LINE, '')),
    );
    const once = drafted(input);
    expect(drafted(input).files).toEqual(once.files);
    const twice = drafted(applied(input, once));
    expect(twice.files).toEqual([]);
    expect(twice.drafted).toEqual([]);
    const onlyPatients = drafted(input, { only: ['patients'] });
    expect(onlyPatients.files.map((f) => f.path)).toEqual(['objects/patient.yaml']);
    const again = drafted(applied(input, onlyPatients), { only: ['patients'] });
    expect(again.files).toEqual([]);
    expect(again.drafted).toEqual([]);
  });

  it('drafts a lookup to a resource with the mapping it drafts for that resource, in the same call', () => {
    const result = drafted(shipped());
    expect(result.drafted.map((d) => `${d.kind} ${d.file}: ${d.what}`)).toEqual(
      expect.arrayContaining([
        'mapping objects/appointment-type.yaml: appointment_types → fs_appointmenttype',
        'line objects/appointment.yaml: fs_appointmenttypeid ← appointment_type_id',
      ]),
    );
    const line = result.drafted.find((d) => d.what === 'fs_appointmenttypeid ← appointment_type_id')!;
    expect(line.reason).toBe(
      "appointments.appointment_type_id references appointment_types, loaded by 'appointment-type': new custom lookup to fs_appointmenttype",
    );
    expect(result.skipped.filter((s) => s.path === 'appointment_type_id')).toEqual([]);
    expect(errorsOf(applied(shipped(), result))).toEqual([]);
  });

  it('drafts nothing for what migration.yaml leaves out on purpose, and says so of a whole resource', () => {
    const input = shipped((files) => {
      files.set('objects/patient.yaml', files.get('objects/patient.yaml')!.replace(EMAIL_LINE, ''));
      files.delete('objects/prescription.yaml');
    });
    // Without left_out, both are drafted (the tests above); with it, neither.
    const leftOut = [
      'left_out:',
      '  - resource: patients',
      '    fields: [email]',
      '    reason: Emails are collected again at the first visit.',
      '  - resource: prescriptions',
      '    reason: Prescriptions stay in PracticeHub.',
      '',
    ].join('\n');
    const declined: SpecInput = {
      root: input.root,
      files: new Map([...input.files, ['migration.yaml', `${input.files.get('migration.yaml')!}${leftOut}`]]),
    };
    expect(errorsOf(declined)).toEqual([]);
    const result = drafted(declined);
    expect(result.files.map((f) => f.path)).not.toContain('objects/prescription.yaml');
    expect(result.drafted.filter((d) => d.kind === 'line' && d.file === 'objects/patient.yaml')).toEqual([]);
    expect(result.skipped).toContainEqual({
      resource: 'prescriptions',
      reason: 'left out on purpose (left_out in migration.yaml)',
    });
  });

  it('drafts a new mapping without the fields left out of its resource, and every other draft as before', () => {
    const input = shipped();
    const withLeftOut: SpecInput = {
      root: input.root,
      files: new Map([
        ...input.files,
        [
          'migration.yaml',
          `${input.files.get('migration.yaml')!}left_out:\n  - resource: payment_methods\n    fields: [code, name]\n    reason: Internal codes.\n`,
        ],
      ]),
    };
    const before = drafted(input);
    const after = drafted(withLeftOut);
    const draft = (r: ProposeResult) => r.files.find((f) => f.path === 'objects/payment-method.yaml');
    expect(draft(before)?.contents).toMatch(/from: code\b/);
    const mapping = draft(after)!.contents;
    expect(mapping).not.toMatch(/from: (code|name)\b/);
    // The other drafts are the same: the left-out fields no longer trip the check of what was drafted.
    const others = (r: ProposeResult) => r.files.filter((f) => f.path !== 'objects/payment-method.yaml');
    expect(others(after)).toEqual(others(before));
    expect(errorsOf(applied(withLeftOut, after))).toEqual([]);
  });

  it('sizes custom columns from the audit and halves the confidence of fields it never saw filled', () => {
    const input = shipped();
    const seen = (name: string, maxLength: number, fill: number) => ({
      name,
      path: name,
      type: 'string',
      kinds: { string: 10 },
      present: 10,
      filled: Math.round(fill * 10),
      fill_rate: fill,
      max_length: maxLength,
      phi: false,
      in_model: true,
    });
    const audit = {
      version: 1,
      resources: [
        { resource: 'clinics', fields: [seen('time_zone', 140, 1)] },
        { resource: 'practitioners', fields: [seen('registration_number', 12, 0)] },
      ],
    } as unknown as AuditReport;
    const result = drafted(input, { audit });
    const clinic = parse(result.files.find((f) => f.path === 'objects/clinic.yaml')!.contents) as {
      fields: Record<string, unknown>[];
    };
    expect(clinic.fields.at(-1)).toMatchObject({
      to: 'fs_timezone',
      from: 'time_zone',
      custom: { type: 'string', max_length: 500, label: 'Time zone' },
    });
    const staff = result.drafted.find((d) => d.what === 'fs_registrationnumber ← registration_number')!;
    expect(staff.confidence).toBe(0.3);
    expect(staff.reason).toContain('never filled in the audited sample');
  });

  it('sizes a column from a partial sample with more headroom, and says the length is from the sampled pages', () => {
    const input = shipped();
    const audit = (sampled: number, total: number) =>
      ({
        version: 1,
        resources: [
          {
            resource: 'clinics',
            sampled,
            total,
            fields: [
              {
                name: 'time_zone',
                path: 'time_zone',
                type: 'string',
                kinds: { string: sampled },
                present: sampled,
                filled: sampled,
                fill_rate: 1,
                max_length: 300,
                phi: false,
                in_model: true,
              },
            ],
          },
        ],
      }) as unknown as AuditReport;
    const timeZone = (a: AuditReport) => {
      const result = drafted(input, { audit: a, only: ['clinics'] });
      const clinic = parse(result.files.find((f) => f.path === 'objects/clinic.yaml')!.contents) as {
        fields: { to: string; custom?: { max_length: number } }[];
      };
      const draft = result.drafted.find((d) => d.what === 'fs_timezone ← time_zone')!;
      return { length: clinic.fields.find((f) => f.to === 'fs_timezone')?.custom?.max_length, draft };
    };
    // Every record sampled: 1.5 × 300 → 500.
    const whole = timeZone(audit(200, 200));
    expect(whole.length).toBe(500);
    expect(whole.draft.reason).toContain('(audit: longest 300, filled 100 %)');
    // The first pages of 2,000 records: the longest value may be elsewhere.
    const partial = timeZone(audit(200, 2000));
    expect(partial.length).toBe(1000);
    expect(partial.draft.reason).toContain(
      'longest 300 in the sampled pages (200 of 2000 records): sized with headroom for longer values',
    );
  });

  it('drafts a choice column with its value map for an enumeration no column takes', () => {
    const input = shipped((files) => {
      const text = files.get('objects/payment.yaml')!;
      const start = text.indexOf('  - to: fs_method\n');
      const end = text.indexOf('  - to: fs_status\n');
      files.set('objects/payment.yaml', text.slice(0, start) + text.slice(end));
    });
    const result = drafted(input, { only: ['payments'] });
    // method is an open enumeration: values outside the list land on `other`, flagged.
    const map = result.files.find((f) => f.path === 'valuemaps/payment-method-2.yaml');
    expect(parse(map!.contents)).toEqual({
      version: 1,
      description: expect.stringContaining('payments.method → fs_payment.fs_method'),
      kind: 'choice',
      entries: {
        card: 'card',
        cash: 'cash',
        bank_transfer: 'bank_transfer',
        insurance: 'insurance',
        voucher: 'voucher',
        other: 'other',
      },
      default: 'other',
    });
    const payment = parse(result.files.find((f) => f.path === 'objects/payment.yaml')!.contents) as {
      fields: Record<string, unknown>[];
    };
    expect(payment.fields.find((f) => f.to === 'fs_method')).toMatchObject({
      from: 'method',
      transform: [{ map: 'payment-method-2' }],
      custom: {
        type: 'choice',
        label: 'Method',
        options: {
          card: 'Card',
          cash: 'Cash',
          bank_transfer: 'Bank transfer',
          insurance: 'Insurance',
          voucher: 'Voucher',
          other: 'Other',
        },
      },
    });
    expect(
      result.files.every((f) => !f.path.startsWith('objects/') || f.path === 'objects/payment.yaml'),
    ).toBe(true);
    expect(errorsOf(applied(input, result))).toEqual([]);
  });

  it('refuses a spec with errors', () => {
    const input = shipped((files) =>
      files.set(
        'objects/patient.yaml',
        files.get('objects/patient.yaml')!.replace('from: email', 'from: e_mail'),
      ),
    );
    const result = propose(input, validators);
    expect('refused' in result && result.refused.map((d) => d.code)).toEqual(['FS102']);
  });

  it('writes the drafts from the CLI; --dry-run writes nothing', async () => {
    const dir = specCopy((spec) => editFile(spec, 'objects/patient.yaml', EMAIL_LINE, ''));
    const path = join(dir, 'spec/objects/patient.yaml');
    const before = readFileSync(path, 'utf8');
    const dry = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--dry-run', '--only', 'patients'], dry)).toBe(0);
    expect(dry.stdout()).toContain(
      'would draft line spec/objects/patient.yaml: emailaddress1 ← email (confidence 0.95;',
    );
    expect(dry.stdout()).toContain('1 line and 0 mappings would be drafted; review them');
    expect(readFileSync(path, 'utf8')).toBe(before);
    const io = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--only', 'patients'], io)).toBe(0);
    expect(io.stdout()).toContain(
      '1 line and 0 mappings drafted in 1 file; review them, then run flitstack compile and flitstack confirm\n',
    );
    expect(io.stderr()).toContain('drafting from the source model alone');
    expect(readFileSync(path, 'utf8')).toContain('proposed: { reason: "usual correspondence');
    const check = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'validate'], check)).toBe(0);
    expect(check.stdout()).toMatch(/0 errors, \d+ warnings?\n$/);
    const again = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--dry-run', '--only', 'patients'], again)).toBe(0);
    expect(again.stdout()).toContain('nothing to draft: every source field is mapped or left out on purpose');
    expect(again.stdout()).not.toContain('review them');
    const missing = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--audit', 'nope.json'], missing)).toBe(2);
  });

  it('appends its drafts to a fields list written in flow style, leaving every other line as it was', async () => {
    // The referral sources' fields as one flow list, the email line taken out for propose to draft.
    const flow = [
      'fields: [',
      '  { to: name, from: [organisation_name, name], transform: [coalesce, trim, truncate] },',
      '  { to: telephone1, from: phone, transform: [{ phone: { default_country: GB } }] },',
      '  { to: websiteurl, from: website, transform: [trim, truncate] }, { to: address1_city, from: city, transform: [trim, truncate] },',
      '  { to: fs_accountkind, value: referral_organisation, custom: { type: choice, label: Account kind, options: { clinic: Clinic, referral_organisation: Referral organisation } } },',
      '  { to: overriddencreatedon, from: created_at, transform: [datetime] } ]',
      '',
    ].join('\n');
    const dir = specCopy((spec) =>
      editFile(spec, 'objects/referral-source.yaml', /^fields:\n[\s\S]*$/m, flow),
    );
    const path = join(dir, 'spec/objects/referral-source.yaml');
    const before = readFileSync(path, 'utf8');
    const io = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--only', 'referral_sources'], io), io.stderr()).toBe(
      0,
    );
    expect(io.stdout()).toContain('drafted line spec/objects/referral-source.yaml: emailaddress1 ← email');
    const after = readFileSync(path, 'utf8');
    const kept = before.trimEnd().slice(0, -' ]'.length);
    expect(after.startsWith(kept)).toBe(true);
    // Each draft on a line of its own, indented like the list's items; the list still ends with ` ]`.
    const added = after.slice(kept.length).split('\n');
    expect(added[0]).toBe(',');
    expect(added[1]).toMatch(/^ {2}\{ to: emailaddress1, from: email, .*, proposed: \{ .* \} \},$/);
    expect(added[2]).toMatch(
      /^ {2}\{ to: fs_sourcemodifiedon, from: updated_at, .*, proposed: \{ .* \} \} \]$/,
    );
    expect(added.slice(3)).toEqual(['']);
    const fields = (parse(after) as { fields: { to: string }[] }).fields.map((f) => f.to);
    expect(fields).toEqual([
      'name',
      'telephone1',
      'websiteurl',
      'address1_city',
      'fs_accountkind',
      'overriddencreatedon',
      'emailaddress1',
      'fs_sourcemodifiedon',
    ]);
    const check = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'validate'], check)).toBe(0);
    expect(check.stdout()).toMatch(/0 errors, 2 warnings\n$/);
  });

  it('refuses --only names that are not resources of the source model, writing nothing (exit 2)', async () => {
    const dir = specCopy((spec) => editFile(spec, 'objects/patient.yaml', EMAIL_LINE, ''));
    const path = join(dir, 'spec/objects/patient.yaml');
    const before = readFileSync(path, 'utf8');
    // `clinic` is the mapping; its resource is `clinics`. `patients` alone would draft the email line.
    for (const only of ['nosuchmapping', 'patients,clinic']) {
      const io = bufferIo(dir);
      expect(await run(['node', 'flitstack', 'propose', '--only', only], io), only).toBe(2);
      const unknown = only.split(',').at(-1);
      expect(io.stderr(), only).toContain(
        `error: --only: '${unknown}' is not a resource of the source model spec/source/practicehub.yaml; give resource names, one or more of: appointment_types, appointments, clinical_notes, clinics,`,
      );
      expect(io.stdout(), only).toBe('');
      expect(readFileSync(path, 'utf8'), only).toBe(before);
    }
    const empty = bufferIo(dir);
    expect(await run(['node', 'flitstack', 'propose', '--only', ' , '], empty)).toBe(2);
    expect(empty.stderr()).toContain('--only needs resource names');
  });
});
