import { describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { optionValue } from '../../compiler/model/options.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { ROOT } from '../support/tmp.ts';

const validators = createSchemaValidators();
const plan = (input: ReturnType<typeof caseSpec>) => {
  const result = compileSpec(input, validators, { typecheck: false });
  return {
    result,
    plan: JSON.parse(result.files.find((f) => f.path.endsWith('.json'))?.contents ?? 'null'),
    markdown: result.files.find((f) => f.path.endsWith('.md'))?.contents ?? '',
  };
};

describe('the schema plan', () => {
  it('flags 16 custom columns on contact (professional): a blocking flag with the ways out, and the validator warning', () => {
    const { result, plan: json, markdown } = plan(caseSpec('custom-columns-16', 'spec', COMPILE_CASES_DIR));
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning FS114']);
    expect(json.flags).toEqual([
      expect.objectContaining({
        kind: 'custom-columns-per-table',
        table: 'contact',
        count: 16,
        limit: 15,
        blocking: true,
      }),
    ]);
    expect(json.flags[0].resolutions).toEqual(
      expect.arrayContaining([
        expect.stringContaining('enterprise'),
        expect.stringContaining('custom table'),
        expect.stringContaining('delimited text'),
      ]),
    );
    expect(markdown).toContain('**Blocking:** custom columns on contact: **16/15** on Sales Professional.');
    expect(markdown).toContain('### `contact`: 16 custom columns, 16/15');
  });

  it('16 custom tables: an error on Sales Professional, no flag on Enterprise', () => {
    const professional = compileSpec(caseSpec('FS115-custom-tables'), validators, { typecheck: false });
    expect(professional.files).toEqual([]);
    expect(professional.diagnostics.map((d) => d.code)).toContain('FS115');
    const {
      result,
      plan: json,
      markdown,
    } = plan(caseSpec('custom-tables-16-enterprise', 'spec', COMPILE_CASES_DIR));
    expect(result.diagnostics).toEqual([]);
    expect(json.flags).toEqual([]);
    expect(json.tables.filter((t: { custom?: unknown }) => t.custom)).toHaveLength(16);
    expect(markdown).toContain('Sales Enterprise: no limit on custom tables or columns per table.');
  });

  it('keeps choice option values stable when options are added, removed or reordered', () => {
    const values = (options: string[]) =>
      Object.fromEntries(options.map((key) => [key, optionValue(10000, { key, value: undefined })]));
    const before = values(['paid', 'pending', 'failed']);
    const after = values(['refunded', 'failed', 'paid', 'disputed']);
    expect(after.paid).toBe(before.paid);
    expect(after.failed).toBe(before.failed);
    expect(Object.values(after).every((v) => v >= 100_000_000 && v <= 100_009_999)).toBe(true);
    expect(optionValue(10000, { key: 'paid', value: 100_000_042 })).toBe(100_000_042);
  });

  it('keeps option values stable through a compile when an option is added to the spec', () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const before = plan(input).plan;
    const file = 'objects/clinic.yaml';
    const added = new Map(input.files);
    added.set(
      file,
      input.files
        .get(file)!
        .replace('        plain: "Plain */"', '        alpha: Alpha\n        plain: "Plain */"'),
    );
    const after = plan({ root: input.root, files: added }).plan;
    const options = (p: typeof before) =>
      p.tables
        .flatMap((t: { columns: { name: string; options: { key: string; value: number }[] }[] }) => t.columns)
        .find((c: { name: string }) => c.name === 'fs_kind').options;
    const old = Object.fromEntries(
      options(before).map((o: { key: string; value: number }) => [o.key, o.value]),
    );
    const now = Object.fromEntries(
      options(after).map((o: { key: string; value: number }) => [o.key, o.value]),
    );
    expect(now.plain).toBe(old.plain);
    expect(now.tricky).toBe(old.tricky);
    expect(now.alpha).toBeGreaterThan(0);
  });

  it('names an alternate key within the 50 characters of an identifier when <column>_key would pass them', () => {
    const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
    const long = 'fs_practicehubidentifierofthepatientrecordxxxxx';
    const files = new Map(
      [...input.files].map(([path, text]) => [
        path,
        path.startsWith('objects/') ? text.replaceAll('fs_practicehubid', long) : text,
      ]),
    );
    const { result, plan: json } = plan({ root: input.root, files });
    expect(result.diagnostics).toEqual([]);
    const keys = json.tables.flatMap((t: { keys: { name: string; columns: string[] }[] }) => t.keys);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key.columns).toEqual([long]);
      expect(key.name).toMatch(/^fs_practicehubidentifierofthepatientrecor_[0-9a-f]{8}$/);
      expect(key.name.length).toBeLessThanOrEqual(50);
    }
    const { plan: shipped } = plan(caseSpec('base', 'spec', COMPILE_CASES_DIR));
    expect(shipped.tables.flatMap((t: { keys: { name: string }[] }) => t.keys.map((k) => k.name))).toContain(
      'fs_practicehubid_key',
    );
  });

  it('shows the load order with the deferred parent-clinic lookup and the privileges', () => {
    const { plan: json } = plan(caseSpec('base', 'spec', COMPILE_CASES_DIR));
    expect(json.loadOrder).toEqual([
      { mapping: 'clinic', table: 'account', dependsOn: [], deferred: ['parentaccountid'] },
      { mapping: 'patient', table: 'contact', dependsOn: ['clinic'], deferred: [] },
      { mapping: 'appointment', table: 'appointment', dependsOn: ['patient'], deferred: [] },
    ]);
    expect(json.privileges.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([expect.stringContaining('prvOverrideCreatedOnCreatedBy'), 'Assign']),
    );
  });

  it('defers only the lookups inside a cycle: a patient that points to patients still loads after the clinics', () => {
    const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const source = files.get('source/practicehub.yaml')!;
    const guardian = '      guardian_id: { type: id, nullable: true, references: patients }\n';
    files.set('source/practicehub.yaml', source.replace(/( {2}patients:\n {4}fields:\n)/, `$1${guardian}`));
    const lookup =
      '  - { to: fs_guardianid, from: guardian_id, lookup: { object: patient }, custom: { type: lookup, target: contact, label: Guardian } }\n';
    files.set('objects/patient.yaml', `${files.get('objects/patient.yaml')!}${lookup}`);
    const { result, plan: json } = plan({ ...input, files });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(json.loadOrder).toEqual([
      { mapping: 'clinic', table: 'account', dependsOn: [], deferred: ['parentaccountid'] },
      { mapping: 'patient', table: 'contact', dependsOn: ['clinic'], deferred: ['fs_guardianid'] },
      { mapping: 'appointment', table: 'appointment', dependsOn: ['patient'], deferred: [] },
    ]);
  });

  it('asks Read on the users the run matches owners against, and on the connection roles it finds by name', () => {
    const privileges = (json: { privileges: { name: string; tables: string[] }[] }) =>
      json.privileges.flatMap((p) => p.tables.map((t) => `${p.name} on ${t}`));
    // base: appointments owned by practitioners, and no mapping writes systemuser.
    expect(privileges(plan(caseSpec('base', 'spec', COMPILE_CASES_DIR)).plan)).toEqual(
      expect.arrayContaining(['Read on systemuser', 'Assign on appointment']),
    );
    // The shipped spec: patient-clinic connections with the roles Clinic and Patient.
    const shipped = plan(readSpecDir('spec', ROOT)).plan;
    expect(shipped.connectionRoles.length).toBeGreaterThan(0);
    expect(privileges(shipped)).toEqual(
      expect.arrayContaining(['Read, Write on systemuser', 'Read on connectionrole']),
    );
  });

  it("lists the Read the fallback owner's security role needs on every table whose rows get an owner, the check run makes before it writes", () => {
    const input = caseSpec('base', 'spec', COMPILE_CASES_DIR);
    const owned = plan(input);
    expect(owned.plan.fallbackOwner).toEqual({ email: 'owner@example.com', tables: ['appointment'] });
    expect(owned.markdown).toContain(
      '- [ ] The fallback owner **owner@example.com** (owners.fallback in migration.yaml) holds a security role with Read on `appointment`',
    );
    const file = 'objects/appointment.yaml';
    const files = new Map(input.files);
    files.set(file, input.files.get(file)!.replace('owner: { staff: practitioner_id }\n', ''));
    const unowned = plan({ root: input.root, files });
    expect(unowned.result.diagnostics).toEqual([]);
    expect(unowned.plan.fallbackOwner).toBeUndefined();
    expect(unowned.markdown).not.toContain('Security roles of the record owners');
  });
});
