import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../generated/transformer.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { rowId } from '../../runtime/run/ids.ts';
import type { Flag } from '../../runtime/transforms/types.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { type CliMigrated, flitstack, migratedByCli } from '../support/migration.ts';

const generated: GeneratedModule = generatedModule;
const ACCOUNT = `${generated.MIGRATION.account}.${generated.MIGRATION.region}`;

/** The organisation's attachment limit (Base64 bytes): seed 12 at scale 0.1 has files on both sides. */
const LIMIT = 300_000;

let m: CliMigrated;
let sb: Sandboxes;
beforeAll(async () => {
  m = await migratedByCli({ scale: 0.1, seed: 12, dataverse: { maxUploadFileSize: LIMIT } });
  sb = m.sb;
}, 120_000);
afterAll(() => m?.close());

type Row = Record<string, unknown>;

const base64Size = (file: Row) => Math.ceil(Number(file.size) / 3) * 4;
const files = () => [...sb.practicehub.records('files')] as Row[];
const fileOf = (id: unknown) => files().find((f) => String(f.id) === String(id))!;

/** The note of a policy document. */
function note(docId: string): Row {
  const id = rowId(ACCOUNT, 'annotation', `policy-document-${docId}`);
  const found = (sb.dataverse.snapshot(['annotation']).tables.annotation ?? []).find(
    (n) => n.annotationid === id,
  );
  expect(found, docId).toBeDefined();
  return found!;
}

/** What the note's file columns hold: the decoded size stands for the bytes. */
function attachment(n: Row) {
  return {
    isdocument: n.isdocument,
    filename: n.filename,
    mimetype: n.mimetype,
    bytes: typeof n.documentbody === 'string' ? Buffer.from(n.documentbody, 'base64').length : null,
  };
}

/** The flags the run journaled for a policy document's note. */
function flagsOf(run: number, docId: string): Flag[] {
  const journal = Journal.open(m.journal, { readonly: true });
  try {
    const op = [...journal.operations(run, { mapping: 'policy-document' })].find(
      (o) => o.key === `policy-document-${docId}`,
    );
    return [...(op?.flags ?? [])];
  } finally {
    journal.close();
  }
}

describe('a note whose file changes in PracticeHub', () => {
  it('holds only the new file, or none, after a delta, and gets its earlier file back from a rollback', async () => {
    const docs = [...sb.practicehub.records('policy_documents')] as Row[];
    const attachedDocs = docs.filter((d) => base64Size(fileOf(d.file_id)) <= LIMIT);
    expect(attachedDocs.length).toBeGreaterThanOrEqual(2);
    const [swapped, archived] = attachedDocs.map((d) => String(d.id)) as [string, string];
    const used = new Set(docs.map((d) => String(d.file_id)));
    const small = files().find((f) => !used.has(String(f.id)) && base64Size(f) <= LIMIT)!;
    const large = files().find((f) => !used.has(String(f.id)) && base64Size(f) > LIMIT)!;
    expect(small && large).toBeTruthy();

    const before = { swapped: attachment(note(swapped)), archived: attachment(note(archived)) };
    const archivedText = note(archived).notetext;
    expect(before.swapped.isdocument).toBe(true);
    expect(before.archived.isdocument).toBe(true);

    sb.practicehub.mutate({
      resource: 'policy_documents',
      action: 'update',
      ids: [swapped],
      patch: { file_id: String(small.id) },
    });
    sb.practicehub.mutate({
      resource: 'policy_documents',
      action: 'update',
      ids: [archived],
      patch: { file_id: String(large.id) },
    });
    const first = await m.delta();
    expect(first.json.summary['policy-document']!.rejected).toBe(0);

    // Another small file replaces the attachment: its own name, bytes and type.
    expect(attachment(note(swapped))).toMatchObject({
      isdocument: true,
      filename: small.filename,
      bytes: Number(small.size),
    });
    // A file over the limit is linked from the text, and the note no longer holds the earlier file.
    expect(attachment(note(archived))).toEqual({
      isdocument: false,
      filename: null,
      mimetype: null,
      bytes: null,
    });
    expect(String(note(archived).notetext)).toContain('Archived file');
    const archivedFlag = flagsOf(first.json.run, archived).find((f) => f.code === 'document_archived');
    expect(archivedFlag?.detail).toContain("the note's earlier attachment is removed");

    const undone = await flitstack(sb, 'rollback', '--run', String(first.json.run), '--journal', m.journal);
    expect(undone.err).not.toContain('error:');
    expect(undone.code).toBe(0);
    expect(attachment(note(swapped))).toEqual(before.swapped);
    expect(attachment(note(archived))).toEqual(before.archived);
    expect(note(archived).notetext).toBe(archivedText);

    // The source record loses its file: the note loses its attachment, flagged.
    sb.practicehub.mutate({
      resource: 'policy_documents',
      action: 'update',
      ids: [swapped],
      patch: { file_id: null },
    });
    const second = await m.delta();
    expect(second.json.summary['policy-document']!.rejected).toBe(0);
    expect(attachment(note(swapped))).toEqual({
      isdocument: false,
      filename: null,
      mimetype: null,
      bytes: null,
    });
    expect(flagsOf(second.json.run, swapped).map((f) => f.code)).toContain('attachment_removed');
  }, 240_000);
});
