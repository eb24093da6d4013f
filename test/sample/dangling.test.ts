import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';

const MISSING = '130000000099999999';
let sb: Sandboxes;
let dir: string;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-sample-dangling-'));
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  // Every prescription now names a patient PracticeHub does not have.
  const ids = [...sb.practicehub.records('prescriptions')].map((p) => String(p.id));
  sb.practicehub.mutate({ resource: 'prescriptions', action: 'update', ids, patch: { patient_id: MISSING } });
}, 60_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack sample, with records whose parent PracticeHub lacks', () => {
  it('names the missing parent in its summary and its JSON, by resource and id', async () => {
    const args = [
      'sample',
      '--journal',
      join(dir, 'journal.db'),
      '--rate',
      '1000',
      '--out',
      join(dir, 'out'),
    ];
    const text = await flitstack(sb, ...args, '--archive-dir', join(dir, 'archive'));
    expect(text.out).toContain(
      `missing in PracticeHub, though sampled records refer to them: patients ${MISSING}; what refers to them is journaled`,
    );
    const json = await flitstack(sb, ...args, '--archive-dir', join(dir, 'archive'), '--format', 'json');
    expect((JSON.parse(json.out) as { dangling: string[] }).dangling).toEqual([`patients ${MISSING}`]);
  });
});
