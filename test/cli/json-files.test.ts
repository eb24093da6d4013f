import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

/*
 * A file given for a JSON report that does not parse (another file given by mistake: a log with
 * pre-images, a sample's report) is refused with exit 2 without quoting it: JSON.parse's message
 * quotes the text around where it stopped ("…"t pain"}, oops]}" is not valid JSON"), which may be
 * patient data.
 */

const NOT_JSON = '{"version": 1, "resources": [{"note": "Patient Quillingford has chest pain"}, oops]}';
const QUOTED = /chest|pain|oops|Quillingford/;

describe('a JSON report that is not JSON', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await sandboxes({ scale: 0.03 });
  }, 60_000);
  afterAll(() => sb?.close());

  it('given to propose --audit, is refused without quoting it', async () => {
    const file = join(tempDir(), 'audit.json');
    writeFileSync(file, NOT_JSON);
    const io = bufferIo(ROOT, {});
    expect(await run(['node', 'flitstack', 'propose', '--audit', file], io)).toBe(2);
    expect(io.stderr()).toContain(`${file} is not JSON`);
    expect(io.stderr()).not.toMatch(QUOTED);
  });

  it('given to run --rewrite --reconciled, is refused without quoting it', async () => {
    const file = join(tempDir(), 'reconcile.json');
    writeFileSync(file, NOT_JSON);
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const r = await flitstack(sb, 'run', '--journal', journalPath(), '--rewrite', '--reconciled', file);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${file} is not JSON`);
    expect(r.err).not.toMatch(QUOTED);
  });
});
