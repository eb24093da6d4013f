import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAR_FUTURE,
  PracticeHubClient,
  type PracticeHubEvent,
  PracticeHubIgnoredFilterError,
  type PracticeHubPage,
} from '../../../runtime/practicehub/index.ts';
import { type PracticeHubSandbox, REFERENCE_MS } from '../../../sandbox/practicehub/index.ts';
import { APP_DETAILS, clientFor, collect, startSandbox } from './helpers.ts';
import { type IgnoringProxy, startIgnoringProxy } from './proxy.ts';

const DAY = 86_400_000;

// reference practicehub.md, Documented "modified since" (updated= on list endpoints) and "filters" (an
// unknown filter is silently ignored); sandbox model "Modified since": deletions appear with deleted_at.
describe('PracticeHub client: updated= and the ignored-filter trap', () => {
  let sandbox: PracticeHubSandbox;
  let proxy: IgnoringProxy;
  let watermark: string;
  const changed = { updated: [] as string[], created: [] as string[], deleted: [] as string[] };
  beforeAll(async () => {
    // The sandbox's base data ends at REFERENCE_MS; its clock starts a day later, so every change made
    // now is newer than any base record.
    const shift = Math.max(0, REFERENCE_MS + DAY - Date.now());
    const clock = (): number => Date.now() + shift;
    sandbox = await startSandbox({ seed: 5, clock, projection: true });
    watermark = new Date(Math.floor(clock() / 1000) * 1000).toISOString();
    changed.updated = sandbox.mutate({ resource: 'patients', action: 'update', count: 5 });
    changed.created = sandbox.mutate({ resource: 'patients', action: 'create', count: 3 });
    changed.deleted = sandbox.mutate({ resource: 'patients', action: 'delete', count: 2 });
    proxy = await startIgnoringProxy(sandbox.baseUrl, ['updated']);
  });
  afterAll(async () => {
    await proxy.close();
    await sandbox.close();
  });

  it('returns exactly what changed after the watermark, deletions with deleted_at, after one probe', async () => {
    const events: PracticeHubEvent[] = [];
    const client = clientFor(sandbox, {}, events);
    const records = await collect(client, 'patients', { updatedSince: watermark });
    const ids = records.map((r) => r.id).sort();
    expect(ids).toEqual([...changed.updated, ...changed.created, ...changed.deleted].sort());
    const deleted = records.filter((r) => r.deleted_at !== null).map((r) => r.id);
    expect(deleted.sort()).toEqual([...changed.deleted].sort());
    expect(await client.count('patients', { updatedSince: watermark })).toBe(10);
    // One probe (cached for the count), one page, one count.
    expect(client.stats()).toMatchObject({ requests: 3, probes: 1 });
    const probe = events.find((e) => e.type === 'request' && e.probe);
    const probeUrl = new URL(probe?.type === 'request' ? probe.url : 'http://none');
    expect(probeUrl.searchParams.get('updated')).toBe(`gte:${FAR_FUTURE}`);
    expect(probeUrl.searchParams.get('page_size')).toBe('1');
    expect(events).toContainEqual({ type: 'probe', resource: 'patients', kind: 'filter', result: 'applied' });
    await client.close();
  });

  it('keeps deleted_at and updated_at when projecting a delta', async () => {
    const client = clientFor(sandbox);
    const records = await collect(client, 'patients', { updatedSince: watermark, fields: ['last_name'] });
    expect(records).toHaveLength(10);
    for (const r of records)
      expect(Object.keys(r).sort()).toEqual(['deleted_at', 'id', 'last_name', 'updated_at']);
    expect(records.filter((r) => r.deleted_at !== null)).toHaveLength(2);
    await client.close();
  });

  it('throws when the API ignores updated= (probe through a server that drops it), before reading anything', async () => {
    const client = new PracticeHubClient({
      baseUrl: proxy.baseUrl,
      apiKey: sandbox.apiKey,
      appDetails: APP_DETAILS,
      requestsPerSecond: 5_000,
    });
    const error = await collect(client, 'patients', { updatedSince: watermark }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PracticeHubIgnoredFilterError);
    const message = (error as Error).message;
    expect(message).toContain(`GET ${proxy.baseUrl}/patients?page=1&page_size=1&updated=gte`);
    expect(message).toContain(
      `ignores the filter 'updated' on patients: a filter that matches nothing returned ${sandbox.counts().patients} records`,
    );
    expect(message).toContain("onIgnoredFilter: 'scan'");
    // What an operator of the CLI can do, where onIgnoredFilter is no option.
    expect(message).toContain('`flitstack run`: a delta cannot pick up changes of patients from this API');
    // The verdict is cached: a second attempt fails without a second probe.
    await expect(client.count('patients', { updatedSince: watermark })).rejects.toThrow(
      PracticeHubIgnoredFilterError,
    );
    expect(client.stats()).toMatchObject({ requests: 1, probes: 1 });
    expect(proxy.dropped.get('updated')).toBe(1);
    await client.close();
  });

  it("falls back to a full scan filtered here with onIgnoredFilter: 'scan'", async () => {
    const client = new PracticeHubClient({
      baseUrl: proxy.baseUrl,
      apiKey: sandbox.apiKey,
      appDetails: APP_DETAILS,
      requestsPerSecond: 5_000,
      onIgnoredFilter: 'scan',
    });
    const pages: PracticeHubPage[] = [];
    for await (const page of client.pages('patients', { updatedSince: watermark })) pages.push(page);
    const total = sandbox.counts().patients;
    expect(pages).toHaveLength(Math.ceil(total / 100));
    expect(pages.every((p) => p.clientFiltered && p.totalEntries === total)).toBe(true);
    // A scan cannot see deletions (the API lists them only under updated=); everything else matches.
    const ids = pages.flatMap((p) => p.records.map((r) => r.id)).sort();
    expect(ids).toEqual([...changed.updated, ...changed.created].sort());
    expect(await client.count('patients', { updatedSince: watermark })).toBe(8);
    expect(client.stats().probes).toBe(1);
    expect(client.stats().requests).toBe(1 + 2 * Math.ceil(total / 100));
    await client.close();
  });
});
