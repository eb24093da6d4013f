import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import type { BatchRequest } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { fetchToken } from '../../sandbox/dataverse/helpers.ts';
import { diesAfter } from '../../support/dies-after.ts';
import { type Migrated, migrated, parentLeftEmpty } from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
let m: Migrated;
beforeAll(async () => {
  m = await migrated(module, 47);
}, 60_000);
afterAll(() => m?.close());

describe('a delta killed while it binds a parent clinic an earlier run left empty', () => {
  it('journals the empty value the lookup had after the resume, so a rollback empties it again', async () => {
    const { sb, deps, journal } = m;
    // A child clinic loaded with no parent; the parent is back, and the delta that loads it dies right
    // after Dataverse took the child's binding.
    const { parent, child, account, first, childId } = await parentLeftEmpty(m);
    const options = { kind: 'delta' as const, since: m.since(), parentRun: first.run.id };
    const binds = (requests: readonly BatchRequest[]) =>
      requests.some((r) => r.path === `accounts(${childId})`);
    await diesAfter(deps, sb.env, binds, options);
    const resumed = await runMigration(deps, options);
    expect(resumed.resumed).toBe(true);
    const parentId = account(parent)!.accountid as string;
    expect(account(child)!.parentaccountid).toMatchObject({ id: parentId });

    // A user's opportunity for the new parent clinic keeps it through the rollback of the delta: the
    // child, which the delta only bound to it, gets its empty parent back all the same.
    await delay(1100);
    const res = await fetch(`${sb.dataverse.apiUrl}opportunities`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await fetchToken(sb.dataverse)}`,
        'Content-Type': 'application/json',
        'OData-MaxVersion': '4.0',
        'OData-Version': '4.0',
      },
      body: JSON.stringify({
        name: 'Group contract',
        'customerid_account@odata.bind': `/accounts(${parentId})`,
      }),
    });
    expect(res.status).toBe(204);
    const undone = await rollbackRun({ dataverse: deps.dataverse, journal, module }, resumed.run.id);
    expect(undone.kept.map((k) => k.targetId)).toContain(parentId);
    expect(account(parent)).toBeDefined();
    expect(account(child)!.parentaccountid ?? null).toBeNull();
  }, 60_000);
});
