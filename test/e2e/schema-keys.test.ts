import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { compileSpec } from '../../compiler/compile.ts';
import { keyName } from '../../compiler/ir/plan.ts';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import { DataverseClient, label } from '../../runtime/dataverse/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { attributeBody } from '../../runtime/schema/bodies.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clientOptions, startGateway } from '../runtime/dataverse/helpers.ts';
import { clients, flitstack, freshOrganisation, sandboxes } from '../support/migration.ts';
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

/** fs_practicehubid made by hand on `table` with the metadata type and properties given. */
function practiceHubId(client: DataverseClient, table: string, type: string, properties: object) {
  const body = { '@odata.type': `Microsoft.Dynamics.CRM.${type}`, SchemaName: 'fs_practicehubid' };
  return client.createAttribute(
    table,
    { ...body, DisplayName: label('PracticeHub id'), ...properties },
    'flitstack',
  );
}

describe('an alternate key on a column the organisation has with another type', () => {
  // Made by hand as multiple lines of text: no alternate key can include it.
  const o = freshOrganisation((client) =>
    practiceHubId(client, 'contact', 'MemoAttributeMetadata', { MaxLength: 2000, Format: 'TextArea' }),
  );

  it('is not offered to schema apply, which cannot create it, but names the column to fix first', async () => {
    for (const command of ['verify', 'apply', 'verify']) {
      const result = await flitstack(o.sb, 'schema', command);
      expect(result.code, command).toBe(1);
      const line = result.out.split('\n').find((l) => l.includes('key contact.fs_practicehubid_key'));
      expect(line, command).not.toContain('(flitstack schema apply fixes it)');
      if (command === 'verify')
        expect(line).toContain(
          'alternate key on fs_practicehubid does not exist, and schema apply cannot create it while fs_practicehubid is MemoType, not StringType as the plan says: fix the column first',
        );
    }
  }, 60_000);
});

describe('an alternate key whose name a key on other columns holds', () => {
  // Made by hand under the plan's key's name, on the PracticeHub id and the account's name.
  const o = freshOrganisation(async (client) => {
    await practiceHubId(client, 'account', 'StringAttributeMetadata', {
      MaxLength: 100,
      FormatName: { Value: 'Text' },
    });
    await client.createKey('account', {
      SchemaName: 'fs_practicehubid_key',
      DisplayName: label('PracticeHub id key'),
      KeyAttributes: ['fs_practicehubid', 'name'],
    });
  });

  it('is not taken for the plan’s key nor offered to schema apply, but names the key to delete', async () => {
    for (const command of ['verify', 'apply']) {
      const result = await flitstack(o.sb, 'schema', command);
      expect(result.code, command).toBe(1);
      const line = result.out.split('\n').find((l) => l.includes('key account.fs_practicehubid_key'));
      expect(line, command).toContain(
        'alternate key on fs_practicehubid does not exist, and its name fs_practicehubid_key is taken by a key on fs_practicehubid, name: delete that key in Power Apps (Tables → account → Keys)',
      );
      expect(line, command).not.toContain('(flitstack schema apply fixes it)');
      expect(result.err, command).not.toContain('alternate key account.fs_practicehubid_key is Active');
    }
  }, 60_000);
});

describe('alternate keys still building when the time to wait for them ends', () => {
  // An organisation whose indexes take a minute to build.
  const o = freshOrganisation(async () => {}, { dataverse: { keyActivationDelayMs: 60_000 } });

  it('are findings beside the rest of the report, not an error that drops it', async () => {
    // A column Dataverse refuses (a single line of text holds at most 4,000 characters), in a plan edited
    // by hand, since compile refuses it too (FS015).
    const shipped = await compiledWith('objects/payment.yaml', []);
    const plan: IrSchemaPlan = {
      ...shipped,
      tables: shipped.tables.map((t) => ({
        ...t,
        columns: t.columns.map((c) => (c.name === 'fs_reference' ? { ...c, maxLength: 5000 } : c)),
      })),
    };
    const applied = await applySchema(o.client, plan, {}, { keyTimeoutMs: 1_000 });
    const problems = applied.remaining.map((f) => `${f.kind} ${f.table}.${f.name}: ${f.problem}`);
    expect(problems.find((p) => p.startsWith('column fs_payment.fs_reference'))).toContain(
      'Dataverse refused it',
    );
    for (const table of ['account', 'contact', 'appointment', 'fs_payment'])
      expect(problems).toContain(
        `key ${table}.fs_practicehubid_key: alternate key is Pending, not Active yet (Dataverse builds its index in the background)`,
      );
  }, 60_000);
});

describe('an alternate key another apply creates as this one sends its own', () => {
  // An organisation whose indexes take a minute to build.
  const o = freshOrganisation(async () => {}, { dataverse: { keyActivationDelayMs: 60_000 } });

  it('is waited for as it is and, still building when the time ends, listed as not Active yet, not as refused', async () => {
    // The contact key's create reaches the organisation; its answer is Dataverse's to a second create of
    // the key (EntityKeyNameExists), as when another apply made it between this one's read and its create.
    let taken = 0;
    const gateway = await startGateway(o.sb.dataverse.url, (req, answer) => {
      if (req.method !== 'POST' || !/EntityDefinitions\(LogicalName=.contact.\)\/Keys$/.test(req.url ?? ''))
        return answer;
      taken += 1;
      const error = {
        code: '0x80060893',
        message: 'A key with the name fs_practicehubid_key already exists',
      };
      return {
        status: 400,
        headers: { 'content-type': 'application/json' },
        text: JSON.stringify({ error }),
      };
    });
    const client = new DataverseClient(
      clientOptions(o.sb.dataverse, { url: gateway.url, authorityHost: gateway.url }),
    );
    try {
      const plan = await compiledWith('migration.yaml', []);
      const applied = await applySchema(client, plan, {}, { keyTimeoutMs: 1_000 });
      expect(taken).toBe(1);
      const contact = applied.remaining
        .filter((f) => f.table === 'contact')
        .map((f) => `${f.kind} ${f.name}: ${f.problem}`);
      expect(contact).toEqual([
        'key fs_practicehubid_key: alternate key is Pending, not Active yet (Dataverse builds its index in the background)',
      ]);
    } finally {
      await client.close();
      await gateway.close();
    }
  }, 60_000);
});

describe('a failed alternate key built again, in an organisation whose build job starts a moment after the request', () => {
  // ReactivateEntityKey only submits a job: the key reports Failed until the job starts.
  const o = freshOrganisation(async () => {}, {
    dataverse: { keyActivationDelayMs: 1_000, keyReactivationLagMs: 1_500 },
  });
  const contactKey = (applied: Awaited<ReturnType<typeof applySchema>>) =>
    applied.remaining.filter((f) => f.table === 'contact' && f.kind === 'key').map((f) => f.problem);

  it('is reported failed again when rows still share its values, once its new build has failed', async () => {
    const plan = await compiledWith('migration.yaml', []);
    const column = plan.tables
      .find((t) => t.name === 'contact')!
      .columns.find((c) => c.name === 'fs_practicehubid')!;
    await o.client.createAttribute('contact', attributeBody(column));
    for (const lastname of ['Ng', 'Ngata'])
      await o.client.create('contacts', { lastname, fs_practicehubid: 'patient-1' });
    const first = await applySchema(o.client, plan, {}, { keyTimeoutMs: 20_000 });
    expect(contactKey(first)).toEqual([expect.stringContaining('alternate key failed to build')]);
    const started = Date.now();
    const again = await applySchema(o.client, plan, {}, { keyTimeoutMs: 20_000 });
    expect(again.created).toContain('building alternate key contact.fs_practicehubid_key again');
    expect(contactKey(again)).toEqual([expect.stringContaining('alternate key failed to build')]);
    // Reported once the new build failed, not at the end of the time limit.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);

  it('becomes Active once the rows sharing its values are gone, not reported failed for the moment before its job starts', async () => {
    // The key as the test above leaves it once its build has ended: Failed.
    const status = async () =>
      (await o.client.keys('contact')).find((k) => k.schemaName === 'fs_practicehubid_key')?.status;
    for (let i = 0; i < 50 && (await status()) !== 'Failed'; i++)
      await new Promise((r) => setTimeout(r, 200));
    expect(await status()).toBe('Failed');
    for await (const row of o.client.query<{ contactid: string }>('contacts', {
      select: ['contactid'],
      filter: "lastname eq 'Ngata'",
    }))
      await o.client.delete('contacts', row.contactid);
    const plan = await compiledWith('migration.yaml', []);
    const applied = await applySchema(o.client, plan, {}, { keyTimeoutMs: 20_000 });
    expect(applied.created).toContain('building alternate key contact.fs_practicehubid_key again');
    expect(contactKey(applied)).toEqual([]);
    expect(applied.created).toContain('alternate key contact.fs_practicehubid_key is Active');
  }, 60_000);
});
