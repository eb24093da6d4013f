import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { Journal } from '../../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { Attachments, FILENAME_MAX_LENGTH, noteFilename } from '../../../runtime/run/documents.ts';
import { rowId } from '../../../runtime/run/ids.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { PreparedRow } from '../../../runtime/run/state.ts';
import { writeRows } from '../../../runtime/run/write.ts';
import type { Sandboxes } from '../../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../../support/migration.ts';

const generated: GeneratedModule = generatedModule;
/** The account loadDeps names: row ids derive from it. */
const ACCOUNT = 'harbourside.eu';
/** The organisation's attachment limit in these tests, and the mapping's lower document.max_bytes. */
const ORGANISATION_LIMIT = 300_000;
const MAX_BYTES = 100_000;

const base64Size = (size: unknown) => Math.ceil(Number(size) / 3) * 4;

describe('the file name a note keeps (annotation.filename, MaxLength 255)', () => {
  const long = `${'a'.repeat(300)}.pdf`;
  const emoji = `${'\u{1F600}'.repeat(200)}.pdf`;
  it.each([
    ['spaces stay', 'Chaperone Policy.pdf', 'Chaperone Policy.pdf', undefined],
    [
      'letters of other languages stay',
      'Consent für Behandlung (DE).pdf',
      'Consent für Behandlung (DE).pdf',
      undefined,
    ],
    ['control characters go', 'Bericht\u0007 2024\n.pdf', 'Bericht 2024.pdf', undefined],
    ['decomposed accents are composed', 'e\u0301cole.pdf', 'école.pdf', undefined],
    ['a long name is cut before its extension', long, `${'a'.repeat(251)}.pdf`, 304],
    ['a cut never splits a character in two', emoji, `${'\u{1F600}'.repeat(125)}.pdf`, 404],
  ])('%s', (_, name, expected, cut) => {
    const result = noteFilename(name);
    expect(result.name).toBe(expected);
    expect(result.name.length).toBeLessThanOrEqual(FILENAME_MAX_LENGTH);
    expect(result.cut).toBe(cut);
  });
});

let sb: Sandboxes;
let dir: string;
beforeAll(async () => {
  sb = await sandboxes({ scale: 0.1, seed: 12, dataverse: { maxUploadFileSize: ORGANISATION_LIMIT } });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-documents-limit-'));
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code).toBe(0);
}, 60_000);
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the attachment limit of a note', () => {
  it("is the smaller of the mapping's document.max_bytes and the organisation's maxuploadfilesize read from Dataverse", async () => {
    const policy = generated.MAPPINGS['policy-document']!;
    const module: GeneratedModule = {
      ...generated,
      MAPPINGS: {
        ...generated.MAPPINGS,
        'policy-document': { ...policy, document: { maxBytes: MAX_BYTES } },
      },
    };
    const journal = Journal.open(join(dir, 'journal.db'));
    const deps = loadDeps(sb, journal, module, dir);
    try {
      const result = await runMigration(deps);
      expect(result.summary['policy-document']!.rejected).toBe(0);
      const notes = sb.dataverse.snapshot(['annotation']).tables.annotation ?? [];
      const files = new Map([...sb.practicehub.records('files')].map((f) => [String(f.id), f]));
      const flags = new Map(
        [...journal.operations(result.run.id, { mapping: 'policy-document' })].map((op) => [
          op.key,
          op.flags,
        ]),
      );
      const seen = { attached: 0, overSpec: 0, overOrganisation: 0 };
      for (const doc of sb.practicehub.records('policy_documents')) {
        const key = `policy-document-${doc.id}`;
        const note = notes.find((n) => n.annotationid === rowId(ACCOUNT, 'annotation', key))!;
        const file = files.get(String(doc.file_id))!;
        const size = base64Size(file.size);
        if (size <= MAX_BYTES) {
          expect(note.isdocument, key).toBe(true);
          // The file's own name, not the archive's path-safe form.
          expect(note.filename, key).toBe(file.filename);
          seen.attached++;
          continue;
        }
        expect(note.isdocument, key).toBe(false);
        expect(note.documentbody, key).toBeNull();
        expect(String(note.notetext)).toContain('Archived file');
        const archived = flags.get(key)!.find((f) => f.code === 'document_archived');
        expect(archived?.detail).toContain(
          `over the ${MAX_BYTES}-byte attachment limit (document.max_bytes of spec/objects/policy-document.yaml)`,
        );
        if (size <= ORGANISATION_LIMIT) seen.overSpec++;
        else seen.overOrganisation++;
      }
      // Each kind of file is there: one the organisation would take but the spec keeps out, and one
      // over both limits (refused by Dataverse, were the spec's default limit sent).
      expect(seen.attached).toBeGreaterThan(0);
      expect(seen.overSpec).toBeGreaterThan(0);
      expect(seen.overOrganisation).toBeGreaterThan(0);
    } finally {
      journal.close();
      await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
    }
  }, 120_000);

  it('gives a refused attachment (0x80044a02) a hint naming document.max_bytes and the organisation setting', async () => {
    const journal = Journal.open(join(dir, 'hint.db'));
    const deps = loadDeps(sb, journal, generated, dir);
    try {
      const big = [...sb.practicehub.records('files')].find((f) => base64Size(f.size) > ORGANISATION_LIMIT)!;
      expect(big).toBeDefined();
      const run = journal.startRun({ kind: 'run', specHash: 'spec', codeHash: 'code' });
      const key = 'policy-document-hint';
      const id = rowId(ACCOUNT, 'annotation', key);
      const row: PreparedRow = {
        mapping: generated.MAPPINGS['policy-document']!,
        table: generated.TABLES.annotation!,
        sourceId: 'hint',
        key,
        targetId: id,
        create: true,
        body: { annotationid: id, subject: 'Policy' },
        state: undefined,
        document: { fileId: String(big.id) },
        hash: 'hash',
        unchanged: false,
        flags: [],
        awaits: [],
        page: 1,
        sourceUpdatedAt: null,
      };
      // A limit read before an administrator lowered it: Dataverse refuses the file.
      const attachments = new Attachments(deps.practicehub, undefined, async () => 100_000_000);
      const written = await writeRows(
        { client: deps.dataverse, batchSize: 10, attachments, journal, runId: run.id },
        [row],
      );
      const op = written.ops[0]!.op;
      expect(op.action).toBe('reject');
      expect(op.reason).toContain('Attachment file size is too big.');
      expect(op.reason).toContain('lower document.max_bytes in spec/objects/policy-document.yaml');
      expect(op.reason).toContain('organization.maxuploadfilesize');
    } finally {
      journal.close();
      await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
    }
  }, 60_000);
});
