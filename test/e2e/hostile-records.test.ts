import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import type { Json, ResourceName } from '../../sandbox/practicehub/index.ts';
import { startRewritingProxy } from '../runtime/practicehub/proxy.ts';
import {
  flitstack,
  flitstackWith,
  journalPath,
  KEYS_ACTIVE_AT_ONCE,
  sandboxes,
} from '../support/migration.ts';

/*
 * PracticeHub records whose fields hold what the model does not allow (an object or a list for text or
 * an id, numbers and "Y" for booleans, impossible dates, amounts as text, megabyte strings, lone
 * surrogates, NUL, U+2028 and bidirectional marks), loaded end to end by `flitstack run`: each record is
 * accounted for (written, skipped or rejected with a reason naming its column), the run exits 1 without
 * a stack trace, and no value of these records reaches the output or the log.
 */

/** Text only these records hold, looked for in the output and the log. */
const MARK = 'Quorvexline';

interface Op {
  source_id: string;
  mapping: string;
  action: string;
  reason: string | null;
  row_key: string | null;
  flags: { column: string; code: string; detail: string }[];
}

/** Patches by resource, each applied to one record (the first records of the resource, in id order). */
const HOSTILE: Partial<Record<ResourceName, Record<string, Json>[]>> = {
  patients: [
    { first_name: { given: MARK } },
    { last_name: [MARK] },
    { clinic_assignments: `C-${MARK}` },
    { clinic_assignments: [null, 5, MARK, { clinic_id: 12345, updated_at: 5 }] },
    { custom_properties: { allergy_flag: 'Y', pain_score: '7,5', last_xray_date: '0000-00-00' } },
    { custom_properties: MARK },
    { date_of_birth: '2024-02-30' },
    { date_of_birth: 1_700_000_000 },
    { notes: `${MARK} `.repeat(100_000) },
    { notes: `\uD800${MARK}` },
    { first_name: `${MARK}\u0000\u2028\u200f`, last_name: `\u202e${MARK}` },
    { email: { address: `${MARK}@example.com` } },
    { address_line_1: `${MARK}é`.repeat(40) },
    { city: `${MARK}\u0000` },
    {
      clinic_assignments: [
        { clinic_id: '1\uD800', updated_at: '2020-01-01T00:00:00Z' },
        { clinic_id: '2', updated_at: '2024-01-01T00:00:00Z' },
      ],
    },
  ],
  payments: [
    { patient_id: null },
    { amount: '1,234.50', reference: MARK },
    { paid_at: '0000-00-00' },
    { appointment_id: { id: MARK } },
    { reference: `\uDC00${MARK}` },
  ],
  appointments: [{ patient_id: { id: MARK } }, { starts_at: '2024-02-30T10:00:00Z' }],
  clinical_notes: [
    { appointment_id: null, patient_id: null },
    { body: `${'a'.repeat(99_999)}😀${MARK}` },
    { body: { text: MARK } },
  ],
  prescriptions: [{ patient_id: [MARK] }],
  policy_documents: [{ file_id: '999999999999999999' }],
};

/** The patient whose city holds a NUL, and the payment whose reference starts with a lone surrogate. */
const CITY = 13;
const REFERENCE = 4;

/** The records left without any id of a parent a required lookup needs, by mapping and lookup column. */
const NO_PARENT: readonly { resource: ResourceName; index: number; mapping: string; column: string }[] = [
  { resource: 'payments', index: 0, mapping: 'payment', column: 'fs_patientid' },
  { resource: 'appointments', index: 0, mapping: 'appointment', column: 'regardingobjectid' },
  { resource: 'clinical_notes', index: 0, mapping: 'clinical-note', column: 'objectid' },
  { resource: 'prescriptions', index: 0, mapping: 'prescription', column: 'objectid' },
];

let sb: Sandboxes;
const touched = new Map<ResourceName, string[]>();
let run: Awaited<ReturnType<typeof flitstack>>;
let ops: Op[];
beforeAll(async () => {
  sb = await sandboxes({ dataverse: KEYS_ACTIVE_AT_ONCE });
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code, applied.err).toBe(0);
  for (const [resource, patches] of Object.entries(HOSTILE) as [ResourceName, Record<string, Json>[]][]) {
    const ids = [...sb.practicehub.records(resource)].slice(0, patches.length).map((r) => String(r.id));
    for (const [i, patch] of patches.entries())
      sb.practicehub.mutate({ resource, action: 'update', ids: [ids[i]!], patch });
    touched.set(resource, ids);
  }
  const journal = journalPath();
  run = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
  const log = await flitstack(sb, 'log', '--run', '1', '--journal', journal, '--format', 'json');
  expect(log.code, log.err).toBe(0);
  ops = JSON.parse(log.out) as Op[];
}, 60_000);
afterAll(() => sb?.close());

describe('flitstack run over hostile PracticeHub records', () => {
  it('exits 1 for the records it rejected, without a stack trace, and balances every mapping', () => {
    expect(run.code, run.err).toBe(1);
    expect(run.err).not.toMatch(/\n\s+at /);
    const summary = JSON.parse(run.out).summary as Record<
      string,
      { extracted: number; loaded: number; rejected: number; skipped: number }
    >;
    for (const [name, c] of Object.entries(summary))
      expect(c.extracted, name).toBe(c.loaded + c.rejected + c.skipped);
  });

  it('journals every hostile record, each reject with a reason naming its column', () => {
    for (const [resource, ids] of touched)
      for (const id of ids) {
        const own = ops.filter((op) => op.source_id === id);
        expect(own.length, `${resource} ${id}`).toBeGreaterThan(0);
        for (const op of own.filter((o) => o.action === 'reject'))
          expect(op.reason, `${resource} ${id}`).toMatch(
            /^(lookup )?([a-z_0-9]+|\(key\)): |(field|attribute) '[a-z_0-9]+'|the file for its [a-z_0-9]+ /,
          );
      }
  });

  it('rejects a record that names no parent for a required lookup, instead of loading it without one', () => {
    for (const { resource, index, mapping, column } of NO_PARENT) {
      const id = touched.get(resource)![index]!;
      const own = ops.filter((op) => op.source_id === id && op.mapping === mapping);
      expect(
        own.map((op) => op.action),
        `${mapping} ${id}`,
      ).toEqual(['reject']);
      expect(own[0]!.reason).toContain(`lookup ${column}: the record gives no `);
      expect(own[0]!.reason).toContain('the lookup is required');
    }
    const payment = `payment-${touched.get('payments')![0]}`;
    const rows = sb.dataverse.snapshot(['fs_payment']).tables.fs_payment!;
    expect(rows.some((r) => r.fs_practicehubid === payment)).toBe(false);
  });

  it('flags a value read through a field that is no object, and a lookup whose value is no id or whose list is no list', () => {
    const flagged = (resource: ResourceName, index: number, mapping: string) =>
      ops
        .filter((op) => op.source_id === touched.get(resource)![index] && op.mapping === mapping)
        .flatMap((op) => op.flags)
        .filter((f) => f.code === 'unreadable_value_dropped')
        .map((f) => `${f.column}: ${f.detail}`);
    expect(flagged('patients', 2, 'patient')).toEqual([
      'parentcustomerid: a text where a list was expected; lookup left empty',
    ]);
    expect(flagged('patients', 3, 'patient')).toEqual([
      "parentcustomerid: 3 of the list's 4 elements are not objects; passed over",
    ]);
    expect(flagged('patients', 5, 'patient')).toEqual(
      [
        'fs_allergyflag',
        'fs_careplanstatus',
        'fs_preferredcontactmethods',
        'fs_lastxraydate',
        'fs_painscore',
        'fs_medicalalerts',
      ].map((column) => `${column}: custom_properties is a text where an object was expected; value dropped`),
    );
    expect(flagged('payments', 3, 'payment')).toEqual([
      'fs_appointmentid: an object where an id was expected; lookup left empty',
    ]);
    // A required lookup's value that is no id is flagged on the rejected record too.
    expect(flagged('appointments', 0, 'appointment')).toEqual([
      'regardingobjectid: an object where an id was expected; lookup left empty',
    ]);
  });

  it('loads a text with a NUL or an unpaired surrogate without them: the shipped spec strips controls', () => {
    const city = touched.get('patients')![CITY]!;
    const payment = touched.get('payments')![REFERENCE]!;
    for (const [id, mapping] of [
      [city, 'patient'],
      [payment, 'payment'],
    ] as const) {
      const own = ops.filter((op) => op.source_id === id && op.mapping === mapping);
      expect(
        own.map((op) => op.action),
        id,
      ).toEqual(['create']);
    }
    const contacts = sb.dataverse.snapshot(['contact']).tables.contact!;
    const row = contacts.find((c) => c.fs_practicehubid === `patient-${city}`)!;
    expect(row.address1_city).toBe(MARK);
  });

  it('says that a document whose file PracticeHub does not list kept its row from Dataverse', () => {
    const id = touched.get('policy_documents')![0]!;
    expect(ops.filter((op) => op.source_id === id).map((op) => [op.action, op.reason])).toEqual([
      [
        'reject',
        "the row was not written: the file for its documentbody could not be attached: file 999999999999999999 is not in PracticeHub's files",
      ],
    ]);
  });

  it('prints and journals no value of the hostile records', () => {
    expect(run.out).not.toContain(MARK);
    expect(run.err).not.toContain(MARK);
    expect(ops.some((op) => JSON.stringify(op).includes(MARK))).toBe(false);
  });
});

/** An id longer than the key column holds (fs_practicehubid, 100 characters, with its prefix). */
const LONG_ID = '7'.repeat(120);

describe('flitstack run over pages that list a record twice, a record whose id is too long, and records whose deleted_at is an all-zero date or a time in another form', () => {
  let fresh: Sandboxes;
  let result: { unbalanced: string[]; status: string; summary: Record<string, { extracted: number }> };
  let patientOps: Op[];
  let patients: string[];
  beforeAll(async () => {
    fresh = await sandboxes({ dataverse: KEYS_ACTIVE_AT_ONCE });
    patients = [...fresh.practicehub.records('patients')].map((r) => String(r.id));
    const proxy = await startRewritingProxy(fresh.practicehub.baseUrl, (path, body) => {
      const data = body.data as Record<string, unknown>[] | undefined;
      if (path.endsWith('/patients') && data && data.length > 6) {
        data[4] = { ...data[4], deleted_at: '0000-00-00 00:00:00' };
        data[5] = { ...data[5], deleted_at: 'unknown' };
        data[6] = { ...data[6], id: LONG_ID };
        data.splice(3, 0, { ...data[2] });
      }
      return body;
    });
    try {
      expect((await flitstack(fresh, 'schema', 'apply')).code).toBe(0);
      const env = { PRACTICEHUB_BASE_URL: proxy.baseUrlTemplate };
      const journal = journalPath();
      const args = ['run', '--journal', journal, '--rate', '1000', '--format', 'json'];
      result = JSON.parse((await flitstackWith(fresh, env, ...args)).out);
      const log = await flitstack(fresh, 'log', '--run', '1', '--journal', journal, '--format', 'json');
      patientOps = (JSON.parse(log.out) as Op[]).filter((op) => op.mapping === 'patient');
    } finally {
      await proxy.close();
    }
  }, 60_000);
  afterAll(() => fresh?.close());

  it('loads a record listed twice once and completes, its accounting balanced', () => {
    expect(result.unbalanced).toEqual([]);
    expect(result.status).toBe('completed');
    expect(result.summary.patient!.extracted).toBe(patients.length);
    expect(patientOps.filter((op) => op.source_id === patients[2]).map((op) => op.action)).toEqual([
      'create',
    ]);
  });

  it('refuses a record whose key is longer than its column with what to do, not with "truncate"', () => {
    const refused = patientOps.filter((op) => op.source_id === LONG_ID);
    expect(refused.map((op) => op.action)).toEqual(['reject']);
    expect(refused[0]!.reason).toContain("The length of the 'fs_practicehubid' attribute");
    expect(refused[0]!.reason).toContain(
      "the row's key (128 characters) is longer than its column fs_practicehubid: a truncated key would make records share one row",
    );
    expect(refused[0]!.reason).not.toContain('add a truncate step');
  });

  it('loads a record whose deleted_at is an all-zero date, and takes any other deleted_at for a deletion', () => {
    expect(patientOps.filter((op) => op.source_id === patients[4]).map((op) => op.action)).toEqual([
      'create',
    ]);
    // Text that is no time ("unknown") still marks the record deleted, and the reason says so.
    const deleted = patientOps.filter((op) => op.source_id === patients[5]);
    expect(deleted.map((op) => op.action)).toEqual(['skip']);
    expect(deleted[0]!.reason).toContain('deleted in PracticeHub at a time not written as ISO 8601');
  });
});

describe('flitstack run over a page holding a record whose id names nothing', () => {
  it.each([
    ['blank', ' ', 'has no id, so nothing could name it in the journal'],
    ['an unpaired surrogate', '42\uD800', 'has an id that is not valid text (an unpaired surrogate)'],
  ])('stops at an id that is %s, naming the page and the position', async (_name, id, said) => {
    const proxy = await startRewritingProxy(sb.practicehub.baseUrl, (path, body) => {
      const data = body.data as Record<string, unknown>[] | undefined;
      if (path.endsWith('/patients') && data && data.length > 2) data[2] = { ...data[2], id };
      return body;
    });
    try {
      const env = { PRACTICEHUB_BASE_URL: proxy.baseUrlTemplate };
      const result = await flitstackWith(sb, env, 'run', '--journal', journalPath(), '--rate', '1000');
      expect(result.code, result.err).toBe(2);
      expect(result.err).toMatch(/GET \S+\/patients\?page=1\S*: data\[2\] /);
      expect(result.err).toContain(said);
      expect(result.err).toContain('report the record to PracticeHub');
      expect(result.err).not.toMatch(/\n\s+at /);
    } finally {
      await proxy.close();
    }
  });
});
