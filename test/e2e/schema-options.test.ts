import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { attributeBody } from '../../runtime/schema/bodies.ts';
import { checkSchema, readLiveSchema } from '../../runtime/schema/verify.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { clientOptions, startGateway } from '../runtime/dataverse/helpers.ts';
import { clients, flitstack, freshOrganisation, journalPath, sandboxes } from '../support/migration.ts';
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

/** `PLAN` with `option` added to the options of `table`.`column`. */
const withOption = (
  plan: IrSchemaPlan,
  table: string,
  column: string,
  option: IrPlanColumn['options'][number],
) => ({
  ...plan,
  tables: plan.tables.map((t) =>
    t.name === table
      ? {
          ...t,
          columns: t.columns.map((c) => (c.name === column ? { ...c, options: [...c.options, option] } : c)),
        }
      : t,
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

describe('schema apply adds the options the spec gained since the column was created', () => {
  let sb2: Sandboxes;
  let client: DataverseClient;
  beforeAll(async () => {
    sb2 = await sandboxes();
    client = clients(sb2).dataverse;
    // Created by an earlier apply, before the value maps gained 'other' and 'post'.
    const referral = planned('contact', 'fs_referralsource');
    const methods = planned('contact', 'fs_preferredcontactmethods');
    await client.createAttribute(
      'contact',
      attributeBody({ ...referral, options: referral.options.filter((o) => o.key !== 'other') }),
    );
    await client.createAttribute(
      'contact',
      attributeBody({ ...methods, options: methods.options.filter((o) => o.key !== 'post') }),
    );
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await sb2?.close();
  });

  it('verify lists each missing option as one apply adds (exit 1), apply adds it with a line each (exit 0), and verify then passes', async () => {
    const other = planned('contact', 'fs_referralsource').options.find((o) => o.key === 'other')!;
    const post = planned('contact', 'fs_preferredcontactmethods').options.find((o) => o.key === 'post')!;
    const verified = await flitstack(sb2, 'schema', 'verify');
    expect(verified.code).toBe(1);
    expect(verified.out).toContain(
      `option contact.fs_referralsource=${other.value}: option ${other.value} (Other) is missing: schema apply adds it (flitstack schema apply fixes it)`,
    );
    expect(verified.out).toContain(
      `option contact.fs_preferredcontactmethods=${post.value}: option ${post.value} (Post) is missing: schema apply adds it (flitstack schema apply fixes it)`,
    );
    const applied = await flitstack(sb2, 'schema', 'apply');
    expect(applied.err).toContain(`added option contact.fs_referralsource=${other.value} "Other"`);
    expect(applied.err).toContain(`added option contact.fs_preferredcontactmethods=${post.value} "Post"`);
    expect(applied.code).toBe(0);
    expect((await labels(client, 'contact', 'fs_referralsource')).get(other.value)).toBe('Other');
    expect((await labels(client, 'contact', 'fs_preferredcontactmethods')).get(post.value)).toBe('Post');
    expect((await flitstack(sb2, 'schema', 'verify')).code).toBe(0);
  }, 120_000);

  it('apply adds an option added to the spec to an existing choice and multi-select column, and verify passes', async () => {
    const crypto = { key: 'crypto', label: 'Crypto', value: 100004242 };
    const video = { key: 'video', label: 'Video call', value: 100004243 };
    const plan = withOption(
      withOption(PLAN, 'fs_payment', 'fs_method', crypto),
      'contact',
      'fs_preferredcontactmethods',
      video,
    );
    const findings = checkSchema(await readLiveSchema(client, plan, TABLES), plan, TABLES);
    expect(findings.map(({ problem, ...f }) => f)).toEqual([
      { kind: 'option', table: 'contact', name: 'fs_preferredcontactmethods=100004243', applicable: true },
      { kind: 'option', table: 'fs_payment', name: 'fs_method=100004242', applicable: true },
    ]);
    expect(findings[1]!.problem).toBe('option 100004242 (Crypto) is missing: schema apply adds it');

    const applied = await applySchema(client, plan, TABLES);
    expect(applied.created).toEqual([
      'added option contact.fs_preferredcontactmethods=100004243 "Video call"',
      'added option fs_payment.fs_method=100004242 "Crypto"',
      `published ${PLAN.tables
        .filter((t) => t.columns.length > 0)
        .map((t) => t.name)
        .join(', ')}`,
    ]);
    expect(applied.remaining).toEqual([]);
    expect((await labels(client, 'fs_payment', 'fs_method')).get(crypto.value)).toBe('Crypto');
    expect((await labels(client, 'contact', 'fs_preferredcontactmethods')).get(video.value)).toBe(
      'Video call',
    );
    expect(checkSchema(await readLiveSchema(client, plan, TABLES), plan, TABLES)).toEqual([]);
    // Nothing left to add: a second apply adds nothing.
    expect((await applySchema(client, plan, TABLES)).created.filter((c) => c.startsWith('added'))).toEqual(
      [],
    );
  });

  it('apply does not add an option whose value another option of the column holds: it is the label finding, with what to do', async () => {
    // Made by hand: 100004244 is "Store credit" in the organisation; the spec then gives it to "Gift card".
    await client.insertOptionValue('fs_payment', 'fs_method', 100004244, 'Store credit');
    const plan = withOption(PLAN, 'fs_payment', 'fs_method', {
      key: 'gift',
      label: 'Gift card',
      value: 100004244,
    });
    const findings = checkSchema(await readLiveSchema(client, plan, TABLES), plan, TABLES);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.name).toBe('fs_method=100004244');
    expect(findings[0]!.problem).not.toContain('is missing');
    expect(findings[0]!.problem).toContain(
      'option 100004244 is labelled "Store credit" in the organisation, the plan says "Gift card"',
    );
    expect(findings[0]!.problem).toContain(
      'if they mean "Store credit", instead give option gift another value in the spec (value: under custom.options.gift of mapping payment), then compile',
    );
    const applied = await applySchema(client, plan, TABLES);
    expect(applied.created.filter((c) => c.startsWith('added'))).toEqual([]);
    expect(applied.created[0]).toBe(
      'changed option fs_payment.fs_method=100004244 from "Store credit" to "Gift card"',
    );
    // The value stays one option of the column, and Dataverse refuses to add it a second time.
    const method = (await client.attributes('fs_payment')).find((a) => a.logicalName === 'fs_method')!;
    expect(method.options!.filter((o) => o.value === 100004244)).toHaveLength(1);
    await expect(client.insertOptionValue('fs_payment', 'fs_method', 100004244, 'Gift card')).rejects.toThrow(
      /100004244/,
    );
  });

  it('adds an option whose first answer was lost once, retrying it, and lists nothing to fix', async () => {
    // The gateway passes the first insert on to the organisation but answers it 502, as when the answer
    // is lost on its way back; the retry then meets the option the first attempt added.
    let lost = 0;
    const gateway = await startGateway(sb.dataverse.url, (req, answer) => {
      if (!req.url?.endsWith('/InsertOptionValue') || lost > 0) return answer;
      lost += 1;
      return { status: 502, headers: { 'content-type': 'application/json' }, text: '{}' };
    });
    const client = new DataverseClient(
      clientOptions(sb.dataverse, { url: gateway.url, authorityHost: gateway.url }),
    );
    try {
      const plan = withOption(PLAN, 'fs_payment', 'fs_method', {
        key: 'cheque',
        label: 'Cheque',
        value: 100007777,
      });
      const applied = await applySchema(client, plan, TABLES);
      expect(lost).toBe(1);
      expect(applied.remaining).toEqual([]);
      expect((await labels(client, 'fs_payment', 'fs_method')).get(100007777)).toBe('Cheque');
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});

describe('a yes/no column the organisation labels otherwise than the plan', () => {
  const o = freshOrganisation(async (client) => {
    // fs_staffactive made by hand with Dataverse's Yes and No, where the plan says Active and Left.
    const column = planned('contact', 'fs_staffactive');
    expect([column.trueLabel, column.falseLabel]).toEqual(['Active', 'Left']);
    await client.createAttribute('contact', attributeBody({ ...column, trueLabel: 'Yes', falseLabel: 'No' }));
  });

  it('is reported by verify for each of its two labels, with what each value means to the load and what to change', async () => {
    const findings = checkSchema(await readLiveSchema(o.client, PLAN, TABLES), PLAN, TABLES).filter(
      (f) => f.table === 'contact' && f.name.startsWith('fs_staffactive'),
    );
    expect(findings.map((f) => [f.kind, f.name, f.applicable])).toEqual([
      ['option', 'fs_staffactive=1', false],
      ['option', 'fs_staffactive=0', false],
    ]);
    expect(findings[0]!.problem).toContain(
      'option 1 (true) is labelled "Yes" in the organisation, the plan says "Active": the load writes 1 for "Active", which Dataverse shows as "Yes"',
    );
    expect(findings[1]!.problem).toContain(
      'option 0 (false) is labelled "No" in the organisation, the plan says "Left"',
    );
    expect(findings[0]!.problem).toContain(
      'change the label to "Active" in Power Apps (Tables → contact → Columns → fs_staffactive), or set true_label: "Yes" under custom of mapping staff-contact in the spec',
    );
  }, 60_000);

  it('is not reported once the labels are the plan’s', async () => {
    const o2 = await sandboxes();
    const client = new DataverseClient(optionsFromEnv(o2.env));
    try {
      const column = planned('contact', 'fs_staffactive');
      await client.createAttribute('contact', attributeBody(column));
      const live = await readLiveSchema(client, PLAN, TABLES);
      const staff = live.tables.get('contact')?.attributes?.find((a) => a.logicalName === 'fs_staffactive');
      expect(staff?.options?.map((x) => [x.value, x.label])).toEqual([
        [1, 'Active'],
        [0, 'Left'],
      ]);
      const findings = checkSchema(live, PLAN, TABLES).filter((f) => f.name.startsWith('fs_staffactive'));
      expect(findings).toEqual([]);
    } finally {
      await client.close();
      await o2.close();
    }
  }, 60_000);
});
