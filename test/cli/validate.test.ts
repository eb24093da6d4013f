import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { UNREACHABLE_ENV } from '../support/net.ts';
import { copyOfShippedSpec, ROOT, tempDir } from '../support/tmp.ts';

const exec = promisify(execFile);

async function validate(cwd: string, ...args: string[]) {
  const io = bufferIo(cwd);
  const code = await run(['node', 'flitstack', 'validate', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function edit(dir: string, file: string, change: (text: string) => string) {
  const path = join(dir, 'spec', file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

describe('flitstack validate', () => {
  it('passes the shipped spec with exit 0', async () => {
    const result = await validate(ROOT);
    expect(result.out).toContain('0 errors');
    expect(result.code).toBe(0);
  });

  it('lists every problem of a broken copy in one run, each at file:line:col of the offending token', async () => {
    const dir = copyOfShippedSpec();
    edit(dir, 'objects/patient.yaml', (t) =>
      t
        .replace('target: contact\n', 'target: contact\ntarget: account\n')
        .replace('source: patients\n', 'source: patients\nsoruce_note: typo\n')
        .replace('{ to: firstname, from: first_name,', '{ to: firstname, from: frist_name,')
        .replace('  - to: fs_referraldate\n', '  - to: referraldate\n')
        .replace(
          '  - { to: salutation, from: title, transform: [strip_control, trim, truncate] }\n',
          '\t- { to: salutation, from: title, transform: [strip_control, trim, truncate] }\n',
        ),
    );
    const text = readFileSync(join(dir, 'spec/objects/patient.yaml'), 'utf8').split('\n');
    const at = (needle: string, offset = 0) => {
      const line = text.findIndex((l) => l.includes(needle));
      return `spec/objects/patient.yaml:${line + 1}:${text[line]!.indexOf(needle) + 1 + offset}:`;
    };
    const result = await validate(dir);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`${at('soruce_note')} error FS010: unknown key 'soruce_note'`);
    expect(result.out).toContain(`${at('target: account')} error FS002: duplicate key`);
    expect(result.out).toContain(`${at('\t- { to: salutation')} error FS003: tab used for indentation`);
    expect(result.out).toContain(
      `${at('frist_name')} error FS102: unknown source field 'frist_name'. Did you mean 'first_name'?`,
    );
    expect(result.out).toContain(
      `${at('referraldate')} error FS105: custom column 'referraldate' does not start with the publisher prefix 'fs_'`,
    );
    expect(result.out).toMatch(/\n5 errors, 0 warnings\n$/);
  });

  it('prints the same diagnostics as JSON', async () => {
    const dir = copyOfShippedSpec();
    edit(dir, 'objects/clinic.yaml', (t) => t.replace('from: address_line_1', 'from: address_line1'));
    const text = await validate(dir);
    const json = await validate(dir, '--format', 'json');
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.out) as {
      errors: number;
      diagnostics: { code: string; file: string; line: number; column: number; hint: string }[];
    };
    expect(parsed.errors).toBe(1);
    const [d] = parsed.diagnostics;
    expect(d).toMatchObject({
      code: 'FS102',
      file: 'spec/objects/clinic.yaml',
      pointer: '/fields/1/from',
      severity: 'error',
    });
    expect(text.out).toContain(`${d!.file}:${d!.line}:${d!.column}: error FS102:`);
  });

  it('exits 2 for a spec directory that does not exist, saying where it looked', async () => {
    const result = await validate(ROOT, '--spec', 'no-such-dir');
    expect(result.code).toBe(2);
    expect(result.err).toContain("spec directory 'no-such-dir' not found");
    const file = await validate(ROOT, '--spec', 'README.md');
    expect(file.code).toBe(2);
    expect(file.err).toContain(
      `spec directory 'README.md' is a file (${join(ROOT, 'README.md')}); pass --spec <dir>, the directory holding migration.yaml`,
    );
  });

  it('exits 2 for a directory that holds no migration.yaml, naming the spec directory near it', async () => {
    // The project folder: its YAML files (test cases among them) would each be reported as not part
    // of the spec.
    const root = await validate(ROOT, '--spec', '.');
    expect(root.code).toBe(2);
    expect(root.out).toBe('');
    expect(root.err).toBe(
      `error: spec directory '.' holds no migration.yaml (looked in ${resolve(ROOT)}); pass --spec spec, the directory holding migration.yaml\n`,
    );
    const inside = await validate(ROOT, '--spec', 'spec/objects');
    expect(inside.code).toBe(2);
    expect(inside.out).toBe('');
    expect(inside.err).toContain(
      `spec directory 'spec/objects' holds no migration.yaml (looked in ${join(ROOT, 'spec/objects')}); pass --spec spec, the directory holding migration.yaml`,
    );
    // A folder with no spec near it: a new spec starts with migration.yaml.
    const empty = tempDir();
    mkdirSync(join(empty, 'drafts'));
    const none = await validate(empty, '--spec', 'drafts');
    expect(none.code).toBe(2);
    expect(none.err).toContain(
      `spec directory 'drafts' holds no migration.yaml (looked in ${join(empty, 'drafts')}); pass --spec <dir>, the directory holding migration.yaml (docs/spec.md shows what a new one holds)`,
    );
    // The commands that read the spec say the same (reconcile first needs a journal to read), and
    // those that write reports leave no folder for them behind.
    const journal = join(tempDir(), 'journal.db');
    Journal.open(journal).close();
    const out = join(tempDir(), 'reports');
    const commands = [
      ['compile'],
      ['confirm'],
      ['run'],
      ['reconcile', '--journal', journal, '--out', out],
      ['audit', '--out', out],
      ['sample', '--out', out],
      ['propose'],
    ];
    for (const args of commands) {
      const io = bufferIo(ROOT, { ...process.env, ...UNREACHABLE_ENV });
      const code = await run(['node', 'flitstack', ...args, '--spec', 'spec/objects'], io);
      expect({ args, code, err: io.stderr(), out: existsSync(out) }).toMatchObject({
        args,
        code: 2,
        err: expect.stringContaining("spec directory 'spec/objects' holds no migration.yaml"),
        out: false,
      });
    }
  });

  it('exits 2 for an unknown format', async () => {
    const result = await validate(ROOT, '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.err).toContain("'xml' is invalid");
  });

  it('works as an installed command: npx flitstack validate', async () => {
    const { stdout } = await exec(process.execPath, [join(ROOT, 'bin/flitstack.js'), 'validate'], {
      cwd: ROOT,
    });
    expect(stdout).toContain('0 errors');
    const failed = await exec(
      process.execPath,
      [join(ROOT, 'bin/flitstack.js'), 'validate', '--spec', 'nowhere'],
      { cwd: ROOT },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
  });
});
