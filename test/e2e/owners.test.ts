import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import type { RunEvent } from '../../runtime/run/events.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { loadGenerated } from '../support/generated.ts';
import { FALLBACK_OWNER, loadDeps, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

const open: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** The shipped spec with `edit` applied to its files (path under spec/ → text, undefined: removed). */
async function editedSpec(
  edit: (files: Map<string, string>) => void,
  typecheck = false,
): Promise<{ plan: IrSchemaPlan; module: GeneratedModule }> {
  const input = readSpecDir('spec', ROOT);
  const files = new Map(input.files);
  edit(files);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck });
  const transformer = result.files.find((f) => f.path === 'generated/transformer.ts');
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.ir || !transformer || errors.length > 0)
    throw new Error(`the spec does not compile: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return { plan: result.ir.plan, module: await loadGenerated(transformer.contents) };
}

/** Sandboxes with the schema applied, and a run's dependencies on a fresh journal. */
async function prepared(module: GeneratedModule, plan: IrSchemaPlan) {
  const sb: Sandboxes = await sandboxes();
  open.push(() => sb.close());
  const dir = tempDir();
  const journal = Journal.open(join(dir, 'journal.db'));
  open.push(() => journal.close());
  const deps = loadDeps(sb, journal, module, dir);
  open.push(() => Promise.all([deps.practicehub.close(), deps.dataverse.close()]));
  const applied = await applySchema(deps.dataverse, plan, module.TABLES, { keyTimeoutMs: 30_000 });
  expect(applied.remaining).toEqual([]);
  return { sb, journal, deps };
}

/** Each appointment's owner as the full spec resolves it: the practitioner's one enabled user, else the fallback. */
function expectedAppointmentOwners(sb: Sandboxes): { owners: Map<string, string>; fallback: string } {
  const users = sb.dataverse.snapshot(['systemuser']).tables.systemuser ?? [];
  const byEmail = new Map(users.map((u) => [String(u.internalemailaddress).toLowerCase(), u]));
  const fallback = String(byEmail.get(FALLBACK_OWNER)!.systemuserid);
  const staff = new Map([...sb.practicehub.records('practitioners')].map((s) => [String(s.id), s]));
  const owners = new Map<string, string>();
  for (const a of sb.practicehub.records('appointments')) {
    const user = byEmail.get(String(staff.get(String(a.practitioner_id))?.email ?? '').toLowerCase());
    owners.set(
      `appointment-${a.id}`,
      user && user.isdisabled === false ? String(user.systemuserid) : fallback,
    );
  }
  return { owners, fallback };
}

function appointmentOwners(sb: Sandboxes): Map<string, string> {
  const rows = sb.dataverse.snapshot(['appointment']).tables.appointment ?? [];
  return new Map(rows.map((r) => [String(r.fs_practicehubid), (r.ownerid as { id: string }).id]));
}

describe('owners by staff id', () => {
  it('resolve as with the full spec when no mapping reads the staff resource, which the run reads for emails alone', async () => {
    const { plan, module } = await editedSpec((files) => {
      for (const f of ['staff-user', 'staff-contact', 'training-record'])
        expect(files.delete(`objects/${f}.yaml`)).toBe(true);
    });
    expect(Object.values(module.MAPPINGS).some((m) => m.source === 'practitioners')).toBe(false);
    const { sb, journal, deps } = await prepared(module, plan);
    const events: RunEvent[] = [];
    // Requests made at each pass's start: the staff read's are those before the next pass starts.
    const requestsAt: number[] = [];
    const result = await runMigration({
      ...deps,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'pass') requestsAt.push(deps.practicehub.stats().requests);
      },
    });
    expect(result.rejected).toBe(0);

    const { owners, fallback } = expectedAppointmentOwners(sb);
    expect([...owners.values()].filter((id) => id !== fallback).length).toBeGreaterThan(owners.size / 2);
    expect(appointmentOwners(sb)).toEqual(owners);

    // The staff read: one pass of id and email, a request per page, no more.
    const practitioners = sb.practicehub.counts().practitioners;
    const staffPages = events.filter((e) => e.type === 'page' && e.resource === 'practitioners');
    expect(events.filter((e) => e.type === 'pass' && e.resource === 'practitioners')).toEqual([
      { type: 'pass', resource: 'practitioners', mappings: ['owners.staff'], fromPage: 1 },
    ]);
    expect(staffPages).toHaveLength(Math.ceil(practitioners / 100));
    const passes = events.filter((e) => e.type === 'pass');
    expect(passes[0]).toMatchObject({ resource: 'practitioners' });
    // The run's "N passes" counts the staff read with the others.
    expect(events.find((e) => e.type === 'run')).toMatchObject({ passes: passes.length });
    expect(requestsAt[1]! - requestsAt[0]!).toBe(staffPages.length);
    expect(
      journal.staff.getMany([...sb.practicehub.records('practitioners')].map((s) => String(s.id))).size,
    ).toBe(practitioners);
  });

  it('a spec without owners (no owners.fallback, no owners.staff, no mapping with an owner) compiles and runs', async () => {
    const { plan, module } = await editedSpec((files) => {
      const migration = files.get('migration.yaml')!;
      const edited = migration.replace(/^owners:\n(?: {2}.*\n)+/m, '');
      expect(edited).not.toBe(migration);
      files.set('migration.yaml', edited);
      for (const f of ['appointment', 'policy-document', 'clinical-note', 'prescription']) {
        const text = files.get(`objects/${f}.yaml`)!;
        const without = text.replace(/^owner: .*\n/m, '');
        expect(without).not.toBe(text);
        files.set(`objects/${f}.yaml`, without);
      }
      // Type-checked as `flitstack compile` does: the generated MIGRATION must satisfy the runtime's type.
    }, true);
    expect(module.MIGRATION.staff).toBeUndefined();
    expect(module.MIGRATION.fallbackOwner).toBeUndefined();
    expect(Object.values(module.MAPPINGS).some((m) => m.owner)).toBe(false);
    const { sb, deps } = await prepared(module, plan);
    const result = await runMigration(deps);
    expect(result.rejected).toBe(0);
    expect(result.unbalanced).toEqual([]);
    expect(result.summary.appointment?.loaded).toBe(sb.practicehub.counts().appointments);
  });
});
