import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import { type SampleResult, takeSample } from '../../runtime/sample/sample.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../support/migration.ts';
import { compiled, specVariant } from './support.ts';

let sb: Sandboxes;
let dir: string;
let result: SampleResult;
/** Each query the sample made: its entity set, whether it reads every row, and the data requests before it. */
const queries: { set: string; all: boolean; before: number }[] = [];
/** Data requests the client made in all. */
let made = 0;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-sample-requests-'));
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const spec = await compiled(specVariant({}));
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, spec.module, dir);
  const { dataverse } = deps;
  const query = dataverse.query.bind(dataverse);
  dataverse.query = ((set, options) => {
    queries.push({ set, all: options?.filter === undefined, before: dataverse.stats().requests.data });
    return query(set, options);
  }) as typeof dataverse.query;
  try {
    result = await takeSample({ ...deps, ir: spec.ir }, 100);
    made = dataverse.stats().requests.data;
  } finally {
    journal.close();
    await Promise.all([deps.practicehub.close(), dataverse.close()]);
  }
}, 90_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack sample, counting Dataverse requests', () => {
  it('reads the users and the connection roles once, for the selection, the run and the read-back', () => {
    expect(result.differences).toBe(0);
    // The directory reads every user and every role; the read-back reads systemuser rows by id.
    const directory = queries.filter((q) => q.all && ['systemusers', 'connectionroles'].includes(q.set));
    expect(directory.map((q) => q.set)).toEqual(['systemusers', 'connectionroles']);
  });

  it('counts only the read-back as read-back requests', () => {
    expect(result.requests.dataverseReadBack).toBeGreaterThan(0);
    const readBack = queries.filter((q) => q.before >= made - result.requests.dataverseReadBack);
    expect(readBack.length).toBeGreaterThan(0);
    for (const q of readBack) expect(q.all, `${q.set} read whole during the read-back`).toBe(false);
  });
});
