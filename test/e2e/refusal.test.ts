import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, journalPath, sandboxes } from '../support/migration.ts';

let sb: Sandboxes;
beforeAll(async () => {
  sb = await sandboxes();
});
afterAll(() => sb?.close());

describe('flitstack run before the schema is applied', () => {
  it('refuses before the first write, naming each missing column, and exits 1', async () => {
    const result = await flitstack(sb, 'run', '--journal', journalPath());
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'refusing to load: the organisation lacks what the spec writes (nothing was written)',
    );
    // A custom column of the patient mapping and the alternate key it upserts through, by logical name.
    expect(result.err).toMatch(/contact\.fs_practicehubid\b/);
    expect(result.err).toMatch(/flitstack schema apply/);
    const stats = sb.dataverse.stats();
    expect(stats.recordsWritten).toBe(0);
    expect(sb.practicehub.stats().requests).toEqual({});
  });

  it('runs once the schema is applied', async () => {
    expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
    const result = await flitstack(sb, 'run', '--journal', journalPath(), '--rate', '1000');
    expect(result.err).not.toContain('error:');
    expect(result.code).toBe(0);
    expect(sb.dataverse.stats().recordsWritten).toBeGreaterThan(0);
  });
});
