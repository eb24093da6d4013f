import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliMigrated,
  clinicWithUnloadedParent,
  flitstack,
  migratedByCli,
} from '../support/migration.ts';

let m: CliMigrated;
beforeAll(async () => {
  m = await migratedByCli({ scale: 0.05, seed: 29 });
}, 120_000);
afterAll(() => m?.close());

// No overlap: a record is read again only when it changed after the last delta read its resource.
const delta = async () => {
  const result = await flitstack(
    m.sb,
    'delta',
    '--journal',
    m.journal,
    '--rate',
    '1000',
    '--overlap',
    '0s',
    '--format',
    'json',
  );
  return { ...result, summary: JSON.parse(result.out).summary as Record<string, { extracted: number }> };
};
// PracticeHub's timestamps are whole seconds: what changes after this is newer than what came before.
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));
const appointment = (id: string) =>
  m.sb.dataverse
    .snapshot(['appointment'])
    .tables.appointment!.find((r) => r.fs_practicehubid === `appointment-${id}`);

/** Patients rejected for a sex outside the value map, and an appointment of each, which waits for it. */
const waitingAppointments = (count: number) => {
  const patients = m.sb.practicehub.mutate({
    resource: 'patients',
    action: 'create',
    count,
    patch: { sex: 'bogus' },
  });
  const booked = patients.map(
    (patient) =>
      m.sb.practicehub.mutate({
        resource: 'appointments',
        action: 'create',
        patch: { patient_id: patient },
      })[0]!,
  );
  return { patients, booked };
};
/** An appointment changed a second later: the appointments' watermark moves past those changed before. */
const moveOn = async () => {
  await nextSecond();
  m.sb.practicehub.mutate({
    resource: 'appointments',
    action: 'update',
    count: 1,
    patch: { notes: 'moved' },
  });
};
/** Sets the sex of patients, a second later: one in the value map loads them. */
const setSex = async (ids: readonly string[], sex: string) => {
  await nextSecond();
  m.sb.practicehub.mutate({ resource: 'patients', action: 'update', ids, patch: { sex } });
};

describe('flitstack delta: a record whose lookup row arrives in a later delta', () => {
  it('is loaded by the delta that loads the row, though the record itself did not change', async () => {
    const sb = m.sb;
    await nextSecond();
    // A patient rejected for a sex outside the value map, and an appointment of that patient.
    const {
      patients: [patient],
      booked: [booked],
    } = waitingAppointments(1);
    await moveOn();
    const first = await delta();
    expect(first.code).toBe(1);
    expect(appointment(booked!)).toBeUndefined();

    // The patient is still rejected: the appointment is not read again (the one moved in the second of
    // the watermark is, every time).
    await nextSecond();
    sb.practicehub.mutate({ resource: 'patients', action: 'update', ids: [patient!], patch: { notes: 'x' } });
    const still = await delta();
    expect(still.code).toBe(1);
    expect(still.summary.appointment!.extracted).toBe(1);

    await setSex([patient!], 'female');
    const fixed = await delta();
    expect(fixed.code).toBe(0);
    expect(fixed.summary.appointment!.extracted).toBe(2);
    expect(appointment(booked!)?.regardingobjectid).toMatchObject({ table: 'contact' });
    const reconciled = await flitstack(m.sb, 'reconcile', '--journal', m.journal, '--rate', '1000');
    expect(reconciled.out).toContain('passed');
    expect(reconciled.code).toBe(0);

    // Loaded now, it waits no more.
    const after = await delta();
    expect(after.summary.appointment!.extracted).toBe(1);
  });

  it('reads again only the records whose own parent row arrived, not those waiting for another', async () => {
    await nextSecond();
    // Three rejected patients, and an appointment of each: all three appointments wait, each on its own.
    const { patients, booked } = waitingAppointments(3);
    await moveOn();
    const waiting = await delta();
    expect(waiting.code).toBe(1);
    expect(booked.map((id) => appointment(id))).toEqual([undefined, undefined, undefined]);

    // One patient is fixed and loaded: only its appointment is read again (with the one moved in the
    // second of the watermark), not those of the two patients still rejected.
    await setSex([patients[0]!], 'male');
    const one = await delta();
    expect(one.summary.appointment!.extracted).toBe(2);
    expect(appointment(booked[0]!)?.regardingobjectid).toMatchObject({ table: 'contact' });
    expect(appointment(booked[1]!)).toBeUndefined();
    expect(appointment(booked[2]!)).toBeUndefined();

    // The others are read again when their own patients are loaded.
    await setSex(patients.slice(1), 'female');
    const rest = await delta();
    expect(rest.code).toBe(0);
    expect(rest.summary.appointment!.extracted).toBe(3);
    expect(booked.every((id) => appointment(id) !== undefined)).toBe(true);
  });

  it('reads again a record of which one row waits for its parent while another was written', async () => {
    const sb = m.sb;
    // The connection of the patient to a clinic: no other patient is assigned to the two clinics below.
    const connection = (clinic: string) => {
      const { account, connection } = sb.dataverse.snapshot(['account', 'connection']).tables;
      const row = account!.find((r) => r.fs_practicehubid === `clinic-${clinic}`);
      return (
        row && connection!.find((r) => (r.record2id as { id?: string } | undefined)?.id === row.accountid)
      );
    };
    await nextSecond();
    // A new clinic, and one deleted as soon as created: never loaded.
    const [opened, unloaded] = sb.practicehub.mutate({ resource: 'clinics', action: 'create', count: 2 });
    sb.practicehub.mutate({ resource: 'clinics', action: 'delete', ids: [unloaded!] });
    const [patient, other] = (
      [...sb.practicehub.records('patients')] as {
        id: string;
        deleted_at?: unknown;
        clinic_assignments?: { clinic_id: string; updated_at: string }[];
      }[]
    ).filter((p) => !p.deleted_at && (p.clinic_assignments?.length ?? 0) > 0);
    const newest = [...patient!.clinic_assignments!].sort((a, b) =>
      a.updated_at < b.updated_at ? 1 : -1,
    )[0]!;
    // Besides its most recent clinic, a connection to the clinic never loaded and one to the new clinic.
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [patient!.id],
      patch: {
        clinic_assignments: [
          { clinic_id: unloaded!, updated_at: '1990-01-01T00:00:00Z' },
          { clinic_id: opened!, updated_at: '1990-01-02T00:00:00Z' },
          newest,
        ],
      },
    });
    await nextSecond();
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      ids: [other!.id],
      patch: { notes: 'moved' },
    });
    const first = await delta();
    expect(first.code).toBe(1);
    expect(connection(opened!)).toBeDefined();
    // The connection that waits is rejected when prepared, before the other is written: the record's
    // last operation is not the one that waits.
    expect(connection(unloaded!)).toBeUndefined();

    // The clinic is back and loaded: the patient is read again for its connection to it.
    await nextSecond();
    sb.practicehub.mutate({ resource: 'clinics', action: 'restore', ids: [unloaded!] });
    const back = await delta();
    expect(back.code).toBe(0);
    expect(connection(unloaded!)).toBeDefined();
  });

  it('binds a parent clinic left empty once a later delta loads it, though the child did not change', async () => {
    const sb = m.sb;
    await nextSecond();
    const { parent, child, account } = clinicWithUnloadedParent(sb);
    // Another clinic changed a second later: the next deltas do not list the child again.
    await nextSecond();
    const other = [...sb.practicehub.records('clinics')].find(
      (c) =>
        ![parent, child].includes((c as { id: string }).id) && !(c as { deleted_at?: unknown }).deleted_at,
    ) as { id: string };
    sb.practicehub.mutate({ resource: 'clinics', action: 'update', ids: [other.id], patch: {} });
    await delta();
    expect(account(child)).toBeDefined();
    expect(account(child)?.parentaccountid ?? null).toBeNull();

    // The parent is back and loaded: the child's lookup is bound to it.
    await nextSecond();
    sb.practicehub.mutate({ resource: 'clinics', action: 'restore', ids: [parent] });
    const back = await delta();
    expect(back.code).toBe(0);
    const loaded = account(parent);
    expect(loaded).toBeDefined();
    expect(account(child)?.parentaccountid).toMatchObject({ table: 'account', id: loaded!.accountid });
    // The bind keeps the lookup's earlier (empty) value, which a rollback of the delta writes back.
    const bound = await flitstack(
      sb,
      'log',
      '--journal',
      m.journal,
      '--run',
      String(JSON.parse(back.out).run),
      '--action',
      'bind',
      '--with-pre-images',
      '--format',
      'json',
    );
    expect(bound.out).toContain('"_parentaccountid_value":null');
    // Bound, it is bound no more by the deltas after.
    const after = await delta();
    const binds = await flitstack(
      sb,
      'log',
      '--journal',
      m.journal,
      '--run',
      String(JSON.parse(after.out).run),
      '--format',
      'json',
    );
    expect(binds.out).not.toContain('"bind"');

    // A rollback of the delta that bound it empties the lookup again.
    const run = String(JSON.parse(back.out).run);
    const undone = await flitstack(
      sb,
      'rollback',
      '--run',
      String(JSON.parse(after.out).run),
      '--journal',
      m.journal,
    );
    expect(undone.code, undone.err).toBe(0);
    const rolled = await flitstack(sb, 'rollback', '--run', run, '--journal', m.journal);
    expect(rolled.code, rolled.err).toBe(0);
    expect(account(child)?.parentaccountid ?? null).toBeNull();
  });
});
