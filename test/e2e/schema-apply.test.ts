import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IrPlanColumn, IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import { DataverseClient, label, optionsFromEnv } from '../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import {
  attributeBody,
  lookupRelationship,
  relationshipName,
  tableBody,
} from '../../runtime/schema/bodies.ts';
import { checkSchema, readLiveSchema } from '../../runtime/schema/verify.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { flitstack, freshOrganisation, sandboxes } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
const MODULE: GeneratedModule = shipped;

/** `plan` with one more option of fs_payment.fs_method, as a value-map entry the spec gained adds it. */
function withOption(plan: IrSchemaPlan, option: IrPlanColumn['options'][number]): IrSchemaPlan {
  return {
    ...plan,
    tables: plan.tables.map((t) =>
      t.name !== 'fs_payment'
        ? t
        : {
            ...t,
            columns: t.columns.map((c) =>
              c.name === 'fs_method' ? { ...c, options: [...c.options, option] } : c,
            ),
          },
    ),
  };
}

/** A planned column, created on its own the way `schema apply` creates it. */
async function createColumn(client: DataverseClient, table: string, name: string): Promise<void> {
  const column = PLAN.tables.find((t) => t.name === table)!.columns.find((c) => c.name === name)!;
  await client.createAttribute(table, attributeBody(column));
}

/** A client that records the tables each publish names. */
class Publishing extends DataverseClient {
  readonly published: string[][] = [];
  override async publish(entities: readonly string[]): Promise<void> {
    this.published.push([...entities]);
    return super.publish(entities);
  }
}

describe('schema apply against an organisation holding part of the schema', () => {
  let sb: Sandboxes;
  let client: DataverseClient;
  beforeAll(async () => {
    sb = await sandboxes();
    client = new DataverseClient(optionsFromEnv(sb.env));
    // Contacts that share a PracticeHub id: the key on it cannot be built.
    await createColumn(client, 'contact', 'fs_practicehubid');
    for (const lastname of ['Ng', 'Ngata'])
      await client.create('contacts', { lastname, fs_practicehubid: 'patient-1' });
    // A key on the account's PracticeHub id and its name: not the plan's key on the id alone.
    await createColumn(client, 'account', 'fs_practicehubid');
    await client.createKey('account', {
      SchemaName: 'fs_legacy_key',
      DisplayName: label('Legacy key'),
      KeyAttributes: ['fs_practicehubid', 'name'],
    });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await sb?.close();
  });

  it('lists a key whose index fails to build with its columns and what to do, and waits for the other keys (exit 1)', async () => {
    const applied = await flitstack(sb, 'schema', 'apply');
    expect(applied.code).toBe(1);
    const line = applied.out.split('\n').find((l) => l.includes('key contact.fs_practicehubid_key'));
    expect(line).toContain(
      'alternate key failed to build: rows hold the same values of fs_practicehubid; find the rows of contact that share those values',
    );
    expect(line).toContain(
      'change or remove all but one, then run `flitstack schema apply`, which builds the key fs_practicehubid_key again',
    );
    // The keys after it in the plan are waited for all the same: the run can use them.
    for (const table of ['appointment', 'fs_payment'])
      expect(applied.err).toContain(`alternate key ${table}.fs_practicehubid_key is Active`);
    expect(applied.err).not.toMatch(/\n\s+at /);
  });

  it('reports the failed key as one to fix by hand when run again, and verify does not offer apply for it (exit 1)', async () => {
    for (const command of ['apply', 'verify']) {
      const result = await flitstack(sb, 'schema', command);
      expect(result.code, command).toBe(1);
      const line = result.out.split('\n').find((l) => l.includes('fs_practicehubid_key'));
      expect(line, command).toContain('failed to build');
      expect(line, command).not.toMatch(/schema apply (creates|fixes) it/);
    }
  });

  it('builds the failed key again once the rows sharing its values are gone, and it becomes Active (exit 0)', async () => {
    for await (const row of client.query<{ contactid: string }>('contacts', {
      select: ['contactid'],
      filter: "lastname eq 'Ngata'",
    }))
      await client.delete('contacts', row.contactid);
    const applied = await flitstack(sb, 'schema', 'apply');
    expect(applied.err).toContain('building alternate key contact.fs_practicehubid_key again');
    expect(applied.err).toContain('alternate key contact.fs_practicehubid_key is Active');
    expect(applied.code).toBe(0);
    const keys = await client.keys('contact');
    expect(keys.find((k) => k.schemaName === 'fs_practicehubid_key')?.status).toBe('Active');
  });

  it('creates the plan’s key beside a key on more columns', async () => {
    const account = await client.entityDefinition('account', { keys: true });
    expect(account?.keys?.map((k) => k.schemaName).sort()).toEqual(['fs_legacy_key', 'fs_practicehubid_key']);
  });

  it('creates a lookup whose relationship name would pass 50 characters, under a shorter unique name', async () => {
    const column = {
      ...PLAN.tables.find((t) => t.name === 'fs_payment')!.columns.find((c) => c.type === 'lookup')!,
      name: 'fs_originalbookedappointmentid',
      schemaName: 'fs_OriginalBookedAppointmentId',
      target: 'appointment',
    };
    const body = lookupRelationship('fs_payment', column, 'activityid') as { SchemaName: string };
    expect(body.SchemaName).toMatch(/^fs_OriginalBookedAppointmentId_[0-9a-f]{8}$/);
    await client.createOneToManyRelationship(body);
    const attributes = await client.attributes('fs_payment');
    expect(attributes.map((a) => a.logicalName)).toContain('fs_originalbookedappointmentid');
  });

  it('publishes every table the plan adds columns to, also when it has nothing left to create', async () => {
    const publishing = new Publishing(optionsFromEnv(sb.env));
    try {
      const applied = await applySchema(publishing, PLAN, MODULE.TABLES, { keyTimeoutMs: 5_000 });
      expect(applied.created).toEqual([]);
      expect(publishing.published).toEqual([
        PLAN.tables.filter((t) => t.columns.length > 0).map((t) => t.name),
      ]);
    } finally {
      await publishing.close();
    }
  });
});

describe('schema apply against an organisation that refuses a component', () => {
  let sb: Sandboxes;
  let client: DataverseClient;
  beforeAll(async () => {
    sb = await sandboxes();
    client = new DataverseClient(optionsFromEnv(sb.env));
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await sb?.close();
  });

  it('lists the refused component with Dataverse’s reason and creates every other one', async () => {
    const reference = PLAN.tables
      .find((t) => t.name === 'fs_payment')!
      .columns.find((c) => c.name === 'fs_reference')!;
    // Longer than the 4,000 characters a text column takes (reference §5.1): Dataverse refuses it.
    const notes = { ...reference, name: 'fs_notes', schemaName: 'fs_Notes', label: 'Notes', maxLength: 5000 };
    const plan: IrSchemaPlan = {
      ...PLAN,
      tables: PLAN.tables.map((t) =>
        t.name === 'fs_payment' ? { ...t, columns: [...t.columns, notes] } : t,
      ),
    };
    const applied = await applySchema(client, plan, MODULE.TABLES, { keyTimeoutMs: 30_000 });
    expect(applied.remaining).toHaveLength(1);
    expect(applied.remaining[0]).toMatchObject({
      kind: 'column',
      table: 'fs_payment',
      name: 'fs_notes',
      applicable: false,
    });
    expect(applied.remaining[0]!.problem).toContain(
      'Dataverse refused it: create column fs_Notes on fs_payment failed',
    );
    expect(applied.remaining[0]!.problem).toContain('MaxLength must be between 1 and 4000');
    // Everything else of the plan is there: the keys Active, the roles created, the tables published.
    for (const table of PLAN.tables)
      for (const key of table.keys)
        expect(applied.created).toContain(`alternate key ${table.name}.${key.name} is Active`);
    expect(checkSchema(await readLiveSchema(client, PLAN, MODULE.TABLES), PLAN, MODULE.TABLES)).toEqual([]);
  }, 60_000);
});

describe('schema apply when a name it would give is held by another component of the organisation', () => {
  const o = freshOrganisation(async (client) => {
    // fs_payment made by hand, with a lookup to contact under the relationship name the plan's
    // fs_patientid is created with.
    const payment = PLAN.tables.find((t) => t.name === 'fs_payment')!;
    await client.createTable(tableBody('fs_payment', payment.custom!), 'flitstack');
    const patient = payment.columns.find((c) => c.name === 'fs_patientid')!;
    const other = { ...patient, name: 'fs_otherpatientid', schemaName: 'fs_otherpatientid' };
    await client.createOneToManyRelationship(
      {
        ...lookupRelationship('fs_payment', other, 'contactid'),
        SchemaName: relationshipName('fs_payment', patient),
      },
      'flitstack',
    );
  });

  it('lists the component with Dataverse’s reason, not as one schema apply creates (exit 1)', async () => {
    const applied = await flitstack(o.sb, 'schema', 'apply');
    expect(applied.code).toBe(1);
    const line = applied.out.split('\n').find((l) => l.includes('column fs_payment.fs_patientid'));
    expect(line).toContain(
      'Dataverse refused it: create relationship fs_patientid_contact_fs_payment failed',
    );
    expect(line).toContain('is not unique');
    expect(line).not.toContain('(flitstack schema apply fixes it)');
  }, 60_000);
});

describe('schema apply when the plan’s solution belongs to another publisher', () => {
  const o = freshOrganisation(async (client) => {
    // An admin made the solution beforehand under the organisation's default publisher (prefix new).
    let publisher = '';
    for await (const p of client.query<{ publisherid: string }>('publishers', {
      select: ['publisherid'],
      filter: "customizationprefix eq 'new'",
    }))
      publisher = p.publisherid;
    await client.create('solutions', {
      uniquename: PLAN.publisher.solution,
      friendlyname: 'FlitStack migration',
      version: '1.0.0.0',
      'publisherid@odata.bind': `/publishers(${publisher})`,
    });
  });

  it('stops before creating anything, naming the solution, both publishers and what to change (exit 2)', async () => {
    const applied = await flitstack(o.sb, 'schema', 'apply');
    expect(applied.code).toBe(2);
    expect(applied.err).toContain(
      "the solution FlitStackMigration (target.publisher.solution) belongs to publisher DefaultPublisher (prefix 'new'), not to flitstack, the publisher of prefix 'fs'",
    );
    expect(applied.err).toContain('hint: set target.publisher.solution in migration.yaml');
    expect(await o.client.entityDefinition('fs_payment')).toBeUndefined();
    const contact = await o.client.attributes('contact');
    expect(contact.map((a) => a.logicalName).filter((n) => n.startsWith('fs_'))).toEqual([]);
  });
});

describe('two schema applies at once (two engineers, or a create an interrupted apply left running)', () => {
  // A second client of the same organisation beside the first.
  const clients: DataverseClient[] = [];
  const o = freshOrganisation(async (client, sb) => {
    clients.push(client, new DataverseClient(optionsFromEnv(sb.env)));
  });
  afterAll(() => clients[1]?.close());

  it('take a component the other made meanwhile as there, not as refused, and make one connection role of each name', async () => {
    const applied = await Promise.all(
      clients.map((c) => applySchema(c, PLAN, MODULE.TABLES, { keyTimeoutMs: 30_000 })),
    );
    for (const result of applied) expect(result.remaining).toEqual([]);
    // Every component was created once, by one apply or the other.
    const created = applied.flatMap((a) => a.created).filter((s) => s.startsWith('created '));
    expect(created).toEqual([...new Set(created)]);
    const roles = o.sb.dataverse.snapshot(['connectionrole']).tables.connectionrole!.map((r) => r.name);
    expect(roles.sort()).toEqual(PLAN.connectionRoles.map((r) => r.name).sort());
  }, 60_000);

  it('both add an option the spec gained, and the one Dataverse refuses as already there lists nothing to fix', async () => {
    // The column exists without the option (as the test above leaves it, or as this apply makes it).
    await applySchema(clients[0]!, PLAN, MODULE.TABLES, { keyTimeoutMs: 30_000 });
    const plan = withOption(PLAN, { key: 'voucher', value: 100009999, label: 'Voucher' });
    const applied = await Promise.all(
      clients.map((c) => applySchema(c, plan, MODULE.TABLES, { keyTimeoutMs: 30_000 })),
    );
    for (const result of applied) expect(result.remaining).toEqual([]);
    const method = (await clients[0]!.attributes('fs_payment')).find((a) => a.logicalName === 'fs_method');
    expect(method?.options?.filter((o) => o.value === 100009999).map((o) => o.label)).toEqual(['Voucher']);
  }, 60_000);
});

describe('schema apply when the plan’s solution is managed (imported from another organisation)', () => {
  // The whole schema, then the plan's solution made managed, as an import of a managed solution leaves it.
  const o = freshOrganisation(async (client, sb) => {
    expect((await applySchema(client, PLAN, MODULE.TABLES, { keyTimeoutMs: 30_000 })).remaining).toEqual([]);
    for await (const s of client.query<{ solutionid: string }>('solutions', {
      select: ['solutionid'],
      filter: `uniquename eq '${PLAN.publisher.solution}'`,
    }))
      sb.dataverse.tamper({ table: 'solution', id: s.solutionid, set: { ismanaged: true } });
  });

  it('needs nothing of it while the organisation has the whole schema (exit 0)', async () => {
    const again = await flitstack(o.sb, 'schema', 'apply');
    expect(again.out).toContain('the schema matches the plan');
    expect(again.code).toBe(0);
  }, 60_000);

  it('stops before the first component it would add, saying the solution is managed and what to do (exit 2)', async () => {
    const plan = withOption(PLAN, { key: 'voucher', value: 100009999, label: 'Voucher' });
    const error = await applySchema(o.client, plan, MODULE.TABLES, { keyTimeoutMs: 5_000 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('SchemaError');
    expect(error?.message).toBe(
      'the solution FlitStackMigration (target.publisher.solution) is managed, and Dataverse adds components to unmanaged solutions only, so nothing was created',
    );
    const live = await o.client.attributes('fs_payment');
    expect(live.find((a) => a.logicalName === 'fs_method')?.options?.map((o) => o.value)).not.toContain(
      100009999,
    );
  }, 60_000);
});

/**
 * A client whose create of `column` meets the column made meanwhile with `made` over the plan's
 * definition, as another apply (or a create an interrupted apply left running) makes it between the
 * read and the create: the organisation answers the create that it already exists.
 */
class Raced extends DataverseClient {
  constructor(
    options: ConstructorParameters<typeof DataverseClient>[0],
    private readonly column: string,
    private readonly made: Record<string, unknown>,
  ) {
    super(options);
  }
  override async createAttribute(
    table: string,
    metadata: Record<string, unknown>,
    solution?: string,
  ): Promise<string> {
    if (String(metadata.SchemaName).toLowerCase() === this.column)
      await super.createAttribute(table, { ...metadata, ...this.made }, solution);
    return super.createAttribute(table, metadata, solution);
  }
}

describe('schema apply when a column it creates was made meanwhile otherwise than the plan says', () => {
  const o = freshOrganisation();

  it('reports the difference it cannot change in the same apply, not only that the column exists', async () => {
    const raced = new Raced(optionsFromEnv(o.sb.env), 'fs_insurancecarrier', {
      '@odata.type': 'Microsoft.Dynamics.CRM.MemoAttributeMetadata',
      Format: 'TextArea',
      FormatName: undefined,
    });
    try {
      const applied = await applySchema(raced, PLAN, MODULE.TABLES, { keyTimeoutMs: 30_000 });
      const carrier = applied.remaining.filter((r) => r.name === 'fs_insurancecarrier');
      expect(carrier).toHaveLength(1);
      expect(carrier[0]!.problem).toMatch(/^type is MemoType in the organisation, the plan says StringType/);
      expect(carrier[0]!.problem).not.toContain('Dataverse refused it');
    } finally {
      await raced.close();
    }
  }, 60_000);

  it('changes a shorter maximum length made meanwhile in the same apply', async () => {
    const raced = new Raced(optionsFromEnv(o.sb.env), 'fs_specialization', { MaxLength: 20 });
    try {
      // Every column of the plan exists after the test above: a column the plan gains on fs_payment.
      const plan: IrSchemaPlan = {
        ...PLAN,
        tables: PLAN.tables.map((t) =>
          t.name !== 'fs_payment'
            ? t
            : {
                ...t,
                columns: [
                  ...t.columns,
                  {
                    ...PLAN.tables
                      .find((p) => p.name === 'contact')!
                      .columns.find((c) => c.name === 'fs_specialization')!,
                  },
                ],
              },
        ),
      };
      const applied = await applySchema(raced, plan, MODULE.TABLES, { keyTimeoutMs: 30_000 });
      expect(applied.created).toContain('changed column fs_payment.fs_specialization (maximum length)');
      // Only the column the test above left of another type remains.
      expect(applied.remaining.map((r) => `${r.table}.${r.name}`)).toEqual(['contact.fs_insurancecarrier']);
      const made = (await o.client.attributes('fs_payment')).find(
        (a) => a.logicalName === 'fs_specialization',
      );
      expect(made?.maxLength).toBe(100);
    } finally {
      await raced.close();
    }
  }, 60_000);
});
