import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import type { SyncPlugin } from '../../../sandbox/dataverse/options.ts';
import { type Migrated, migrated, parentLeftEmpty } from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
let m: Migrated;
/** The organisation's own synchronous plug-ins: a test adds one when it needs Dataverse to refuse a row. */
const plugins: SyncPlugin[] = [];
beforeAll(async () => {
  m = await migrated(module, 53, { dataverse: { plugins } });
}, 60_000);
afterAll(() => m?.close());

/** A client whose `$batch` binds of `path` name a parent account that does not exist: Dataverse refuses them. */
class RefusesBind extends DataverseClient {
  constructor(
    env: Record<string, string>,
    private readonly path: string,
  ) {
    super(optionsFromEnv(env));
  }
  override async batch(...[items, options]: Parameters<DataverseClient['batch']>) {
    const missing = '/accounts(00000000-0000-0000-0000-00000000dead)';
    const refused = items.map((item) =>
      'changeSet' in item || item.path !== this.path || item.method !== 'PATCH' || !item.body
        ? item
        : {
            ...item,
            body: Object.fromEntries(Object.keys(item.body).map((k) => [k, missing])),
          },
    );
    return super.batch(refused, options);
  }
}

describe('a parent clinic whose binding Dataverse refused', () => {
  it('is bound again by the next delta, though the child did not change, and a rollback empties it', async () => {
    const { sb, deps, journal } = m;
    // A child clinic loaded with no parent; the parent is back, and Dataverse refuses its binding.
    const { parent, child, account, first, childId } = await parentLeftEmpty(m);
    const refusing = new RefusesBind(sb.env, `accounts(${childId})`);
    const refused = await runMigration(
      { ...deps, dataverse: refusing },
      { kind: 'delta', since: m.since(), parentRun: first.run.id },
    ).finally(() => refusing.close());
    expect(journal.deferred.counts(refused.run.id).failed).toBe(1);
    expect(account(child)!.parentaccountid ?? null).toBeNull();

    // Nothing changed since: the next delta binds it all the same.
    await delay(1100);
    const next = await runMigration(deps, { kind: 'delta', since: m.since(), parentRun: refused.run.id });
    const parentId = account(parent)!.accountid as string;
    expect(journal.deferred.counts(next.run.id)).toMatchObject({ bound: 1, failed: 0 });
    expect(account(child)!.parentaccountid).toMatchObject({ id: parentId });

    // The binding is journaled with the empty lookup it replaced.
    await rollbackRun({ dataverse: deps.dataverse, journal, module }, next.run.id);
    expect(account(child)!.parentaccountid ?? null).toBeNull();
  }, 60_000);
});

describe('a parent clinic binding that a plug-in refuses, quoting the clinic', () => {
  it("journals Dataverse's message with the row's values masked, though the binding sent none of them", async () => {
    const { journal } = m;
    const { first, childId } = await parentLeftEmpty(m);
    // The values of the child's row the plug-in quotes: its name and city, which the binding does not send.
    const quoted: string[] = [];
    plugins.push({
      table: 'account',
      refuse: (r) => {
        if (r.accountid !== childId || !r.parentaccountid) return undefined;
        quoted.push(String(r.name), String(r.address1_city));
        return `Clinic ${r.name} in ${r.address1_city} cannot join a group`;
      },
    });
    try {
      const refused = await runMigration(m.deps, {
        kind: 'delta',
        since: m.since(),
        parentRun: first.run.id,
      });
      expect(journal.deferred.counts(refused.run.id).failed).toBe(1);
      expect(quoted.length).toBeGreaterThan(0);
      const bind = [...journal.operations(refused.run.id, { action: 'bind' })].find((o) => o.error);
      expect(bind!.reason).toContain('cannot join a group');
      for (const value of quoted.filter((v) => v.length >= 4 && v !== 'null')) {
        expect(bind!.reason).not.toContain(value);
        expect(JSON.stringify(bind!.error)).not.toContain(value);
      }
    } finally {
      plugins.length = 0;
    }
  }, 60_000);
});
