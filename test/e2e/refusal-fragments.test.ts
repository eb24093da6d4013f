import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, sandboxes } from '../support/migration.ts';
import { tempDir } from '../support/tmp.ts';

/*
 * A plug-in's refusal may quote part of a value rather than the whole of it: the first 40 characters
 * of a clinical note, the street of an address line. Such parts must be masked in everything the
 * commands print and write (the run's output, `flitstack log` in each format, `flitstack runs`, the
 * reconcile report), while the plug-in's own wording stays readable.
 */

/** Characters of a note's text the note plug-in quotes. */
const QUOTED = 40;
/** Notes and patients of each the plug-ins refuse. */
const REFUSED = 3;

/** The street of an address line: without its house number ("Victoria Road" of "111 Victoria Road"). */
const street = (line: unknown) => String(line).replace(/^\d+\s+/, '');

describe('a refusal quoting part of a long value', () => {
  let sb: Sandboxes;
  const notes = new Set<string>();
  const patients = new Set<string>();
  beforeAll(async () => {
    sb = await sandboxes({
      scale: 0.03,
      seed: 23,
      dataverse: {
        plugins: [
          {
            table: 'annotation',
            refuse: (row) =>
              notes.has(String(row.notetext))
                ? `Clinical notes are kept in the records system: "${String(row.notetext).slice(0, QUOTED)}…" was not copied.`
                : undefined,
          },
          {
            table: 'contact',
            refuse: (row) =>
              patients.has(String(row.fs_practicehubid))
                ? `Patients living on ${street(row.address1_line1)} are served by another practice.`
                : undefined,
          },
        ],
      },
    });
    const addressed = [...sb.practicehub.records('patients')].filter(
      (p) => typeof p.address_line_1 === 'string' && street(p.address_line_1).length >= 9,
    );
    for (const p of addressed.slice(0, REFUSED)) patients.add(`patient-${p.id}`);
    // Notes of patients the other plug-in lets through (a note of a refused patient waits for its row).
    const bodies = [...sb.practicehub.records('clinical_notes')]
      .filter((n) => !patients.has(`patient-${n.patient_id}`))
      .map((n) => n.body)
      .filter((b): b is string => typeof b === 'string' && b.length > 2 * QUOTED);
    for (const body of bodies.slice(0, REFUSED)) notes.add(body);
  }, 60_000);
  afterAll(() => sb?.close());

  it('is masked in the output, the journal, the log and the reports', async () => {
    const dir = tempDir('flitstack-fragments-');
    const journal = join(dir, 'journal.db');
    const said: string[] = [];
    const cli = async (...args: string[]) => {
      const r = await flitstack(sb, ...args);
      said.push(r.out, r.err);
      return r;
    };
    expect((await cli('schema', 'apply')).code).toBe(0);
    const run = await cli('run', '--journal', journal, '--rate', '1000');
    expect(run.code, run.err).toBe(1);
    for (const format of ['csv', 'json'])
      expect((await cli('log', '--run', '1', '--journal', journal, '--format', format)).code).toBe(0);
    expect((await cli('log', '--run', '1', '--journal', journal, '--out', join(dir, 'run.csv'))).code).toBe(
      0,
    );
    await cli('runs', '--run', '1', '--journal', journal);
    await cli('reconcile', '--journal', journal, '--rate', '1000', '--out', join(dir, 'reconcile'));
    const files = ['run.csv', ...readdirSync(join(dir, 'reconcile')).map((f) => join('reconcile', f))];
    const text = [...said, ...files.map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');

    // The refusals reached the log, with the plug-ins' wording and the quoted parts masked.
    // (the note's refusal as `log --format json` escapes its quotes)
    expect(text).toContain(
      String.raw`Clinical notes are kept in the records system: \"<value>…\" was not copied.`,
    );
    expect(text).toContain('Patients living on <value> are served by another practice.');
    const quoted = [
      ...[...notes].map((body) => body.slice(0, QUOTED)),
      ...[...sb.practicehub.records('patients')]
        .filter((p) => patients.has(`patient-${p.id}`))
        .map((p) => street(p.address_line_1)),
    ];
    expect(quoted).toHaveLength(2 * REFUSED);
    // As the text holds them, or as JSON escapes them.
    const leaked = quoted.filter((q) => text.includes(q) || text.includes(JSON.stringify(q).slice(1, -1)));
    expect(leaked).toEqual([]);
  }, 120_000);
});
