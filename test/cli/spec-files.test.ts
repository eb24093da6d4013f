import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { readSpecDir } from '../../cli/spec-files.ts';
import { copyOfShippedSpec, ROOT, tempDir } from '../support/tmp.ts';

async function flitstack(cwd: string, ...args: string[]) {
  const io = bufferIo(cwd);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Diagnostic heads (`file:line:col: severity CODE`) of a validate run. */
const heads = (out: string) =>
  out
    .split('\n')
    .filter((l) => /^\S+:\d+:\d+: /.test(l))
    .map((l) => l.replace(/^(\S+:\d+:\d+: \w+ FS\d{3}).*/, '$1'));

describe('spec files behind symbolic links', () => {
  it('are read like the files themselves: a linked mapping file and a linked value-map folder', async () => {
    const dir = copyOfShippedSpec();
    const elsewhere = tempDir();
    renameSync(join(dir, 'spec/objects/payment.yaml'), join(elsewhere, 'payment.yaml'));
    symlinkSync(join(elsewhere, 'payment.yaml'), join(dir, 'spec/objects/payment.yaml'));
    renameSync(join(dir, 'spec/valuemaps'), join(elsewhere, 'valuemaps'));
    symlinkSync(join(elsewhere, 'valuemaps'), join(dir, 'spec/valuemaps'));

    const input = readSpecDir('spec', dir);
    expect(input.files.get('objects/payment.yaml')).toBe(
      readFileSync(join(ROOT, 'spec/objects/payment.yaml'), 'utf8'),
    );
    expect(input.files.get('valuemaps/payment-method.yaml')).toBe(
      readFileSync(join(ROOT, 'spec/valuemaps/payment-method.yaml'), 'utf8'),
    );
    const result = await flitstack(dir, 'validate');
    expect(result.out).toBe('0 errors, 0 warnings\n');
    expect(result.code).toBe(0);
  });

  it('that point nowhere are an error at the link, without follow-on errors about what is missing', async () => {
    const dir = copyOfShippedSpec();
    rmSync(join(dir, 'spec/objects/payment.yaml'));
    symlinkSync(join(dir, 'moved/payment.yaml'), join(dir, 'spec/objects/payment.yaml'));
    rmSync(join(dir, 'spec/valuemaps'), { recursive: true });
    symlinkSync('../shared/valuemaps', join(dir, 'spec/valuemaps'));

    const result = await flitstack(dir, 'validate');
    expect(result.code).toBe(1);
    expect(heads(result.out)).toEqual([
      'spec/objects/payment.yaml:1:1: error FS007',
      'spec/valuemaps:1:1: error FS007',
    ]);
    expect(result.out).toContain(
      `this link points to '${join(dir, 'moved/payment.yaml')}', which does not exist`,
    );
    expect(result.out).toContain("this link points to '../shared/valuemaps', which does not exist");
    expect(result.out).toMatch(/\n2 errors, 0 warnings\n$/);
    const json = JSON.parse((await flitstack(dir, 'validate', '--format', 'json')).out) as {
      diagnostics: { code: string }[];
    };
    expect(json.diagnostics.map((d) => d.code)).toEqual(['FS007', 'FS007']);
  });

  it('that loop are an error at the link, and reading ends', async () => {
    const dir = copyOfShippedSpec();
    symlinkSync('.', join(dir, 'spec/objects/self.yaml'));
    symlinkSync('loop', join(dir, 'spec/objects/loop'));
    const result = await flitstack(dir, 'validate');
    expect(result.code).toBe(1);
    expect(heads(result.out)).toEqual([
      'spec/objects/loop:1:1: error FS007',
      'spec/objects/self.yaml:1:1: error FS007',
    ]);
    expect(result.out).toContain("this link points to 'loop', a chain of links that never reaches");
    expect(result.out).toContain("this link points to '.', a folder it is itself in");
  });
});

describe('a spec file that is not UTF-8', () => {
  it('is an error at its first bad byte, and compile writes nothing from its garbled text', async () => {
    const dir = copyOfShippedSpec();
    const file = join(dir, 'spec/objects/payment.yaml');
    const text = readFileSync(file, 'utf8').replace('label: Amount,', 'label: Montant payé,');
    writeFileSync(file, Buffer.from(text, 'latin1'));
    const line = text.split('\n').findIndex((l) => l.includes('payé'));
    const column = text.split('\n')[line]!.indexOf('é') + 1;

    const result = await flitstack(dir, 'validate');
    expect(result.code).toBe(1);
    expect(heads(result.out)).toEqual([`spec/objects/payment.yaml:${line + 1}:${column}: error FS008`]);
    expect(result.out).toContain('byte 0xE9 here is not valid UTF-8');
    expect(result.out).toContain('hint: save the file as UTF-8');
    const json = JSON.parse((await flitstack(dir, 'validate', '--format', 'json')).out) as {
      diagnostics: { code: string; line: number; column: number }[];
    };
    expect(json.diagnostics).toMatchObject([{ code: 'FS008', line: line + 1, column }]);

    const compile = await flitstack(dir, 'compile', '--out', '.');
    expect(compile.code).toBe(1);
    expect(() => readFileSync(join(dir, 'generated/schema-plan.json'))).toThrow();
  });

  it('is told apart from a UTF-8 file that holds U+FFFD itself, which is read as written', async () => {
    const dir = copyOfShippedSpec();
    const file = join(dir, 'spec/objects/payment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('label: Amount,', 'label: Amount \uFFFD,'));
    const result = await flitstack(dir, 'validate');
    expect(result.out).not.toContain('FS008');
    expect(result.code).toBe(0);
  });
});

// Permissions do not bind root, so as root the CLI runs as nobody (uid 65534) through setpriv. Where
// root cannot drop its privileges (no setpriv, or a sandbox that refuses setuid), an unreadable file
// cannot be made and the test is skipped; as any other user it runs in-process.
const isRoot = process.getuid?.() === 0;
const canDrop =
  isRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']).status === 0;

async function validateAsOtherUser(dir: string) {
  if (!isRoot) return flitstack(dir, 'validate');
  chmodSync(dir, 0o755);
  const child = spawnSync(
    'setpriv',
    [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      join(ROOT, 'bin/flitstack.js'),
      'validate',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return { code: child.status, out: child.stdout, err: child.stderr };
}

describe.skipIf(isRoot && !canDrop)('a spec file or folder that cannot be read', () => {
  it('is an environment error (exit 2) naming the file, why, and what to do, without a stack trace', async () => {
    const dir = copyOfShippedSpec();
    chmodSync(join(dir, 'spec/objects/payment.yaml'), 0o000);
    const result = await validateAsOtherUser(dir);
    expect(result.err).toBe(
      'error: cannot read spec file spec/objects/payment.yaml: permission denied (EACCES)\n' +
        '  hint: let the user running flitstack read it (chmod a+r spec/objects/payment.yaml, or change its owner), then run the command again\n',
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(2);
  });

  it('names an unreadable folder the same way', async () => {
    const dir = copyOfShippedSpec();
    mkdirSync(join(dir, 'spec/valuemaps/old'));
    chmodSync(join(dir, 'spec/valuemaps/old'), 0o000);
    const result = await validateAsOtherUser(dir);
    expect(result.err).toContain(
      'error: cannot list spec folder spec/valuemaps/old: permission denied (EACCES)\n',
    );
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(2);
  });
});
