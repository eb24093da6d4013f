import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';

/*
 * A record whose reference PracticeHub took away (a patient's referral source and clinics, a location's
 * parent clinic): the delta that reads it clears the lookup its row holds, as it would write any other
 * column the record emptied, and a rollback of the delta binds it again. So does a reference changed to
 * a row that was never loaded (a parent clinic PracticeHub does not list): the old one is not kept.
 */

type Row = Record<string, unknown>;

let sb: Sandboxes;
let journal: string;
let patientKey: string;
let child: string;
const contact = () =>
  sb.dataverse.snapshot(['contact']).tables.contact!.find((r) => r.fs_practicehubid === patientKey)!;
const account = () => sb.dataverse.snapshot(['account']).tables.account!.find((r) => r.accountid === child)!;
const ref = (row: Row, column: string) => (row[column] as { id: string } | null | undefined)?.id ?? null;

/** A second location, with the first one's parent before the run, whose parent the delta changes. */
let other: string;
const otherAccount = () =>
  sb.dataverse.snapshot(['account']).tables.account!.find((r) => r.fs_practicehubid === `clinic-${other}`)!;

beforeAll(async () => {
  sb = await sandboxes({ dataverse: KEYS_ACTIVE_AT_ONCE });
  const withParent = [...sb.practicehub.records('clinics')].find((r) => r.parent_clinic_id)!;
  [other] = sb.practicehub.mutate({
    resource: 'clinics',
    action: 'create',
    patch: { parent_clinic_id: withParent.parent_clinic_id! },
  }) as [string];
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  journal = journalPath();
  expect((await flitstack(sb, 'run', '--journal', journal, '--rate', '1000')).code).toBe(0);
}, 60_000);
afterAll(() => sb?.close());

describe('flitstack delta over records whose references were taken away', () => {
  it('clears the lookups their rows hold, and a rollback binds them again', async () => {
    const patient = [...sb.practicehub.records('patients')].find((r) => r.referral_source_id)!;
    patientKey = `patient-${patient.id}`;
    const location = [...sb.practicehub.records('clinics')].find((r) => r.parent_clinic_id)!;
    const before = { contact: contact() };
    child = String(
      sb.dataverse
        .snapshot(['account'])
        .tables.account!.find((r) => ref(r, 'parentaccountid') !== null && r.name === location.name)!
        .accountid,
    );
    const parent = ref(account(), 'parentaccountid');
    expect(ref(before.contact, 'fs_referringaccountid')).not.toBeNull();
    expect(ref(before.contact, 'parentcustomerid')).not.toBeNull();
    expect(parent).not.toBeNull();
    expect(ref(otherAccount(), 'parentaccountid')).toBe(parent);

    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [String(patient.id)],
      patch: { referral_source_id: null, clinic_assignments: [] },
    });
    sb.practicehub.mutate({
      resource: 'clinics',
      action: 'update',
      ids: [String(location.id)],
      patch: { parent_clinic_id: null },
    });
    sb.practicehub.mutate({
      resource: 'clinics',
      action: 'update',
      ids: [other],
      patch: { parent_clinic_id: '987654321' },
    });
    const delta = await flitstack(sb, 'delta', '--journal', journal, '--rate', '1000');
    expect(delta.code, delta.err).toBe(0);
    expect(ref(contact(), 'fs_referringaccountid')).toBeNull();
    expect(ref(contact(), 'parentcustomerid')).toBeNull();
    expect(ref(account(), 'parentaccountid')).toBeNull();
    expect(ref(otherAccount(), 'parentaccountid')).toBeNull();

    const rollback = await flitstack(sb, 'rollback', '--journal', journal, '--run', '2');
    expect(rollback.code, rollback.err).toBe(0);
    expect(ref(contact(), 'fs_referringaccountid')).toBe(ref(before.contact, 'fs_referringaccountid'));
    expect(ref(contact(), 'parentcustomerid')).toBe(ref(before.contact, 'parentcustomerid'));
    expect(ref(account(), 'parentaccountid')).toBe(parent);
    expect(ref(otherAccount(), 'parentaccountid')).toBe(parent);
  });
});
