import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

const exec = promisify(execFile);

/** git with a fixed identity and no signing, whatever the machine's configuration says. */
const git = (cwd: string, ...args: string[]) =>
  exec(
    'git',
    [
      '-c',
      'user.name=Reviewer',
      '-c',
      'user.email=reviewer@example.com',
      '-c',
      'commit.gpgsign=false',
      ...args,
    ],
    {
      cwd,
    },
  );

async function flitstack(cwd: string, ...args: string[]) {
  const io = bufferIo(cwd);
  const code = await run(['node', 'flitstack', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function edit(dir: string, file: string, from: string, to: string) {
  const path = join(dir, 'spec', file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

/** A repository holding the shipped spec, then a commit that renames a column and changes a value map. */
async function repository(): Promise<string> {
  const dir = tempDir('flitstack-diff-');
  cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
  await git(dir, 'init', '-q');
  await git(dir, 'add', 'spec');
  await git(dir, 'commit', '-q', '-m', 'Shipped spec');
  edit(dir, 'objects/patient.yaml', 'to: telephone2', 'to: telephone1');
  edit(dir, 'valuemaps/coverage-type.yaml', 'emergency_only: emergency_only', 'emergency_only: partial');
  await git(
    dir,
    'commit',
    '-q',
    '-a',
    '-m',
    'Home phone to the main phone; emergency cover counts as partial',
  );
  return dir;
}

describe('flitstack diff against git', () => {
  it('--base HEAD~1 reports exactly the renamed column, the value-map entry and a risk note for each, exit 1', async () => {
    const dir = await repository();
    const json = await flitstack(dir, 'diff', '--base', 'HEAD~1', '--format', 'json');
    expect(json.err).toBe('');
    expect(json.code).toBe(1);
    const result = JSON.parse(json.out);
    expect(result.mappings.map((m: { mapping: string }) => m.mapping)).toEqual(['insurance', 'patient']);
    expect(result.mappings[0].changes).toEqual([
      {
        kind: 'value-map',
        use: { kind: 'column', column: 'fs_coveragetype' },
        before: 'coverage-type',
        after: 'coverage-type',
        entries: [
          {
            source: 'emergency_only',
            before: { label: 'Emergency only', value: 100003769 },
            after: { label: 'Partial', value: 100008186 },
          },
        ],
        settings: [],
        unmatched: { default: undefined, unmapped: 'reject' },
      },
    ]);
    expect(result.mappings[1].changes).toEqual([
      { kind: 'retargeted', before: 'telephone2', after: 'telephone1', source: 'from phone_home' },
    ]);
    expect(result.schema.tables).toEqual([]);
    expect(result.schema.flags).toEqual([]);
    expect(result.loadOrder).toBeUndefined();
    expect(result.settings).toEqual([]);
    expect(result.risks.map((r: { kind: string }) => r.kind)).toEqual([
      'value-map-retargeted',
      'field-retargeted',
    ]);

    const md = await flitstack(dir, 'diff', '--base', 'HEAD~1');
    expect(md.code).toBe(1);
    expect(md.out).toContain('Base `HEAD~1` → head `working tree`.');
    expect(md.out).toContain('**2 risk notes**');
    expect(md.out).toContain(
      '- **Value map `coverage-type` of `insurance` gives 1 source value another value on `fs_coveragetype`: "emergency\\_only": Emergency only (100003769) → Partial (100008186).**',
    );
    expect(md.out).toContain('- **`patient` writes `telephone1` instead of `telephone2`.**');
    expect(md.out).toContain('| emergency\\_only | Emergency only (100003769) | Partial (100008186) |');
    expect(md.out.match(/<details>/g)).toHaveLength(2);
  });

  it('runs as the installed bin: node bin/flitstack.js diff --base HEAD~1 --head HEAD in the repository', async () => {
    const dir = await repository();
    const child = await exec(
      process.execPath,
      [join(ROOT, 'bin/flitstack.js'), 'diff', '--base', 'HEAD~1', '--head', 'HEAD'],
      {
        cwd: dir,
      },
    ).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(child.code).toBe(1);
    expect(child.stdout).toContain('Base `HEAD~1` → head `HEAD`.');
    expect(child.stdout).toContain('2 mappings changed (`insurance`, `patient`)');
  });

  it('exits 0 with "No change" when the spec is unchanged, and 2 on a name that is neither ref nor directory', async () => {
    const dir = await repository();
    const same = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(same.code).toBe(0);
    expect(same.out).toContain('No change: both specs give the same mappings, schema plan and load order.');
    const unknown = await flitstack(dir, 'diff', '--base', 'no-such-branch');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("error: base: 'no-such-branch' is not a directory or a git ref");
    const option = await flitstack(dir, 'diff', '--base', '--upload-pack=x');
    expect(option.code).toBe(2);
  });

  it('refuses a folder that holds no spec with exit 2, without reading the YAML files under it', async () => {
    const dir = await repository();
    const other = tempDir();
    mkdirSync(join(other, 'config'));
    writeFileSync(join(other, 'config', 'settings.yaml'), 'token: abc\n');
    const result = await flitstack(dir, 'diff', '--base', other);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      `error: base: ${other} holds no spec (no migration.yaml in it, nor in ${join(other, 'spec')}/): give a spec folder, a folder holding spec/, or a git ref`,
    );
    expect(result.err).not.toContain('FS005');
    expect(result.out).toBe('');
  });

  it('reads a ref as committed, whatever .gitattributes says for archives (export-ignore)', async () => {
    const dir = await repository();
    writeFileSync(join(dir, '.gitattributes'), 'spec/valuemaps/coverage-type.yaml export-ignore\n');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Archive attributes');
    const same = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
  });

  it('reads a git ref as it reads a folder: links followed, a broken link and bytes that are not UTF-8 reported', async () => {
    const dir = await repository();
    // A value map kept outside spec/ and linked in: the link is read as the file it points to.
    mkdirSync(join(dir, 'shared'));
    renameSync(join(dir, 'spec/valuemaps/coverage-type.yaml'), join(dir, 'shared/coverage-type.yaml'));
    symlinkSync('../../shared/coverage-type.yaml', join(dir, 'spec/valuemaps/coverage-type.yaml'));
    // The object mappings kept outside spec/ and the folder linked in: its files are read through it.
    renameSync(join(dir, 'spec/objects'), join(dir, 'shared/objects'));
    symlinkSync('../shared/objects', join(dir, 'spec/objects'));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Coverage types and objects shared');
    const same = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    expect(same.out).toContain('No change');

    symlinkSync('missing.yaml', join(dir, 'spec/valuemaps/dangling.yaml'));
    symlinkSync('..', join(dir, 'spec/valuemaps/up'));
    const patient = join(dir, 'spec/objects/patient.yaml');
    const text = readFileSync(patient, 'latin1');
    expect(text).toContain('label: Referral source');
    writeFileSync(
      patient,
      Buffer.from(text.replace('label: Referral source', 'label: Référral source'), 'latin1'),
    );
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'A dangling link and a Latin-1 file');
    const broken = await flitstack(dir, 'diff', '--base', 'HEAD', '--head', 'HEAD~1');
    expect(broken.code).toBe(2);
    expect(broken.err).toContain('diff: the base spec (HEAD) does not validate:');
    expect(broken.err).not.toContain('the head spec');
    expect(broken.err).toContain("error FS007: this link points to 'missing.yaml', which does not exist");
    expect(broken.err).toContain(
      "error FS007: this link points to '..', a folder it is itself in, so it is not followed",
    );
    expect(broken.err).toMatch(
      /spec\/objects\/patient\.yaml:\d+:\d+: error FS008: this file is not UTF-8 text: byte 0xE9/,
    );
  });

  it('reads a link to a folder that holds no YAML file at a git ref as the empty folder it is', async () => {
    const dir = await repository();
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'notes/README.md'), 'Mapping notes.\n');
    symlinkSync('../notes', join(dir, 'spec/notes'));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Notes beside the spec');
    const same = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    expect(same.out).toContain('No change');
  });

  it('reads a spec folder that is itself a link, and a link reached through another, at a git ref', async () => {
    const dir = await repository();
    mkdirSync(join(dir, 'config'));
    renameSync(join(dir, 'spec'), join(dir, 'config/spec'));
    symlinkSync('config/spec', join(dir, 'spec'));
    // valuemaps/ through a hidden link to the folder that holds it.
    renameSync(join(dir, 'config/spec/valuemaps'), join(dir, 'config/maps'));
    symlinkSync('..', join(dir, 'config/spec/.up'));
    symlinkSync('.up/maps', join(dir, 'config/spec/valuemaps'));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Spec kept under config/');
    const same = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
  });

  it('writes nothing outside its folder for a crafted tree that names a file under a link', async () => {
    const dir = await repository();
    const outside = tempDir('flitstack-outside-');
    // A tree git itself would not make: a link `a` to a folder outside, and a file `a/pwned.yaml`.
    const object = async (type: string, content: Buffer) => {
      const file = join(tempDir(), 'object');
      writeFileSync(file, content);
      const { stdout } = await git(dir, 'hash-object', '-w', '-t', type, '--literally', file);
      return stdout.trim();
    };
    const entry = (mode: string, name: string, oid: string) =>
      Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]);
    const link = await object('blob', Buffer.from(outside));
    const file = await object('blob', Buffer.from('pwned: true\n'));
    const spec = (await git(dir, 'rev-parse', 'HEAD:spec')).stdout.trim();
    const tree = await object(
      'tree',
      Buffer.concat([
        entry('120000', 'a', link),
        entry('100644', 'a/pwned.yaml', file),
        entry('40000', 'spec', spec),
      ]),
    );
    const commit = (await git(dir, 'commit-tree', tree, '-m', 'Crafted')).stdout.trim();
    await git(dir, 'update-ref', 'refs/heads/crafted', commit);
    const result = await flitstack(dir, 'diff', '--base', 'crafted');
    expect(existsSync(join(outside, 'pwned.yaml'))).toBe(false);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });

  it('refuses a spec holding a git submodule, whose files a ref does not hold, naming it', async () => {
    const dir = await repository();
    const head = (await git(dir, 'rev-parse', 'HEAD')).stdout.trim();
    writeFileSync(join(dir, '.gitmodules'), '[submodule "maps"]\n\tpath = spec/vendor\n\turl = ../maps\n');
    await git(dir, 'update-index', '--add', '--cacheinfo', `160000,${head},spec/vendor`);
    await git(dir, 'add', '.gitmodules');
    await git(dir, 'commit', '-q', '-m', 'Value maps from another repository');
    const result = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'error: base: the spec reads spec/vendor, a git submodule, whose files HEAD does not hold; compare with a directory instead (--base <dir>)',
    );
  });

  it('refuses a link that leads out of the repository, at a ref, instead of reading what is there now', async () => {
    const dir = await repository();
    const outside = tempDir('flitstack-outside-');
    renameSync(join(dir, 'spec/valuemaps'), join(outside, 'valuemaps'));
    symlinkSync(join(outside, 'valuemaps'), join(dir, 'spec/valuemaps'));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Value maps kept outside');
    // Read as a folder, the link is followed; at a ref, the files it leads to are not in the tree.
    expect((await flitstack(dir, 'validate')).code).toBe(0);
    const direct = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(direct.code).toBe(2);
    expect(direct.err).toContain(
      'error: base: the spec reads spec/valuemaps, a link that leads out of the repository, to files HEAD does not hold; compare with a directory instead (--base <dir>)',
    );
    // Reached through a link inside the spec that leads to a link leaving the repository.
    rmSync(join(dir, 'spec/valuemaps'));
    symlinkSync(join(outside, 'valuemaps'), join(dir, 'maps'));
    symlinkSync('../maps', join(dir, 'spec/valuemaps'));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'Value maps through a link at the top');
    const through = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(through.code).toBe(2);
    expect(through.err).toContain(
      'error: base: the spec reads maps, a link that leads out of the repository',
    );
  });

  it('refuses a chain of links whose text stays in the repository but whose real path leaves it', async () => {
    const dir = await repository();
    const outside = tempDir('flitstack-outside-');
    writeFileSync(join(outside, 'leak.yaml'), 'leaked: true\n');
    const name = basename(outside);
    // l leads to spec/; x reads l/../../../<name>: as text spec/<name> (which exists); for real, two
    // folders above the tree's top, where the temporary folder a ref is written to sits beside <name>.
    mkdirSync(join(dir, 'spec/a/b'), { recursive: true });
    mkdirSync(join(dir, 'spec', name));
    writeFileSync(join(dir, 'spec', name, 'keep.txt'), '');
    symlinkSync('../..', join(dir, 'spec/a/b/l'));
    symlinkSync(`l/../../../${name}`, join(dir, 'spec/a/b/x'));
    expect(dirname(dir)).toBe(dirname(outside));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'A chain of links');
    const result = await flitstack(dir, 'diff', '--base', 'HEAD');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'error: base: the spec reads spec/a/b/x, a link that leads out of the repository',
    );
  });

  it('reads --spec inside a git ref from a subdirectory of the repository', async () => {
    const dir = await repository();
    mkdirSync(join(dir, 'docs'));
    const result = await flitstack(
      join(dir, 'docs'),
      'diff',
      '--base',
      'HEAD~1',
      '--head',
      'HEAD',
      '--spec',
      '../spec',
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(1);
    expect(result.out).toContain('2 mappings changed');
  });
});

describe('flitstack diff with directories', () => {
  it('compares a checkout holding spec/ with a spec directory', async () => {
    const before = tempDir();
    cpSync(join(ROOT, 'spec'), join(before, 'spec'), { recursive: true });
    const after = tempDir();
    cpSync(join(ROOT, 'spec'), join(after, 'spec'), { recursive: true });
    edit(after, 'objects/clinic.yaml', 'prefix: clinic-', 'prefix: site-');
    const result = await flitstack(after, 'diff', '--base', before, '--head', 'spec');
    expect(result.code).toBe(1);
    expect(result.out).toContain('- **Key of `clinic` changed.**');
    expect(result.out).toContain(`Base \`${join(before, 'spec')}\` → head \`spec\`.`);
  });

  it('names the side that does not validate and prints its diagnostics, exit 2', async () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
    cpSync(join(ROOT, 'spec'), join(dir, 'broken'), { recursive: true });
    const file = join(dir, 'broken/objects/patient.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('from: first_name', 'from: frist_name'));
    const text = await flitstack(dir, 'diff', '--base', 'broken');
    expect(text.code).toBe(2);
    expect(text.out).toBe('');
    expect(text.err).toContain('diff: the base spec (broken) does not validate:');
    expect(text.err).toContain('broken/objects/patient.yaml:');
    expect(text.err).toContain("error FS102: unknown source field 'frist_name'");
    const json = await flitstack(dir, 'diff', '--base', 'spec', '--head', 'broken', '--format', 'json');
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.out);
    expect(parsed.invalid.map((i: { side: string }) => i.side)).toEqual(['head']);
    expect(parsed.invalid[0].diagnostics.some((d: { code: string }) => d.code === 'FS102')).toBe(true);
  });

  it('masks a secret a diagnostic quotes in its JSON, as validate does', async () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'spec'), join(dir, 'spec'), { recursive: true });
    cpSync(join(ROOT, 'spec'), join(dir, 'leaky'), { recursive: true });
    const key = 'phk_A1b2C3d4E5f6G7h8J9k0L1m2-eu';
    const file = join(dir, 'leaky/migration.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/account: [^,}\n]+/, `account: ${key}`));
    const json = await flitstack(dir, 'diff', '--base', 'spec', '--head', 'leaky', '--format', 'json');
    expect(json.code).toBe(2);
    expect(json.out).toContain('*'.repeat(8));
    expect(json.out).not.toContain(key);
    expect(json.err).not.toContain(key);
  });

  it('requires --base (exit 2)', async () => {
    const result = await flitstack(ROOT, 'diff');
    expect(result.code).toBe(2);
    expect(result.err).toContain("required option '--base <ref|dir>' not specified");
  });
});
