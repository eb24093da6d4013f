import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../runtime/journal/index.ts';
import type { Sandboxes } from '../../sandbox/index.ts';
import { fetchToken } from '../sandbox/dataverse/helpers.ts';
import { flitstack, journalPath, sandboxes } from '../support/migration.ts';

/** The rows a run created for a mapping, by the journal. */
function created(journal: string, mapping: string): string[] {
  const j = Journal.open(journal);
  try {
    return [...j.operations(1, { action: 'create', mapping })]
      .filter((o) => o.error === null)
      .map((o) => o.targetId!);
  } finally {
    j.close();
  }
}

/** Creates a row through the Web API as a user's app would (not flitstack's client); returns its id. */
async function userCreates(sb: Sandboxes, entitySet: string, body: Record<string, unknown>): Promise<string> {
  const token = await fetchToken(sb.dataverse);
  const res = await fetch(`${sb.dataverse.apiUrl}${entitySet}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
    },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(204);
  return /\(([0-9a-f-]{36})\)$/i.exec(res.headers.get('OData-EntityId') ?? '')![1]!;
}

const row = (sb: Sandboxes, table: string, key: string, id: string) =>
  sb.dataverse.snapshot([table]).tables[table]?.find((r) => r[key] === id);

/**
 * For the tests of a describe block: the sandboxes with the schema applied and run 1 loaded into a fresh
 * journal, set before them and closed after.
 */
function migrated(options: Parameters<typeof sandboxes>[0] = {}): { sb: Sandboxes; journal: string } {
  const m = { journal: journalPath() } as { sb: Sandboxes; journal: string };
  beforeAll(async () => {
    m.sb = await sandboxes({ scale: 0.05, ...options });
    expect((await flitstack(m.sb, 'schema', 'apply')).code).toBe(0);
    expect((await flitstack(m.sb, 'run', '--journal', m.journal, '--rate', '1000')).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await m.sb?.close();
    rmSync(dirname(m.journal), { recursive: true, force: true });
  });
  return m;
}

describe('flitstack rollback of rows that records made in Dynamics after the run point to', () => {
  const m = migrated();

  it("keeps the migrated accounts a user's new contact and opportunity point to, and the patient a user's note is on, until --discard-changes", async () => {
    const { sb, journal } = m;
    const [clinic, other] = created(journal, 'clinic');
    const [patient] = created(journal, 'patient');
    const accountsBefore = sb.dataverse.snapshot(['account']).tables.account!.length;
    await delay(1100);
    // A sales rep adds a contact at a migrated clinic (contact_customer_accounts: Cascade) and a note on
    // a migrated patient (objectid, polymorphic: Contact_Annotation, Cascade).
    const contact = await userCreates(sb, 'contacts', {
      lastname: 'Rep Contact',
      'parentcustomerid_account@odata.bind': `/accounts(${clinic})`,
    });
    const note = await userCreates(sb, 'annotations', {
      subject: 'Call back',
      'objectid_contact@odata.bind': `/contacts(${patient})`,
    });
    // An opportunity for the other clinic (customerid: opportunity_customer_accounts, Cascade).
    const sale = await userCreates(sb, 'opportunities', {
      name: 'Staff vaccination programme',
      'customerid_account@odata.bind': `/accounts(${other})`,
    });

    const refused = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(
      'records made in Dataverse since the run that point to rows to delete: 3 rows',
    );
    expect(refused.out).toMatch(
      new RegExp(
        `clinic account ${clinic}, not deleted: contact ${contact}, created or changed in Dataverse after the run, points to the row through parentcustomerid \\(contact_customer_accounts\\): deleting the row would delete that contact too`,
      ),
    );
    expect(refused.out).toContain(`annotation ${note}`);
    expect(refused.out).toContain(
      `clinic account ${other}, not deleted: opportunity ${sale}, created or changed in Dataverse after the run, points to the row through customerid (opportunity_customer_accounts)`,
    );
    expect(row(sb, 'opportunity', 'opportunityid', sale)).toBeDefined();
    expect(refused.out).toContain('Contact_Annotation');
    expect(row(sb, 'contact', 'contactid', contact)).toBeDefined();
    expect(row(sb, 'annotation', 'annotationid', note)).toBeDefined();
    expect(row(sb, 'account', 'accountid', clinic!)).toBeDefined();
    expect(row(sb, 'contact', 'contactid', patient!)).toBeDefined();
    // The rest of the run is undone: only the kept clinics stay.
    expect(sb.dataverse.snapshot(['account']).tables.account!.length).toBeLessThan(accountsBefore);

    const json = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1', '--format', 'json');
    expect(json.code).toBe(1);
    const kept = JSON.parse(json.out).kept as { targetId: string; foreign?: Record<string, string> }[];
    expect(kept.find((k) => k.targetId === clinic)?.foreign).toMatchObject({
      table: 'contact',
      id: contact,
      column: 'parentcustomerid',
      relationship: 'contact_customer_accounts',
      cascade: 'Cascade',
    });

    const forced = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1', '--discard-changes');
    expect(forced.code).toBe(0);
    expect(row(sb, 'account', 'accountid', clinic!)).toBeUndefined();
    expect(row(sb, 'contact', 'contactid', patient!)).toBeUndefined();
  }, 60_000);
});

describe('flitstack rollback when the application user cannot read a table that points to the rows', () => {
  const m = migrated({ dataverse: { unreadableTables: ['opportunity'] } });

  it('names the table and the privilege, keeps the rows its lookups would take, and deletes them with --discard-changes', async () => {
    const { sb, journal } = m;
    const [patient] = created(journal, 'patient');
    const refused = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(
      /^opportunity could not be checked for records pointing to the rows to delete \(.*opportunity_customer_contacts: Cascade.*\): the application user lacks prvReadOpportunity; grant it/m,
    );
    expect(refused.out).toMatch(
      /patient contact \S+, not deleted: opportunity could not be read \(the application user lacks prvReadOpportunity\), so whether a row of opportunity created or changed since the run points to the row \(.*opportunity_customer_contacts: Cascade.*\) is unknown/,
    );
    // Rows of tables no opportunity points to are deleted.
    expect(sb.dataverse.snapshot(['appointment']).tables.appointment ?? []).toHaveLength(0);
    expect(row(sb, 'contact', 'contactid', patient!)).toBeDefined();

    const forced = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1', '--discard-changes');
    expect(forced.code).toBe(0);
    expect(row(sb, 'contact', 'contactid', patient!)).toBeUndefined();
  }, 60_000);
});

describe('flitstack rollback when a table pointing to the rows has no modifiedon', () => {
  const m = migrated();

  it('checks postfollow (follows are never changed, so it has no modifiedon) by every follow: keeps the patient a user follows and deletes the rest', async () => {
    const { sb, journal } = m;
    const [followed, other] = created(journal, 'patient');
    // A follow of a row the run did not create does not hold the rollback.
    const elsewhere = await userCreates(sb, 'contacts', { lastname: 'Not migrated' });
    await userCreates(sb, 'postfollows', {
      'regardingobjectid_contact@odata.bind': `/contacts(${elsewhere})`,
    });

    const follow = await userCreates(sb, 'postfollows', {
      'regardingobjectid_contact@odata.bind': `/contacts(${followed})`,
    });
    const kept = await flitstack(sb, 'rollback', '--journal', journal, '--run', '1');
    expect(kept.code).toBe(1);
    expect(kept.out).not.toContain('could not be checked');
    expect(kept.out).toContain(
      `patient contact ${followed}, not deleted: postfollow ${follow}, created or changed in Dataverse after the run, points to the row through regardingobjectid (contact_PostFollows): deleting the row would delete that postfollow too`,
    );
    expect(row(sb, 'contact', 'contactid', followed!)).toBeDefined();
    expect(row(sb, 'contact', 'contactid', other!)).toBeUndefined();
    expect(row(sb, 'postfollow', 'postfollowid', follow)).toBeDefined();
  }, 60_000);
});
