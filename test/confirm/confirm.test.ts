import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { checkedSpec } from '../../cli/migration.ts';
import { readSpecDir } from '../../cli/spec-files.ts';
import { checkConfirmed, type Lock, parseLock, setHash, sha256 } from '../../runtime/confirm/index.ts';
import { editFile } from '../audit/helpers.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/** A copy of the shipped spec and generated/ (which compile --check keeps in step), in `dir`. */
function project(dir = tempDir('flitstack-confirm-')): string {
  cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
  cpSync(join(ROOT, 'generated'), join(dir, 'generated'), { recursive: true });
  // The shipped spec is confirmed; these tests start from a spec not yet confirmed.
  rmSync(join(dir, 'spec', 'flitstack.lock'), { force: true });
  return dir;
}

async function confirm(dir: string, ...args: string[]) {
  const io = bufferIo(dir);
  const code = await run(['node', 'flitstack', 'confirm', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const check = (dir: string) => checkConfirmed(join(dir, 'spec'), join(dir, 'generated'));
const PROPOSED_LINE = '    proposed: { reason: same name and type as contact.jobtitle, confidence: 0.9 }\n';

describe('flitstack confirm and checkConfirmed', () => {
  let confirmed: string;
  let lock: Lock;

  // Shared by the tests: tempDir's folders go after each test, this one after all of them.
  beforeAll(async () => {
    confirmed = project(mkdtempSync(join(tmpdir(), 'flitstack-confirmed-')));
    const result = await confirm(confirmed);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    lock = parseLock(readFileSync(join(confirmed, 'spec/flitstack.lock'), 'utf8'))!;
  });
  afterAll(() => rmSync(confirmed, { recursive: true, force: true }));

  it('locks every spec file and generated file by sha256', () => {
    const spec = readSpecDir(join(confirmed, 'spec'), confirmed);
    expect(Object.keys(lock.files)).toEqual([...spec.files.keys()].sort());
    expect(lock.files['objects/patient.yaml']).toBe(sha256(spec.files.get('objects/patient.yaml')!));
    expect(lock.spec_hash).toBe(setHash(lock.files));
    expect(Object.keys(lock.generated)).toEqual([
      'generated/schema-plan.json',
      'generated/schema-plan.md',
      'generated/transformer.ts',
    ]);
    expect(lock.generated['generated/transformer.ts']).toBe(
      sha256(readFileSync(join(confirmed, 'generated/transformer.ts'), 'utf8')),
    );
    expect(Date.parse(lock.confirmed_at)).toBeGreaterThan(Date.parse('2020-01-01'));
  });

  it('hashes the spec and generated code as runs journal them, so a run matches its lock', async () => {
    // The shipped spec: its lock is kept in step by `flitstack confirm`, and its generated module loads.
    const shipped = parseLock(readFileSync(join(ROOT, 'spec/flitstack.lock'), 'utf8'))!;
    const checked = await checkedSpec('spec', bufferIo(ROOT));
    if (typeof checked === 'number') throw new Error(`the shipped spec did not check (exit ${checked})`);
    expect(checked.specHash).toBe(shipped.spec_hash);
    expect(checked.codeHash).toBe(shipped.generated_hash);
  });

  it('holds files git checks out with LF on every platform, as the lock hashed them', () => {
    // With core.autocrlf (Windows) a checkout would otherwise write CRLF, and every file would differ.
    const files = ['spec/migration.yaml', 'spec/flitstack.lock', 'generated/transformer.ts'];
    const attributes = execFileSync('git', ['check-attr', 'text', 'eol', '--', ...files], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(attributes.trim().split('\n')).toEqual(
      files.flatMap((file) => [`${file}: text: auto`, `${file}: eol: lf`]),
    );
  });

  it('leaves the lock as it is when confirming what it already confirms', async () => {
    const dir = project();
    cpSync(join(confirmed, 'spec/flitstack.lock'), join(dir, 'spec/flitstack.lock'));
    const again = await confirm(dir);
    expect(again.code).toBe(0);
    expect(again.out).toContain(
      `spec/flitstack.lock already confirms them (since ${lock.confirmed_at}): left as it is\n`,
    );
    expect(readFileSync(join(dir, 'spec/flitstack.lock'), 'utf8')).toBe(
      readFileSync(join(confirmed, 'spec/flitstack.lock'), 'utf8'),
    );
  });

  it('passes the confirmed spec, from disk and from the CLI reader', () => {
    expect(check(confirmed)).toEqual({ ok: true });
    const input = readSpecDir(join(confirmed, 'spec'), confirmed);
    expect(
      checkConfirmed(input, join(confirmed, 'generated'), { lock: join(confirmed, 'spec/flitstack.lock') }),
    ).toEqual({
      ok: true,
    });
  });

  it('reports modified, added and removed spec files, and changed generated files', () => {
    const dir = project();
    cpSync(join(confirmed, 'spec/flitstack.lock'), join(dir, 'spec/flitstack.lock'));
    expect(check(dir)).toEqual({ ok: true });
    editFile(
      join(dir, 'spec'),
      'objects/patient.yaml',
      'Patients become contacts.',
      'Patients become Dynamics contacts.',
    );
    expect(check(dir)).toEqual({
      ok: false,
      reason: 'changed',
      changed: [{ file: 'objects/patient.yaml', change: 'modified' }],
    });
    writeFileSync(join(dir, 'spec/valuemaps/extra.yaml'), 'version: 1\nkind: choice\nentries: { a: b }\n');
    rmSync(join(dir, 'spec/objects/training-record.yaml'));
    writeFileSync(
      join(dir, 'generated/schema-plan.md'),
      `${readFileSync(join(dir, 'generated/schema-plan.md'), 'utf8')}\nedited\n`,
    );
    expect(check(dir)).toEqual({
      ok: false,
      reason: 'changed',
      changed: [
        { file: 'objects/patient.yaml', change: 'modified' },
        { file: 'objects/training-record.yaml', change: 'removed' },
        { file: 'valuemaps/extra.yaml', change: 'added' },
        { file: 'generated/schema-plan.md', change: 'modified' },
      ],
    });
  });

  it('says unconfirmed without a lock, or with one that is not a lock', () => {
    const dir = project();
    expect(check(dir)).toEqual({ ok: false, reason: 'unconfirmed', changed: [] });
    writeFileSync(join(dir, 'spec/flitstack.lock'), '{"version": 1}');
    expect(check(dir)).toEqual({
      ok: false,
      reason: 'unconfirmed',
      changed: [],
      problem: 'it lacks hashes, or holds some that are not sha256 hex (edited by hand?)',
    });
    writeFileSync(join(dir, 'spec/flitstack.lock'), '{"version": 1,');
    expect(check(dir)).toMatchObject({
      reason: 'unconfirmed',
      problem: expect.stringMatching(/^it is not JSON \(/),
    });
  });

  it('refuses while a proposed line remains, listing it, and checkConfirmed says proposed', async () => {
    const dir = project();
    editFile(
      join(dir, 'spec'),
      'objects/patient.yaml',
      '  - { to: jobtitle, from: occupation, transform: [strip_control, trim, truncate] }\n',
      `  - to: jobtitle\n    from: occupation\n    transform: [strip_control, trim, truncate]\n${PROPOSED_LINE}`,
    );
    const result = await confirm(dir);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /spec\/objects\/patient\.yaml:\d+:\d+: warning FS140: field contact\.jobtitle was proposed/,
    );
    expect(result.err).toContain('confirm: refused (1 proposed line not reviewed); nothing written');
    expect(existsSync(join(dir, 'spec/flitstack.lock'))).toBe(false);
    cpSync(join(confirmed, 'spec/flitstack.lock'), join(dir, 'spec/flitstack.lock'));
    expect(check(dir)).toEqual({
      ok: false,
      reason: 'proposed',
      changed: [{ file: 'objects/patient.yaml', change: 'modified' }],
    });
    // Reviewed: the proposed block deleted, the line kept as it was drafted.
    editFile(join(dir, 'spec'), 'objects/patient.yaml', PROPOSED_LINE, '');
    const again = await confirm(dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      /^confirmed \d+ spec files \(14 mappings, 12 value maps\) and 3 generated files\n/,
    );
    expect(check(dir)).toEqual({ ok: true });
  });

  it('refuses a spec with errors and a stale generated/', async () => {
    const dir = project();
    editFile(join(dir, 'spec'), 'objects/patient.yaml', 'from: occupation', 'from: occupations');
    const broken = await confirm(dir);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("error FS102: unknown source field 'occupations'");
    expect(broken.err).toContain('refused (1 error in the spec)');
    editFile(join(dir, 'spec'), 'objects/patient.yaml', 'from: occupations', 'from: occupation');
    editFile(join(dir, 'spec'), 'objects/patient.yaml', 'label: Referral date', 'label: Date of referral');
    const stale = await confirm(dir);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('stale: generated/schema-plan.md');
    expect(stale.err).toContain('generated/ is stale: run flitstack compile');
    expect(existsSync(join(dir, 'spec/flitstack.lock'))).toBe(false);
  });

  it('refuses a generated/ holding a file compile does not write, which every run would refuse', async () => {
    const dir = project();
    writeFileSync(join(dir, 'generated/.gitkeep'), '');
    const refused = await confirm(dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('not written by compile: generated/.gitkeep\n');
    expect(refused.err).toContain(
      'confirm: refused (generated/ holds a file flitstack compile does not write: delete it); nothing written',
    );
    expect(existsSync(join(dir, 'spec/flitstack.lock'))).toBe(false);
    rmSync(join(dir, 'generated/.gitkeep'));
    expect((await confirm(dir)).code).toBe(0);
    expect(check(dir)).toEqual({ ok: true });
  });
});
