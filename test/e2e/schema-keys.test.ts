import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { keyName } from '../../compiler/ir/plan.ts';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

/** The schema plan and transformer tables of the shipped spec with `file` edited by `edits` (text → text). */
async function compiledWith(file: string, edits: readonly (readonly [string, string])[]) {
  const input = readSpecDir('spec', ROOT);
  const files = new Map(input.files);
  let text = files.get(file)!;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  files.set(file, text);
  const result = compileSpec({ ...input, files }, createSchemaValidators(), { typecheck: false });
  if (!result.ir)
    throw new Error(`the spec does not compile: ${result.diagnostics.map((d) => d.message).join('; ')}`);
  return result.ir.plan as IrSchemaPlan;
}

let sb: Sandboxes;
let dataverse: DataverseClient;

beforeAll(async () => {
  sb = await sandboxes();
  dataverse = clients(sb).dataverse;
}, 60_000);

afterAll(async () => {
  await dataverse?.close();
  await sb?.close();
});

describe('alternate keys of the schema plan', () => {
  it('names the key on a standard column with the publisher prefix, which Dataverse requires, and apply creates it', async () => {
    const plan = await compiledWith('objects/clinic.yaml', [
      [
        '  column: fs_practicehubid\n  custom: { type: string, max_length: 100, label: PracticeHub id, required: none }\n',
        '  column: accountnumber\n',
      ],
    ]);
    const account = plan.tables.find((t) => t.name === 'account')!;
    expect(account.keys.map((k) => [k.name, k.columns])).toEqual([
      ['fs_accountnumber_key', ['accountnumber']],
      ['fs_practicehubid_key', ['fs_practicehubid']],
    ]);

    const applied = await applySchema(dataverse, plan, {}, { keyTimeoutMs: 30_000 });
    expect(applied.created).toContain('created alternate key account.fs_accountnumber_key');
    expect(applied.created).toContain('alternate key account.fs_accountnumber_key is Active');
    expect(applied.remaining).toEqual([]);
  }, 60_000);

  it('keeps key names within 50 characters and apart', () => {
    expect(keyName('fs_practicehubid', 'fs')).toBe('fs_practicehubid_key');
    expect(keyName('accountnumber', 'fs')).toBe('fs_accountnumber_key');
    const long = (end: string) => `fs_${'a'.repeat(45)}${end}`;
    const [a, b] = [keyName(long('x'), 'fs'), keyName(long('y'), 'fs')];
    expect(a).toHaveLength(50);
    expect(a).toMatch(/^fs_a+_[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });
});
