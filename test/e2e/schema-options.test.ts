import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import type { DataverseClient } from '../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { attributeBody } from '../../runtime/schema/bodies.ts';
import { checkSchema, readLiveSchema } from '../../runtime/schema/verify.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clients, flitstack, journalPath, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
const TABLES: GeneratedModule['TABLES'] = shipped.TABLES;

const planned = (table: string, column: string) =>
  PLAN.tables.find((t) => t.name === table)!.columns.find((c) => c.name === column)!;

/** `PLAN` with `columns` added to fs_payment. */
const withPaymentColumns = (...columns: IrPlanColumn[]): IrSchemaPlan => ({
  ...PLAN,
  tables: PLAN.tables.map((t) =>
    t.name === 'fs_payment' ? { ...t, columns: [...t.columns, ...columns] } : t,
  ),
});

/** The labels of a column's options in the organisation, by value. */
async function labels(client: DataverseClient, table: string, column: string): Promise<Map<number, string>> {
  const attribute = (await client.attributes(table)).find((a) => a.logicalName === column)!;
  return new Map((attribute.options ?? []).map((o) => [o.value, o.label]));
}

let sb: Sandboxes;
let dataverse: DataverseClient;

beforeAll(async () => {
  sb = await sandboxes();
  dataverse = clients(sb).dataverse;
  const applied = await flitstack(sb, 'schema', 'apply');
  expect(applied.code).toBe(0);
}, 120_000);

afterAll(async () => {
  await dataverse?.close();
  await sb?.close();
});

describe('schema verify and schema apply compare the label of every planned choice option', () => {
  it('report an option of a planned value that the organisation labels otherwise, on choice and multi-select columns, and apply relabels it', async () => {
    const method = planned('fs_payment', 'fs_method');
    const channel: IrPlanColumn = {
      ...method,
      name: 'fs_channel',
      schemaName: 'fs_channel',
      label: 'Channel',
      options: [
        { key: 'web', label: 'Web', value: 100000001 },
        { key: 'phone', label: 'Phone', value: 100000002 },
      ],
    };
    const tags: IrPlanColumn = {
      ...channel,
      name: 'fs_tags',
      schemaName: 'fs_tags',
      label: 'Tags',
      type: 'multi_choice',
      options: [
        { key: 'vip', label: 'VIP', value: 100000011 },
        { key: 'late', label: 'Late payer', value: 100000012 },
      ],
    };
    // Made by hand before the spec pinned these values: 100000002 and 100000012 mean something else there.
    await dataverse.createAttribute(
      'fs_payment',
      attributeBody({
        ...channel,
        options: [channel.options[0]!, { ...channel.options[1]!, label: 'Post' }],
      }),
    );
    await dataverse.createAttribute(
      'fs_payment',
      attributeBody({ ...tags, options: [tags.options[0]!, { ...tags.options[1]!, label: 'late payer' }] }),
    );
    const plan = withPaymentColumns(channel, tags);

    const findings = checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES);
    expect(findings.map(({ problem, ...f }) => f)).toEqual([
      { kind: 'option', table: 'fs_payment', name: 'fs_channel=100000002', applicable: true },
      { kind: 'option', table: 'fs_payment', name: 'fs_tags=100000012', applicable: true },
    ]);
    expect(findings[0]!.problem).toContain('"Post" in the organisation, the plan says "Phone"');
    // Compared exactly: a label that differs only in case is another label.
    expect(findings[1]!.problem).toContain('"late payer" in the organisation, the plan says "Late payer"');

    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toContain(
      'changed option fs_payment.fs_channel=100000002 from "Post" to "Phone"',
    );
    expect(applied.created).toContain(
      'changed option fs_payment.fs_tags=100000012 from "late payer" to "Late payer"',
    );
    expect(applied.remaining).toEqual([]);
    expect(await labels(dataverse, 'fs_payment', 'fs_channel')).toEqual(
      new Map([
        [100000001, 'Web'],
        [100000002, 'Phone'],
      ]),
    );
    expect((await labels(dataverse, 'fs_payment', 'fs_tags')).get(100000012)).toBe('Late payer');
    expect(checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES)).toEqual([]);
  });

  it('report an option of the shipped plan relabelled in the organisation (exit 1), refuse to load, and apply gives it back its label', async () => {
    const phone = planned('contact', 'fs_preferredcontactmethods').options.find((o) => o.key === 'phone')!;
    // Someone rewords the option in Power Apps: 'Phone' now reads 'Fax' to everyone.
    await dataverse.updateOptionValue('contact', 'fs_preferredcontactmethods', phone.value, 'Fax');
    const verified = await flitstack(sb, 'schema', 'verify');
    expect(verified.code).toBe(1);
    expect(verified.out).toContain(
      `option contact.fs_preferredcontactmethods=${phone.value}: option ${phone.value} is labelled "Fax" in the organisation, the plan says "Phone": the load writes ${phone.value} for "Phone", which Dataverse shows as "Fax"; schema apply relabels it`,
    );
    expect(verified.out).toContain(
      'if they mean "Fax", instead give option phone another value in the spec (value: under custom.options.phone of mapping custom-properties), then compile (flitstack schema apply fixes it)',
    );
    const json = JSON.parse((await flitstack(sb, 'schema', 'verify', '--format', 'json')).out) as {
      findings: { kind: string; name: string; applicable: boolean }[];
    };
    expect(json.findings).toEqual([
      expect.objectContaining({
        kind: 'option',
        name: `fs_preferredcontactmethods=${phone.value}`,
        applicable: true,
      }),
    ]);

    const written = sb.dataverse.stats().recordsWritten;
    const run = await flitstack(sb, 'run', '--journal', journalPath());
    expect(run.code).toBe(1);
    expect(run.err).toContain('refusing to load: the organisation lacks what the spec writes');
    expect(run.err).toContain(`contact.fs_preferredcontactmethods=${phone.value}`);
    expect(sb.dataverse.stats().recordsWritten).toBe(written);

    const applied = await flitstack(sb, 'schema', 'apply');
    expect(applied.err).toContain(
      `changed option contact.fs_preferredcontactmethods=${phone.value} from "Fax" to "Phone"`,
    );
    expect(applied.code).toBe(0);
    expect((await labels(dataverse, 'contact', 'fs_preferredcontactmethods')).get(phone.value)).toBe('Phone');
    expect((await flitstack(sb, 'schema', 'verify')).code).toBe(0);
  });

  it('apply carries a label reworded in the spec to the organisation, and back', async () => {
    const method = planned('fs_payment', 'fs_method');
    const cheque = method.options.find((o) => o.key === 'cheque')!;
    const reworded = {
      ...method,
      options: method.options.map((o) => (o === cheque ? { ...o, label: 'Check' } : o)),
    };
    const plan: IrSchemaPlan = {
      ...PLAN,
      tables: PLAN.tables.map((t) =>
        t.name === 'fs_payment' ? { ...t, columns: t.columns.map((c) => (c === method ? reworded : c)) } : t,
      ),
    };
    const findings = checkSchema(await readLiveSchema(dataverse, plan, TABLES), plan, TABLES);
    expect(findings.map((f) => [f.name, f.applicable])).toEqual([[`fs_method=${cheque.value}`, true]]);
    const applied = await applySchema(dataverse, plan, TABLES);
    expect(applied.created).toEqual([
      `changed option fs_payment.fs_method=${cheque.value} from "Cheque" to "Check"`,
      `published ${PLAN.tables
        .filter((t) => t.columns.length > 0)
        .map((t) => t.name)
        .join(', ')}`,
    ]);
    expect(applied.remaining).toEqual([]);
    expect((await labels(dataverse, 'fs_payment', 'fs_method')).get(cheque.value)).toBe('Check');
    const restored = await applySchema(dataverse, PLAN, TABLES);
    expect(restored.created[0]).toBe(
      `changed option fs_payment.fs_method=${cheque.value} from "Check" to "Cheque"`,
    );
    expect(restored.remaining).toEqual([]);
  });
});
