import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as generatedModule from '../../../generated/transformer.ts';
import { DataverseClient, optionsFromEnv } from '../../../runtime/dataverse/index.ts';
import type { GeneratedModule } from '../../../runtime/mapping/index.ts';
import { rollbackRun } from '../../../runtime/rollback/index.ts';
import { runMigration } from '../../../runtime/run/pipeline.ts';
import { type Migrated, migrated, parentLeftEmpty } from '../../support/migration.ts';

const module: GeneratedModule = generatedModule;
let m: Migrated;
beforeAll(async () => {
  m = await migrated(module, 53);
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
