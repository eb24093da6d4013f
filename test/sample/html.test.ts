import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import { sampleHtml } from '../../runtime/sample/render.ts';
import { type SampleResult, takeSample } from '../../runtime/sample/sample.ts';
import { sampleView } from '../../runtime/sample/view.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, loadDeps, sandboxes } from '../support/migration.ts';
import { chromiumPath, compiled, specVariant } from './support.ts';

const LABEL_SCRIPT = '<script>window.__labelRan = true</script>';
const DATA_SCRIPT = '<script>window.__dataRan = true</script>';

let sb: Sandboxes;
let dir: string;
let browser: Browser;
let page: Page;
/** Every URL the page asked for: the report is one self-contained file. */
const requested: string[] = [];
let result: SampleResult;

/** The spec as reviewed: a custom column's label carries markup. */
const labelled = {
  'objects/patient.yaml': (t: string) =>
    t.replace('label: Referral source\n', `label: Referral source ${LABEL_SCRIPT}\n`),
};
/** The same spec with first and last name swapped: the mistake the sample must show. */
const swapped = {
  'objects/patient.yaml': (t: string) =>
    labelled['objects/patient.yaml'](t)
      .replace('{ to: firstname, from: first_name,', '{ to: firstname, from: last_name,')
      .replace('    from: last_name\n', '    from: first_name\n'),
};

beforeAll(async () => {
  const executablePath = chromiumPath();
  sb = await sandboxes({ scale: 0.05 });
  dir = mkdtempSync(join(tmpdir(), 'flitstack-sample-html-'));
  expect((await flitstack(sb, 'schema', 'apply')).code).toBe(0);
  const clinic = [...sb.practicehub.records('clinics')][1]!;
  sb.practicehub.mutate({
    resource: 'clinics',
    action: 'update',
    ids: [String(clinic.id)],
    patch: { name: `${DATA_SCRIPT} Harbour` },
  });
  const spec = await compiled(specVariant(labelled));
  const wrong = await compiled(specVariant(swapped));
  const journal = Journal.open(join(dir, 'journal.db'));
  const deps = loadDeps(sb, journal, wrong.module, dir);
  try {
    // The load runs the wrong generated code; the sample checks it against the spec's interpreter.
    result = await takeSample({ ...deps, ir: spec.ir }, 150);
  } finally {
    journal.close();
    await Promise.all([deps.practicehub.close(), deps.dataverse.close()]);
  }
  const file = join(dir, 'sample.html');
  writeFileSync(file, sampleHtml(sampleView(result, spec.ir)));
  browser = await chromium.launch({ executablePath });
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(pathToFileURL(file).href);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await sb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sample.html in headless Chromium', () => {
  it('flags a mismatch on every sampled patient when first and last name are swapped', async () => {
    const patients = page.locator('#mapping-patient .record');
    const sampled = result.comparisons.filter((c) => c.mapping === 'patient').length;
    expect(sampled).toBeGreaterThan(20);
    expect(await patients.count()).toBe(sampled);
    const verdicts = await patients.evaluateAll((els) => els.map((e) => e.getAttribute('data-verdict')));
    expect(new Set(verdicts)).toEqual(new Set(['mismatch']));
    for (const record of await patients.all()) {
      const flagged = await record.locator('tr.mismatch td:first-child').allInnerTexts();
      expect(flagged.some((t) => t.startsWith('firstname') || t.startsWith('lastname'))).toBe(true);
    }
    await expect
      .poll(() => page.locator('#mapping-appointment .record[data-verdict="match"]').count())
      .toBeGreaterThan(10);
  });

  it('hides matching rows and records behind the filter, with no network and no script', async () => {
    const matching = page.locator('main tr.match');
    expect(await matching.first().isVisible()).toBe(true);
    await page.locator('#only-differences').check();
    const visible = await matching.evaluateAll(
      (rows) => rows.filter((r) => r.getClientRects().length > 0).length,
    );
    expect(visible).toBe(0);
    expect(await page.locator('#mapping-appointment').isVisible()).toBe(false);
    const mismatching = page.locator('#mapping-patient tr.mismatch');
    expect(await mismatching.first().isVisible()).toBe(true);
    await page.locator('#only-differences').uncheck();
    expect(await page.locator('#mapping-appointment').isVisible()).toBe(true);
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatch(/^file:\/\/.*\/sample\.html$/);
  });

  it('shows markup from the source data and from a spec label as text; no script runs', async () => {
    const ran = await page.evaluate(
      '({ data: window.__dataRan, label: window.__labelRan, scripts: document.querySelectorAll("script").length })',
    );
    expect(ran).toEqual({ data: undefined, label: undefined, scripts: 0 });
    // What a person sees: the markup itself, as visible text.
    const data = page.locator('#mapping-clinic').getByText(`${DATA_SCRIPT} Harbour`).first();
    expect(await data.isVisible()).toBe(true);
    const label = page.locator('#mapping-patient').getByText(`Referral source ${LABEL_SCRIPT}`).first();
    expect(await label.isVisible()).toBe(true);
  });
});
