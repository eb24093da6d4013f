import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generated from '../../generated/transformer.ts';
import { Journal, type RunRecord } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import type { PhRecord, ResourceName } from '../../sandbox/practicehub/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';

type Rec = PhRecord & Record<string, unknown>;

let sb: Sandboxes;
let dir: string;
let journalFile: string;
let out: string;
let result: {
  run: number;
  differences: number;
  records: number;
  requests: { made: number; minimum: number; byId: number; practicehubLoad: number };
  tallies: { mapping: string; records: number; rows: number; match: number }[];
};
let stdio = '';
const EMOJI_NOTES = '😀'.repeat(20_000);
let sampleRun: RunRecord;
/** Source ids the sample run journaled, per resource. */
const sampled = new Map<string, Set<string>>();

const records = (r: ResourceName) => [...sb.practicehub.records(r)] as Rec[];
const has = (resource: string, id: unknown) => sampled.get(resource)?.has(String(id)) === true;
const text = (v: unknown) => (typeof v === 'string' ? v : '');

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.5 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-sample-'));
  journalFile = join(dir, 'journal.db');
  out = join(dir, 'out');
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  // The longest notes (the sample picks them), of emoji: a cut at 160 falls inside a surrogate pair.
  const patient = records('patients')[3]!;
  sb.practicehub.mutate({
    resource: 'patients',
    action: 'update',
    ids: [String(patient.id)],
    patch: { notes: EMOJI_NOTES },
  });
  const res = await flitstack(
    sb,
    ...['sample', '--journal', journalFile, '--rate', '1000', '--out', out],
    ...['--archive-dir', join(dir, 'archive'), '--format', 'json'],
  );
  stdio = res.out + res.err;
  expect(res.err).not.toContain('error:');
  expect(res.code).toBe(0);
  result = JSON.parse(res.out);
  const journal = Journal.open(journalFile, { readonly: true });
  try {
    sampleRun = journal.run(result.run)!;
    for (const op of journal.operations(result.run)) {
      const resource = op.resource ?? '';
      sampled.set(resource, (sampled.get(resource) ?? new Set()).add(op.sourceId));
    }
  } finally {
    journal.close();
  }
}, 120_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack sample', () => {
  it('loads the sample as a journaled run of kind sample and finds every row as the spec says', () => {
    expect(sampleRun).toMatchObject({ kind: 'sample', status: 'completed' });
    expect(result.differences).toBe(0);
    expect(result.records).toBeGreaterThan(120);
    expect(result.records).toBeLessThan(260);
    for (const t of result.tallies) expect(t.records, t.mapping).toBeGreaterThan(0);
    const rows = Object.fromEntries(result.tallies.map((t) => [t.mapping, t.rows]));
    for (const m of ['clinic', 'patient', 'patient-clinic', 'appointment', 'clinical-note', 'payment'])
      expect(rows[m], m).toBeGreaterThan(0);
    const summary = sampleRun.summary!;
    for (const [name, c] of Object.entries(summary)) expect(c.rejected, name).toBe(0);
  });

  it('picks every clinic, every appointment status, every custom property and the longest note', () => {
    for (const c of records('clinics')) expect(has('clinics', c.id), String(c.id)).toBe(true);
    const statuses = new Set(records('appointments').map((a) => a.status));
    const seen = new Set(
      records('appointments')
        .filter((a) => has('appointments', a.id))
        .map((a) => a.status),
    );
    expect(seen).toEqual(statuses);
    const present = (p: Rec, key: string) => {
      const v = (p.custom_properties as Record<string, unknown> | null)?.[key];
      return v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);
    };
    const patients = records('patients');
    const keys = new Set(patients.flatMap((p) => Object.keys((p.custom_properties as object | null) ?? {})));
    expect(keys.size).toBeGreaterThan(3);
    for (const key of keys)
      expect(
        patients.some((p) => has('patients', p.id) && present(p, key)),
        key,
      ).toBe(true);
    const notes = records('clinical_notes');
    const longest = notes.reduce((a, b) => (text(b.body).length > text(a.body).length ? b : a));
    expect(has('clinical_notes', longest.id)).toBe(true);
  });

  it('picks patients without email, at several clinics, and records whose owner is inactive', () => {
    const mine = records('patients').filter((p) => has('patients', p.id));
    expect(mine.some((p) => !text(p.email).trim())).toBe(true);
    expect(mine.some((p) => (p.clinic_assignments as unknown[]).length > 1)).toBe(true);
    const users = sb.dataverse.snapshot(['systemuser']).tables.systemuser ?? [];
    const enabled = new Set(
      users.filter((u) => u.isdisabled === false).map((u) => text(u.internalemailaddress).toLowerCase()),
    );
    const staff = new Map(records('practitioners').map((s) => [String(s.id), s]));
    const inactive = (id: unknown) => {
      const s = staff.get(String(id));
      return s !== undefined && (s.active === false || !enabled.has(text(s.email).toLowerCase()));
    };
    expect(
      records('appointments').some((a) => has('appointments', a.id) && inactive(a.practitioner_id)),
    ).toBe(true);
  });

  it('closes the sample under lookups and owners: no record is rejected for a missing parent', () => {
    const appointments = records('appointments').filter((a) => has('appointments', a.id));
    expect(appointments.length).toBeGreaterThan(10);
    for (const a of appointments) {
      expect(has('patients', a.patient_id), `patient of ${a.id}`).toBe(true);
      expect(has('practitioners', a.practitioner_id), `practitioner of ${a.id}`).toBe(true);
    }
    for (const p of records('patients').filter((x) => has('patients', x.id)))
      for (const c of p.clinic_assignments as { clinic_id: string }[])
        expect(has('clinics', c.clinic_id), `clinic of ${p.id}`).toBe(true);
    for (const n of records('clinical_notes').filter((x) => has('clinical_notes', x.id)))
      if (n.appointment_id)
        expect(has('appointments', n.appointment_id), `appointment of ${n.id}`).toBe(true);
  });

  it('reads PracticeHub once: the requests of one read of every mapped resource', () => {
    const counts = sb.practicehub.counts();
    const resources = [...new Set(Object.values(generated.MAPPINGS).map((m) => m.source))] as ResourceName[];
    expect(resources.length).toBe(11);
    const minimum = resources.reduce((n, r) => n + Math.max(1, Math.ceil(counts[r] / 100)), 0);
    expect(result.requests).toMatchObject({ made: minimum, minimum, byId: 0 });
    // Loading adds only the files list and the documents' downloads; the server counted every request.
    const documents = sampled.get('policy_documents')?.size ?? 0;
    expect(documents).toBeGreaterThan(0);
    expect(result.requests.practicehubLoad).toBe(Math.ceil(counts.files / 100) + documents);
    const served = Object.values(sb.practicehub.stats().requests).reduce((n, k) => n + k.served, 0);
    expect(served).toBe(minimum + result.requests.practicehubLoad);
  });

  it('writes sample.md and sample.html for their owner only, and keeps data values off stdout', () => {
    for (const name of ['sample.md', 'sample.html']) {
      const file = join(out, name);
      expect(statSync(file).mode & 0o077, name).toBe(0);
      expect(readFileSync(file, 'utf8')).toContain('holds data values');
    }
    const md = readFileSync(join(out, 'sample.md'), 'utf8');
    expect(md).toContain('| patient | patients → contact |');
    expect(md).toContain('every appointment status');
    const mine = records('patients').filter((p) => has('patients', p.id));
    const values = mine.flatMap((p) => [text(p.email), text(p.last_name)]).filter((v) => v.length > 3);
    expect(values.length).toBeGreaterThan(40);
    const html = readFileSync(join(out, 'sample.html'), 'utf8');
    expect(values.filter((v) => html.includes(JSON.stringify(v).slice(1, -1))).length).toBeGreaterThan(30);
    for (const v of values) expect(stdio.includes(v), 'a data value on stdout or stderr').toBe(false);
  });

  it('cuts a long value between characters, never inside one, and counts its characters', () => {
    // The characters of the value itself, not of its quoted form.
    const shown = `notes = "${'😀'.repeat(79)}… (20000 characters)`;
    const md = readFileSync(join(out, 'sample.md'), 'utf8');
    const html = readFileSync(join(out, 'sample.html'), 'utf8');
    expect(html).toContain(shown.replace(' = "', ' &#x3D; &quot;'));
    for (const [name, report] of [
      ['sample.md', md],
      ['sample.html', html],
    ] as const)
      expect(report.includes('\uFFFD'), `${name} shows a replacement character`).toBe(false);
  });

  it('leaves rows a later full run finds unchanged', async () => {
    const res = await flitstack(sb, 'run', '--journal', journalFile, '--rate', '1000', '--format', 'json');
    expect(res.code).toBe(0);
    const journal = Journal.open(journalFile, { readonly: true });
    try {
      const run = JSON.parse(res.out).run as number;
      const actions = new Map<string, string>();
      for (const op of journal.operations(run, { mapping: 'patient' })) actions.set(op.sourceId, op.action);
      const patients = [...(sampled.get('patients') ?? [])];
      expect(patients.length).toBeGreaterThan(30);
      for (const id of patients) expect(actions.get(id), id).toBe('unchanged');
      expect([...actions.values()].filter((a) => a === 'create').length).toBeGreaterThan(500);
    } finally {
      journal.close();
    }
  });
});
