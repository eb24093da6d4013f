import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import * as shipped from '../../generated/transformer.ts';
import { UnknownEntitySetError } from '../../runtime/dataverse/index.ts';
import { Journal } from '../../runtime/journal/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { runMigration } from '../../runtime/run/pipeline.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { tableBody } from '../../runtime/schema/bodies.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { loadGenerated } from '../support/generated.ts';
import { clients, flitstack, journalPath, loadDeps, sandboxes } from '../support/migration.ts';
import { ROOT, tempDir } from '../support/tmp.ts';

const SHIPPED_PLAN = JSON.parse(
  readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8'),
) as IrSchemaPlan;
const SHIPPED: GeneratedModule = shipped;

const open: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** The shipped spec with payments loaded into a custom table whose plural ends in -ies. */
async function customPropertySpec(): Promise<{ plan: IrSchemaPlan; module: GeneratedModule }> {
  const input = readSpecDir('spec', ROOT);
  const files = new Map(input.files);
  const payment = files.get('objects/payment.yaml')!;
  const edited = payment.replace('target: fs_payment\n', 'target: fs_customproperty\n');
  expect(edited).not.toBe(payment);
  files.set('objects/payment.yaml', edited);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
  const transformer = result.files.find((f) => f.path === 'generated/transformer.ts');
  if (!result.ir || !transformer)
    throw new Error(`the spec does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return { plan: result.ir.plan, module: await loadGenerated(transformer.contents) };
}

async function started(): Promise<Sandboxes> {
  const sb = await sandboxes();
  open.push(() => sb.close());
  return sb;
}

function journalIn(dir: string): Journal {
  const journal = Journal.open(join(dir, 'journal.db'));
  open.push(() => journal.close());
  return journal;
}

describe('the entity set of a custom table', () => {
  it('is the English plural, which schema apply creates and the run writes to (fs_customproperty → fs_customproperties)', async () => {
    const { plan, module } = await customPropertySpec();
    expect(module.TABLES.fs_customproperty?.entitySet).toBe('fs_customproperties');
    expect(plan.tables.find((t) => t.name === 'fs_customproperty')?.custom?.entitySet).toBe(
      'fs_customproperties',
    );
    const sb = await started();
    const dir = tempDir();
    const deps = loadDeps(sb, journalIn(dir), module, dir);
    open.push(() => Promise.all([deps.practicehub.close(), deps.dataverse.close()]));
    const applied = await applySchema(deps.dataverse, plan, module.TABLES, { keyTimeoutMs: 30_000 });
    expect(applied.remaining).toEqual([]);
    expect(applied.created).toContain('created table fs_customproperty');
    expect((await deps.dataverse.entityDefinition('fs_customproperty'))?.entitySetName).toBe(
      'fs_customproperties',
    );

    const result = await runMigration(deps);
    expect(result.rejected).toBe(0);
    const loaded = result.summary.payment?.loaded ?? 0;
    expect(loaded).toBeGreaterThan(0);
    expect(sb.dataverse.snapshot(['fs_customproperty']).tables.fs_customproperty).toHaveLength(loaded);
  });

  describe('when the organisation names it differently from the spec', () => {
    /** fs_payment created by hand with an entity set of the admin's choosing, before `schema apply`. */
    async function renamedPaymentTable(): Promise<Sandboxes> {
      const sb = await started();
      const table = SHIPPED_PLAN.tables.find((t) => t.name === 'fs_payment')!;
      const { dataverse } = clients(sb);
      open.push(() => dataverse.close());
      await dataverse.createTable({
        ...tableBody('fs_payment', table.custom!),
        EntitySetName: 'fs_paymentrecords',
      });
      return sb;
    }

    it('schema verify and schema apply report it with what to change, and run refuses before writing', async () => {
      const sb = await renamedPaymentTable();
      const applied = await flitstack(sb, 'schema', 'apply');
      expect(applied.code).toBe(1);
      const verified = await flitstack(sb, 'schema', 'verify');
      expect(verified.code).toBe(1);
      expect(verified.out).toBe(
        "1 missing or different:\n  table fs_payment: entity set is fs_paymentrecords, the generated code writes to fs_payments: change the table's entity set name (EntitySetName) to fs_payments in Dataverse, or give the mapping another table name in the spec (fix it in Dataverse or in the spec)\n",
      );
      expect(applied.out).toContain('table fs_payment: entity set is fs_paymentrecords');

      const written = sb.dataverse.stats().recordsWritten;
      const refused = await flitstack(sb, 'run', '--journal', journalPath(), '--rate', '1000');
      expect(refused.code).toBe(1);
      expect(refused.err).toContain('refusing to load');
      expect(refused.err).toContain('table fs_payment: entity set is fs_paymentrecords');
      expect(sb.dataverse.stats().recordsWritten).toBe(written);
    });

    it('schema verify names the primary name column the organisation made otherwise and what to change in the spec', async () => {
      const sb = await started();
      const table = SHIPPED_PLAN.tables.find((t) => t.name === 'fs_payment')!;
      const { dataverse } = clients(sb);
      open.push(() => dataverse.close());
      const custom = table.custom!;
      await dataverse.createTable(
        tableBody('fs_payment', { ...custom, primaryName: { ...custom.primaryName, name: 'fs_title' } }),
      );
      expect((await flitstack(sb, 'schema', 'apply')).code).toBe(1);
      const verified = await flitstack(sb, 'schema', 'verify');
      expect(verified.code).toBe(1);
      expect(verified.out).toBe(
        "1 missing or different:\n  column fs_payment.fs_name: the table's primary name column is fs_title in the organisation, the plan's is fs_name, which the table lacks: set primary_name.column of the custom table to fs_title in the spec, then compile (Dataverse cannot rename or replace a primary name column) (fix it in Dataverse or in the spec)\n",
      );
    });

    it('a run that meets it anyway (renamed after the check) stops with an environment error advising schema verify', async () => {
      const sb = await renamedPaymentTable();
      expect((await flitstack(sb, 'schema', 'apply')).code).toBe(1);
      const dir = tempDir();
      const deps = loadDeps(sb, journalIn(dir), SHIPPED, dir);
      open.push(() => Promise.all([deps.practicehub.close(), deps.dataverse.close()]));
      const error = await runMigration(deps).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnknownEntitySetError);
      expect((error as UnknownEntitySetError).message).toContain(
        "no table in the organisation has the entity set 'fs_payments' that the generated code writes to",
      );
      expect((error as UnknownEntitySetError).hint).toMatch(/^run `flitstack schema verify`/);
    });
  });
});
