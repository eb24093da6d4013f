import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, editFile, specCopy } from '../audit/helpers.ts';

const ACKNOWLEDGE = /\nacknowledge:\n(?: {2}.*\n)+/;
const OVER = '# over the limit: contact gets';

/** `propose --only` on a copy of the shipped spec; `edit` changes the copy first. */
async function proposed(only: string, edit: (spec: string) => void = () => undefined) {
  const dir = specCopy(edit);
  const res = await cli(dir, { PATH: process.env.PATH }, 'propose', '--only', only);
  const text = (file: string) => readFileSync(join(dir, 'spec', file), 'utf8');
  return { ...res, text };
}

describe('flitstack propose, past the custom column limit of Sales Professional', () => {
  it('warns, naming the table, its count and the drafts that take it there, and marks those drafts', async () => {
    const res = await proposed('insurance_policies,practitioners', (spec) =>
      editFile(spec, 'migration.yaml', ACKNOWLEDGE, '\n'),
    );
    expect(res.code).toBe(0);
    const warning = res.err.split('\n').find((l) => l.startsWith('propose: warning:'));
    expect(warning).toMatch(
      /^propose: warning: the drafts take contact to (\d+)\/15 custom columns on Sales Professional \((\d+) without them\); a load will not start until this is resolved or acknowledged$/,
    );
    const [, count, before] = /to (\d+)\/15 .*\((\d+) without/.exec(warning!)!;
    const drafts = res.err.split('\n').find((l) => l.startsWith('  drafts adding them'))!;
    const listed = drafts.slice(drafts.indexOf(': ') + 2).split('; ');
    expect(listed.length).toBe(Number(count) - Number(before));
    expect(listed.length).toBeGreaterThan(0);
    expect(res.err).toContain('  hint: remove some of these drafts; or set license: enterprise;');
    // Each listed draft is marked on its proposed line, and no other line is.
    const files = [...new Set(listed.map((d) => d.slice(0, d.indexOf(': '))))];
    const marked = files.flatMap((f) =>
      res
        .text(f)
        .split('\n')
        .filter((l) => l.includes(OVER)),
    );
    expect(marked.length).toBe(listed.length);
    for (const line of marked) {
      expect(line).toMatch(
        /^\s+(proposed|note): .* {2}# over the limit: contact gets \d+\/15 custom columns on Sales Professional$/,
      );
      expect(line).toContain(`contact gets ${count}/15`);
    }
  });

  it('says nothing when the table is acknowledged in migration.yaml', async () => {
    const res = await proposed('insurance_policies,practitioners');
    expect(res.code).toBe(0);
    expect(res.err).not.toContain('custom columns on Sales Professional');
    expect(res.out).toContain('drafted line');
  });

  it('says nothing on the enterprise licence', async () => {
    const res = await proposed('insurance_policies,practitioners', (spec) => {
      editFile(spec, 'migration.yaml', ACKNOWLEDGE, '\n');
      editFile(spec, 'migration.yaml', /license: professional/, 'license: enterprise');
    });
    expect(res.code).toBe(0);
    expect(res.err).not.toContain('custom columns on Sales Professional');
  });
});
