import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import type { SpecInput } from '../../compiler/load/spec-dir.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { Journal } from '../../runtime/journal/index.ts';
import { propose } from '../../runtime/propose/index.ts';
import { sampleHtml, sampleMarkdown } from '../../runtime/sample/render.ts';
import { type SampleResult, takeSample, unsampledMappings } from '../../runtime/sample/sample.ts';
import { sampleView } from '../../runtime/sample/view.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';
import { compiled } from './support.ts';

type Spec = Awaited<ReturnType<typeof compiled>>;

/**
 * The shipped spec with mappings drafted for two small resources (a few records each) and the drafts
 * accepted as they are: the sample reads them late, after the large resources have used the size.
 */
function withSmallResources(only: readonly string[]): SpecInput {
  const input = readSpecDir('spec', ROOT);
  const result = propose(input, createSchemaValidators(), { only });
  if ('refused' in result) throw new Error(result.refused.map((d) => d.message).join('\n'));
  const files = new Map(input.files);
  for (const f of result.files) files.set(f.path, f.contents.replace(/^\s*proposed: .*\n/gm, ''));
  return { root: input.root, files };
}

const SMALL = ['appointment_types', 'payment_methods'];
let sb: Sandboxes;
let dir: string;
let result: SampleResult;
let smallMappings: string[];
let spec: Spec;

beforeAll(async () => {
  sb = await sandboxes({ scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-sample-every-'));
  spec = await compiled(withSmallResources(SMALL));
  smallMappings = spec.ir.mappings.filter((m) => SMALL.includes(m.source)).map((m) => m.name);
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, spec.module, dir);
  try {
    await applySchema(deps.dataverse, spec.ir.plan, spec.module.TABLES);
    result = await takeSample({ ...deps, ir: spec.ir }, 40);
  } finally {
    journal.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
  }
}, 120_000);

afterAll(async () => {
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('flitstack sample, with small resources read late', () => {
  it('samples at least one record of every mapping whose source has records', () => {
    expect(smallMappings.length).toBe(2);
    for (const resource of SMALL) expect(result.selection.totals[resource], resource).toBeGreaterThan(0);
    for (const t of result.tallies) expect(t.records, t.mapping).toBeGreaterThan(0);
    expect(result.unsampled).toEqual([]);
  });

  it('keeps within the size: the one record per mapping of later resources is not spent on earlier ones', () => {
    const sampled = (r: string) => result.selection.chosen.get(r)?.size ?? 0;
    for (const resource of SMALL) expect(sampled(resource), resource).toBeLessThanOrEqual(2);
    // The criteria and the parents they need go past the size; the even spread alone does not.
    const spread = [...result.selection.chosen.values()]
      .flatMap((c) => [...c.values()])
      .filter((c) => c.reasons.includes('an ordinary record (even spread)')).length;
    expect(spread).toBeLessThanOrEqual(40);
  });

  it('flags a mapping left with no record in both reports', () => {
    const unsampled = [{ mapping: smallMappings[0]!, resource: SMALL[0]!, records: 7 }];
    const view = sampleView({ ...result, unsampled }, spec.ir);
    const text = sampleMarkdown(view);
    const md = (t: string) => t.replaceAll('_', '\\_');
    expect(text).toContain(
      `> **Not checked:** no record of mapping ${smallMappings[0]} was compared, though ${md(SMALL[0]!)} has 7 records, so its spec went unchecked; \\\`flitstack log --run ${result.run.run.id}\\\` shows`,
    );
    expect(text).toContain(`| ${smallMappings[0]} **(not sampled)** |`);
    expect(sampleMarkdown(sampleView(result, spec.ir))).not.toContain('Not checked');
    const html = sampleHtml(view);
    expect(html).toContain(
      `<strong>Not checked:</strong> no record of mapping ${smallMappings[0]} was compared`,
    );
    expect(html).toContain('<strong>(not sampled)</strong>');
  });

  it('counts as unsampled only a mapping whose source has records', () => {
    const tally = (mapping: string, records: number) => ({
      mapping,
      records,
      rows: records,
      match: records,
      mismatch: 0,
      missing: 0,
      notLoaded: 0,
      unexpected: 0,
    });
    const sources: Record<string, string> = { a: 'ra', b: 'rb', c: 'rc' };
    expect(
      unsampledMappings([tally('a', 0), tally('b', 0), tally('c', 2)], (m) => sources[m]!, {
        ra: 5,
        rb: 0,
        rc: 9,
      }),
    ).toEqual([{ mapping: 'a', resource: 'ra', records: 5 }]);
  });

  it('refuses a size below one record per mapping, as a usage error naming the size to give', async () => {
    const res = await flitstack(
      sb,
      ...['sample', '--size', '3', '--journal', join(dir, 'refused.db'), '--out', join(dir, 'out')],
    );
    const mappings = Object.keys((await import('../../generated/transformer.ts')).MAPPINGS).length;
    expect(res.code).toBe(2);
    expect(res.err).toContain(
      `error: --size 3 is less than the ${mappings} mappings of the spec: a sample holds at least one record of each mapping; give --size ${mappings} or more`,
    );
  });
});
