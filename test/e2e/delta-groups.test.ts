import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { type Counts, flitstack, KEYS_ACTIVE_AT_ONCE, sandboxes } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const BASE = `${generated.MIGRATION.archive!.baseUrl}/`;

type Row = Readonly<Record<string, unknown>>;
type Training = { id: string; staff_id: string; course_name: string; completed_on: string };

let sb: Sandboxes;
let dir: string;
let journal: string;
let archive: string;
beforeAll(async () => {
  sb = await sandboxes({ scale: 0.1, seed: 5, dataverse: KEYS_ACTIVE_AT_ONCE });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-delta-groups-'));
  journal = join(dir, 'journal.db');
  archive = join(dir, 'archive');
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const first = await load('run');
  expect(first.code).toBe(0);
}, 120_000);
afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function load(kind: 'run' | 'delta', ...more: string[]) {
  const args = [
    '--journal',
    journal,
    '--archive-dir',
    archive,
    '--rate',
    '1000',
    '--format',
    'json',
    ...more,
  ];
  const result = await flitstack(sb, kind, ...args);
  expect(result.err).not.toContain('error:');
  const summary: Record<string, Counts> = result.code === 0 ? JSON.parse(result.out).summary : {};
  return { ...result, run: result.code === 0 ? (JSON.parse(result.out).run as number) : 0, summary };
}

const contactOf = (staffId: string): Row | undefined =>
  sb.dataverse.snapshot(['contact']).tables.contact!.find((r) => r.fs_practicehubid === `staff-${staffId}`);
const contact = (staffId: string): Row => contactOf(staffId)!;

/** The archived log a contact links to, as its lines after the header. */
function log(row: Row): string[] {
  const url = String(row.fs_traininglogurl);
  expect(url.startsWith(BASE), url).toBe(true);
  const relative = url.slice(BASE.length).split('/').map(decodeURIComponent);
  return readFileSync(join(archive, ...relative), 'utf8')
    .trim()
    .split('\r\n')
    .slice(1);
}

/** PracticeHub's training records of each staff member, latest completion first. */
function trainings(): Map<string, Training[]> {
  const byStaff = new Map<string, Training[]>();
  for (const r of sb.practicehub.records('training_records')) {
    const t = r as unknown as Training;
    byStaff.set(t.staff_id, [...(byStaff.get(t.staff_id) ?? []), t]);
  }
  for (const list of byStaff.values()) list.sort((a, b) => b.completed_on.localeCompare(a.completed_on));
  return byStaff;
}

/**
 * A staff member with a contact (staff who are users have none) and at least `n` training records, whose
 * latest completion is the only one that day.
 */
function staffWith(n: number): [string, Training[]] {
  const found = [...trainings()].find(
    ([id, list]) =>
      list.length >= n && list[0]!.completed_on !== list[1]?.completed_on && contactOf(id)?.fs_traininglogurl,
  );
  expect(found, `a staff member with ${n} training records`).toBeDefined();
  return found!;
}

describe('a delta of a grouped mapping (staff training logs)', () => {
  it('picks the group a record left again when it moves to another staff member', async () => {
    const [fromId, records] = staffWith(2);
    const [moved, next] = records;
    // Staff who are users have no contact: the record moves to one of them or to another contact.
    const toId = [...trainings().keys()].find((id) => id !== fromId)!;
    const joinedBefore = contactOf(toId) ? log(contact(toId)) : undefined;
    sb.practicehub.mutate({
      resource: 'training_records',
      action: 'update',
      ids: [moved!.id],
      patch: { staff_id: toId },
    });
    const delta = await load('delta');
    expect(delta.code).toBe(0);
    const training = delta.summary['training-record']!;
    expect(training.extracted).toBe(training.loaded + training.rejected + training.skipped);
    const left = contact(fromId);
    expect(left.fs_lasttrainingcourse).toBe(next!.course_name);
    expect(log(left)).toHaveLength(records.length - 1);
    expect(
      log(left).some((line) => line.startsWith(`${moved!.id},`) || line.includes(`,${moved!.id},`)),
    ).toBe(false);
    if (joinedBefore) expect(log(contact(toId))).toHaveLength(joinedBefore.length + 1);
    const reconcile = await flitstack(sb, 'reconcile', '--journal', journal, '--rate', '1000');
    expect(reconcile.out).not.toContain(`staff-${fromId}`);
    // Moved back, it is the latest of its first group again (and the staff member is as the next tests expect).
    sb.practicehub.mutate({
      resource: 'training_records',
      action: 'update',
      ids: [moved!.id],
      patch: { staff_id: fromId },
    });
    expect((await load('delta')).code).toBe(0);
    expect(contact(fromId).fs_lasttrainingcourse).toBe(moved!.course_name);
    expect(log(contact(fromId))).toHaveLength(records.length);
  }, 120_000);

  it('archives the whole log and keeps the latest course when an older record is added; a rollback links the earlier log again', async () => {
    const [staffId, records] = staffWith(2);
    const before = contact(staffId);
    const earlierLog = log(before);
    expect(earlierLog).toHaveLength(records.length);
    expect(before.fs_lasttrainingcourse).toBe(records[0]!.course_name);

    sb.practicehub.mutate({
      resource: 'training_records',
      action: 'create',
      patch: { staff_id: staffId, course_name: 'Manual Handling', completed_on: '2010-01-01' },
    });
    const delta = await load('delta');
    expect(delta.code).toBe(0);
    const training = delta.summary['training-record']!;
    // The rest of the log was read again, not extracted: only what changed counts (and balances).
    expect(training.extracted).toBeLessThan(records.length + 1);
    expect(training.extracted).toBe(training.loaded + training.rejected + training.skipped);
    expect(training.rejected).toBe(0);

    const after = contact(staffId);
    expect(after.fs_lasttrainingcourse).toBe(records[0]!.course_name);
    expect(after.fs_lasttrainingdate).toBe(before.fs_lasttrainingdate);
    const fullLog = log(after);
    expect(fullLog).toHaveLength(records.length + 1);
    expect(fullLog.at(-1)).toContain('Manual Handling,');
    expect(fullLog.at(-1)).toContain(',2010-01-01,');
    for (const line of earlierLog) expect(fullLog).toContain(line);

    const undone = await flitstack(sb, 'rollback', '--run', String(delta.run), '--journal', journal);
    expect(undone.err).not.toContain('error:');
    expect(undone.code).toBe(0);
    const restored = contact(staffId);
    expect(restored.fs_traininglogurl).toBe(before.fs_traininglogurl);
    expect(log(restored)).toEqual(earlierLog);
  }, 120_000);

  it('loads the next latest course and drops the record from the log when the latest one is deleted', async () => {
    const [staffId, records] = staffWith(2);
    const [latest, next] = records;
    expect(contact(staffId).fs_lasttrainingcourse).toBe(latest!.course_name);
    sb.practicehub.mutate({ resource: 'training_records', action: 'delete', ids: [latest!.id] });
    const delta = await load('delta');
    expect(delta.code).toBe(0);
    const training = delta.summary['training-record']!;
    expect(training.extracted).toBe(training.loaded + training.rejected + training.skipped);
    const after = contact(staffId);
    expect(after.fs_lasttrainingcourse).toBe(next!.course_name);
    expect(String(after.fs_lasttrainingdate)).toContain(next!.completed_on);
    const remaining = log(after);
    expect(remaining).toHaveLength(records.length - 1);
    expect(remaining.some((line) => line.includes(`,${latest!.completed_on},`))).toBe(false);
  }, 120_000);

  it('loads the log of a staff member whose contact a later delta creates, though the training did not change', async () => {
    // PracticeHub's timestamps are whole seconds; with no overlap, a delta lists again only the records
    // of its watermark's second.
    const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));
    const delta = () => load('delta', '--overlap', '0s');
    const other = [...trainings().values()][0]![0]!.id;
    const moveOn = async () => {
      await nextSecond();
      sb.practicehub.mutate({ resource: 'training_records', action: 'update', ids: [other], patch: {} });
    };
    // A staff member with no Dynamics user and a role outside the value map: rejected, no contact.
    const [staffId] = sb.practicehub.mutate({
      resource: 'practitioners',
      action: 'create',
      patch: { role: 'volunteer', email: 'waiting.trainee@harbourside.example' },
    });
    const courses = ['Fire Safety', 'First Aid'].map(
      (course_name, i) =>
        sb.practicehub.mutate({
          resource: 'training_records',
          action: 'create',
          patch: { staff_id: staffId!, course_name, completed_on: `2024-0${i + 1}-01` },
        })[0]!,
    );
    await moveOn();
    const waiting = await delta();
    expect(waiting.code).toBe(1);
    expect(contactOf(staffId!)).toBeUndefined();

    // The role is fixed: the contact is created, and the training group waiting for it is read again
    // and loaded, though none of its records changed.
    await nextSecond();
    sb.practicehub.mutate({
      resource: 'practitioners',
      action: 'update',
      ids: [staffId!],
      patch: { role: 'billing' },
    });
    const fixed = await delta();
    expect(fixed.code).toBe(0);
    const training = fixed.summary['training-record']!;
    expect(training.extracted).toBe(training.loaded + training.rejected + training.skipped);
    const row = contact(staffId!);
    expect(row.fs_lasttrainingcourse).toBe('First Aid');
    expect(log(row)).toHaveLength(courses.length);

    // Loaded now, the group waits no more: the next delta lists only the record of its watermark's second.
    const after = await delta();
    expect(after.code).toBe(0);
    expect(after.summary['training-record']!.extracted).toBe(1);
  }, 120_000);
});
