import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../runtime/audit/index.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import { type Sandboxes, startSandboxes } from '../../sandbox/index.ts';
import { ROOT } from '../support/tmp.ts';
import { cli, editFile, setRate, specCopy } from './helpers.ts';

const MODEL = 'spec/source/practicehub.yaml';
const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

/** Whether every line of `before` is in `after`, in order (lines may be added between them). */
function keepsLines(before: string, after: string): boolean {
  const lines = after.split('\n');
  let at = 0;
  for (const line of before.split('\n')) {
    const found = lines.indexOf(line, at);
    if (found < 0) return false;
    at = found + 1;
  }
  return true;
}

describe('flitstack audit', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ rate: 10_000, scale: 0.2 });
  });
  afterAll(async () => sb.close());

  it('stops with exit 2 naming PRACTICEHUB_BASE_URL when every resource answers 404, and writes no model', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const model = read(dir, MODEL);
    const root = sb.env.PRACTICEHUB_BASE_URL!.replace('/{region}/api', '');
    const result = await cli(dir, { ...sb.env, PRACTICEHUB_BASE_URL: root }, 'audit', '--write-model');
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error: PracticeHub answered 404 for every resource (`);
    expect(result.err).toContain(`e.g. GET ${root}/`);
    expect(result.err).toContain('Check PRACTICEHUB_BASE_URL');
    expect(read(dir, MODEL)).toBe(model);
  });

  it('refuses to start without its environment, naming what is missing (exit 2)', async () => {
    const dir = specCopy();
    const result = await cli(dir, {}, 'audit', '--target');
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'PRACTICEHUB_API_KEY, DATAVERSE_URL, AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET',
    );
    const bad = await cli(dir, { ...sb.env, PRACTICEHUB_API_KEY: 'phk_wrong-us' }, 'audit');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("belongs to region 'us'");
    expect(bad.err).not.toContain('phk_wrong-us');
  });

  it('writes audit.md and audit.json without PHI values, and exits 0 when the source matches the model', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const result = await cli(dir, sb.env, 'audit', '--sample-pages', '1');
    expect(result.err).toContain('audit: patients: 400 records, 100 sampled from 1 page');
    expect(result.code).toBe(0);
    const report = JSON.parse(read(dir, '.flitstack/audit/audit.json')) as AuditReport;
    expect(report.resources.find((r) => r.resource === 'appointments')?.total).toBe(2000);
    const markdown = read(dir, '.flitstack/audit/audit.md');
    expect(markdown).toContain('| appointments | yes | 2,000 | 100 |');
    expect(markdown).toContain('The live source matches the model.');
    const patients = [...sb.practicehub.records('patients')].slice(0, 100);
    for (const text of [markdown, JSON.stringify(report)]) {
      for (const p of patients.slice(0, 20)) {
        if (typeof p.email === 'string' && p.email) expect(text).not.toContain(p.email);
        if (typeof p.last_name === 'string' && p.last_name.length > 3)
          expect(text).not.toContain(`\`${p.last_name}\``);
      }
      expect(text).not.toContain(sb.practicehub.apiKey);
    }
  });

  it('audit.md counts the same PHI fields in its Resources and Fields tables and says what is from the sample', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const result = await cli(dir, sb.env, 'audit', '--sample-pages', '1');
    expect(result.code).toBe(0);
    const markdown = read(dir, '.flitstack/audit/audit.md');
    const section = (heading: string) => markdown.split(`\n${heading}\n`)[1]!.split('\n## ')[0]!;
    const rows = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| ---'))
        .map((l) => l.slice(2, -2).split(' | '));
    const [head, ...resources] = rows(section('## Resources'));
    const phiColumn = head!.indexOf('PHI fields');
    expect(phiColumn).toBeGreaterThan(0);
    const fields = section('## Fields');
    const flagged = (resource: string) => {
      const [fieldHead, ...list] = rows(fields.split(`\n### ${resource}\n`)[1]!.split('\n### ')[0]!);
      const phi = fieldHead!.indexOf('PHI');
      return list.filter((r) => r[phi]!.startsWith('yes')).map((r) => r[0]!);
    };
    for (const row of resources) expect(Number(row[phiColumn]), row[0]).toBe(flagged(row[0]!).length);
    // What comes from the sampled pages says so: 1 page of 100 of the 400 patients.
    expect(fields).toContain('come from the sampled pages (the first 1 page(s) of each resource)');
    const [patientHead] = rows(fields.split('\n### patients\n')[1]!.split('\n### ')[0]!);
    expect(patientHead).toEqual(expect.arrayContaining(['filled in sample', 'longest in sample']));
    // Not trivially equal: patients has PHI fields nested under custom_properties.
    expect(flagged('patients').some((f) => f.startsWith('custom\\_properties\\.'))).toBe(true);
  });

  it("--rate paces the audit and its estimate at the account's limit instead of the spec's", async () => {
    const dir = specCopy();
    const zero = await cli(dir, sb.env, 'audit', '--rate', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toContain("--rate must be a positive number, got '0'");
    const started = Date.now();
    const result = await cli(
      dir,
      sb.env,
      'audit',
      '--sample-pages',
      '0',
      '--rate',
      '500',
      '--format',
      'json',
    );
    expect(result.code).toBe(0);
    // At the spec's 1 request per second, these requests would take as many seconds.
    const report = JSON.parse(result.out) as AuditReport;
    expect(report.source.requests_per_second).toBe(500);
    expect(Date.now() - started).toBeLessThan(report.requests.made * 1000);
    if ('unavailable' in report.estimate) throw new Error(report.estimate.unavailable);
    expect(report.estimate.source.seconds).toBeLessThan(report.estimate.source.requests / 10);
  });

  it('reports drift with exit 1, and --write-model adds fields, marks unseen ones and keeps every line', async () => {
    const dir = specCopy((spec) => {
      setRate(spec, 1000);
      editFile(
        spec,
        'source/practicehub.yaml',
        '      occupation: { type: string, nullable: true, phi: true, description: Occupation. }\n',
        '',
      );
      editFile(
        spec,
        'source/practicehub.yaml',
        '      notes: { type: text, nullable: true, phi: true, description: Free-text notes on the patient file. }\n',
        '      notes: { type: text, nullable: true, phi: true, description: Free-text notes on the patient file. }\n      nhs_number: { type: string, nullable: true, phi: true, description: NHS number. }\n',
      );
    });
    const drift = await cli(dir, sb.env, 'audit', '--sample-pages', '1');
    expect(drift.code).toBe(1);
    expect(drift.out).toContain('1 new fields, 1 fields not seen');
    const before = read(dir, MODEL);
    const write = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--write-model');
    expect(write.code).toBe(0);
    const after = read(dir, MODEL);
    expect(keepsLines(before, after)).toBe(true);
    expect(after.startsWith('# yaml-language-server: $schema=../../schemas/source-model.schema.json\n')).toBe(
      true,
    );
    expect(after).toMatch(
      /\n {6}# not seen in audit on \d{4}-\d{2}-\d{2}: absent from all 100 sampled records\n {6}nhs_number:/,
    );
    expect(after).toMatch(
      /\n {6}occupation: \{ type: string, nullable: true, description: "Found by flitstack audit on [^"]+" \}\n/,
    );
    expect(after).toContain('    volume: 400\n');
    expect(after).toMatch(/\naudited: "\d{4}-\d{2}-\d{2} from account harbourside \(eu\)"\nresources:/);
    const valid = await cli(dir, {}, 'validate');
    expect(valid.out).toContain('0 errors');
    // Audited again: the model now holds the field; the comment is replaced, not repeated.
    const again = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--write-model');
    expect(again.out).toContain('0 new fields, 1 fields not seen');
    expect(read(dir, MODEL).match(/# not seen in audit/g)).toHaveLength(1);
    expect(read(dir, MODEL).match(/volume: 400/g)).toHaveLength(1);
  });

  it('--target rewrites the snapshot from the organisation; the spec still validates', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const result = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--target', '--format', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as AuditReport;
    // The organisation is named by its id: DATAVERSE_URL is a setting, kept out of reports and the spec.
    const orgId = report.target?.organization_id ?? '';
    expect(orgId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const snapshot = read(dir, 'spec/target/dataverse.yaml');
    const shipped = readFileSync(join(ROOT, 'spec/target/dataverse.yaml'), 'utf8');
    expect(snapshot).toContain(`taken_from: organisation ${orgId} on `);
    const host = new URL(sb.env.DATAVERSE_URL!).host;
    for (const text of [snapshot, result.out, read(dir, '.flitstack/audit/audit.md')])
      expect(text).not.toContain(host);
    expect(read(dir, '.flitstack/audit/audit.md')).toContain(
      `## Target organisation (${orgId.replaceAll('-', '\\-')})`,
    );
    expect(snapshot).toContain('      emailaddress2: { type: string, max_length: 100 }\n');
    // Nothing is deleted: every entry of the shipped snapshot is still there, in order, and so is every label.
    const keys = (text: string) =>
      text
        .split('\n')
        .map((l) => /^(\s*(?:#.*|[^:]+:))/.exec(l)?.[1] ?? l)
        .join('\n');
    // The one fact removed: record1id/record2id of connection are not application-required in the organisation.
    const required = /\n {10}required: application,\n/g;
    expect(shipped.match(required)).toHaveLength(2);
    expect(keepsLines(keys(shipped.replace(required, '\n')), keys(snapshot))).toBe(true);
    for (const label of shipped.match(/label: [^,}\n]*[^,}\n ]/g) ?? []) expect(snapshot).toContain(label);
    expect(snapshot.split('\n').slice(0, 3)).toEqual(shipped.split('\n').slice(0, 3));
    const contact = report.target?.tables.find((t) => t.table === 'contact');
    expect(contact?.found).toBe(true);
    expect(report.target?.plan.tables).toEqual([{ table: 'fs_payment', exists: false }]);
    expect(report.target?.plan.columns.every((c) => !c.exists)).toBe(true);
    const valid = await cli(dir, {}, 'validate');
    expect(valid.out).toContain('0 errors');
  });

  it('--target with a wrong AZURE_CLIENT_SECRET exits 2 before it reads PracticeHub', async () => {
    const served = () =>
      Object.values(sb.practicehub.stats().requests).reduce((n, k) => n + k.served + k.throttled, 0);
    const before = served();
    const secret = 'wrong-secret-value-1234';
    const dir = specCopy((spec) => setRate(spec, 1000));
    const result = await cli(dir, { ...sb.env, AZURE_CLIENT_SECRET: secret }, 'audit', '--target');
    expect(result.code).toBe(2);
    expect(result.err).toContain('audit: signing in to Dataverse');
    expect(result.err).toMatch(/error: .*token/i);
    expect(result.err).not.toContain(secret);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(served()).toBe(before);
    expect(result.out).toBe('');
  });
});

describe('flitstack audit --write-model, fields the model cannot name', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({ rate: 10_000, scale: 0.05 });
  });
  afterAll(async () => sb.close());

  it('leaves out a field named outside the model language, names it, writes the rest, with --target too (exit 1)', async () => {
    sb.practicehub.mutate({
      resource: 'patients',
      action: 'update',
      count: 40,
      patch: { custom_properties: { gpSurgery: 'Riverside', blood_group: 'A' } },
    });
    const dir = specCopy((spec) => setRate(spec, 1000));
    const before = read(dir, MODEL);
    const result = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--write-model', '--target');
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'audit: not added to the source model: patients field custom_properties.gpSurgery: a model name is lower-case letters, digits and _',
    );
    const after = read(dir, MODEL);
    expect(keepsLines(before, after)).toBe(true);
    expect(after).toMatch(/\n {10}blood_group: \{ type: /);
    expect(after).not.toContain('gpSurgery');
    expect(read(dir, 'spec/target/dataverse.yaml')).toMatch(/taken_from: organisation [0-9a-f-]{36} on /);
    expect(read(dir, '.flitstack/audit/audit.md')).toContain('gpSurgery');
    expect((await cli(dir, {}, 'validate')).out).toContain('0 errors');
  });
});

describe('flitstack audit --target, the custom tables and columns the organisation has already', () => {
  let sb: Sandboxes;
  beforeAll(async () => {
    sb = await startSandboxes({
      rate: 10_000,
      scale: 0.05,
      dataverse: {
        publishers: [
          { uniqueName: 'flitstack', friendlyName: 'FlitStack', prefix: 'fs', optionValuePrefix: 10001 },
          { uniqueName: 'legacy', friendlyName: 'Legacy', prefix: 'new', optionValuePrefix: 10002 },
        ],
      },
    });
    const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });
    const text = (schema: string, extra: Record<string, unknown> = {}) => ({
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: schema,
      DisplayName: label(schema),
      RequiredLevel: { Value: 'None' },
      MaxLength: 100,
      ...extra,
    });
    const client = new DataverseClient(optionsFromEnv(sb.env));
    await client.createAttribute('contact', text('new_LegacyFlag'), 'legacy');
    await client.createTable(
      {
        '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
        SchemaName: 'new_LegacyVisit',
        DisplayName: label('Legacy visit'),
        DisplayCollectionName: label('Legacy visits'),
        OwnershipType: 'UserOwned',
        IsActivity: false,
        HasActivities: false,
        HasNotes: false,
        Attributes: [text('new_Name', { IsPrimaryName: true })],
      },
      'legacy',
    );
    await client.close();
  });
  afterAll(async () => sb.close());

  it('records them in the snapshot, and the schema plan counts them toward the limits', async () => {
    const dir = specCopy((spec) => setRate(spec, 1000));
    const result = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--target', '--format', 'json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as AuditReport;
    expect(report.target?.custom_tables).toEqual(['new_legacyvisit']);
    expect(report.target?.tables.find((t) => t.table === 'contact')?.custom_columns).toEqual([
      'new_legacyflag',
    ]);
    const snapshot = read(dir, 'spec/target/dataverse.yaml');
    expect(snapshot).toContain('\n    custom_columns: [new_legacyflag]\n');
    expect(snapshot).toContain('\ncustom_tables: [new_legacyvisit]\n');
    // No empty list on the tables without custom columns.
    expect(snapshot.match(/custom_columns:/g)).toHaveLength(1);
    const again = await cli(dir, sb.env, 'audit', '--sample-pages', '1', '--target');
    expect(again.code).toBe(0);
    expect(read(dir, 'spec/target/dataverse.yaml').replace(/taken_from: .*/, '')).toBe(
      snapshot.replace(/taken_from: .*/, ''),
    );
    const compiled = await cli(dir, {}, 'compile');
    expect(compiled.code).toBe(0);
    const plan = read(dir, 'generated/schema-plan.md');
    expect(plan).toContain(
      'Custom tables: 2/15 on Sales Professional (licensing guide, Appendix D): 1 in this plan and 1 the organisation has already (`new_legacyvisit`).',
    );
    expect(plan).toMatch(
      /### `contact`: 24 custom columns and 1 of the organisation's own \(`new_legacyflag`\), 25\/15\n/,
    );
  });
});
