import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PracticeHubClient } from '../../../runtime/practicehub/index.ts';
import { Attachments } from '../../../runtime/run/documents.ts';
import type { PreparedRow } from '../../../runtime/run/state.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { APP_DETAILS, clientFor, collect, startCannedServer, startSandbox } from '../practicehub/helpers.ts';

const LIMIT = 5 * 1024 * 1024;

let sandbox: PracticeHubSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 4, scale: 0.5 });
});
afterAll(() => sandbox.close());

/** A note row carrying a file, as prepareRow makes them (only what Attachments reads). */
const mapping = { name: 'policy-document', files: [], document: { maxBytes: LIMIT } };
const noteFor = (fileId: string) =>
  ({ mapping, document: { fileId }, body: {}, flags: [] }) as unknown as PreparedRow;
const plainRow = () =>
  ({ mapping: { document: undefined }, document: undefined, body: {}, flags: [] }) as unknown as PreparedRow;

describe('attachments in groups bounded by bytes', () => {
  it('keeps every group under the byte bound (one oversized row alone), in order, losing no row', async () => {
    const client = clientFor(sandbox);
    const files = await collect(client, 'files');
    const attached = files.filter((f) => Math.ceil(Number(f.size) / 3) * 4 <= LIMIT);
    expect(attached.length).toBeGreaterThan(10);
    const rows = [plainRow(), ...attached.map((f) => noteFor(String(f.id))), plainRow()];
    const bound = 2 * 1024 * 1024;
    const groups = await new Attachments(client, undefined, async () => LIMIT).groups(rows, bound);
    expect(groups.flat()).toEqual(rows);
    expect(groups.length).toBeGreaterThan(1);
    const size = new Map(files.map((f) => [String(f.id), Math.ceil(Number(f.size) / 3) * 4]));
    for (const group of groups) {
      const bytes = group.reduce((n, r) => n + (r.document ? size.get(r.document.fileId)! : 0), 0);
      if (group.filter((r) => r.document).length > 1) expect(bytes).toBeLessThanOrEqual(bound);
    }
    await client.close();
  });

  it('weighs archived files (over the attachment limit) and rows without documents as nothing', async () => {
    const client = clientFor(sandbox);
    const files = await collect(client, 'files');
    const rows = files.map((f) => noteFor(String(f.id)));
    const groups = await new Attachments(client, undefined, async () => 1).groups(rows, 1);
    expect(groups).toEqual([rows]);
    await client.close();
  });

  it('refuses a row whose file has no download_url, naming the file, and downloads nothing', async () => {
    const server = await startCannedServer({
      '/api/files': [
        200,
        { total_entries: 1, data: [{ id: '7', filename: 'scan.pdf', size: 10 }], links: { next: null } },
      ],
    });
    const client = new PracticeHubClient({
      baseUrl: `${server.origin}/api`,
      apiKey: 'phk_key-eu',
      appDetails: APP_DETAILS,
      requestsPerSecond: 1000,
    });
    const row = noteFor('7');
    const errors = await new Attachments(client, undefined, async () => LIMIT).attach([row]);
    expect(String(errors.get(row))).toContain("file 7 has no download_url in PracticeHub's files");
    expect(row.body).toEqual({});
    expect(server.seen.map((r) => r.path)).toEqual(['/api/files']);
    await client.close();
    await server.close();
  });
});

// reference practicehub.md, sandbox model "Files": a list entry's download_url answers 403 after it
// expired. Downloads that come long after the listing find every remaining link expired.
describe('attachments whose download links expired', () => {
  it('refreshes the links of the remaining files by listing them again, not with a GET per file', async () => {
    let offset = 0;
    const expiring = await startSandbox({
      seed: 4,
      scale: 0.5,
      fileLinkTtlSeconds: 60,
      clock: () => Date.now() + offset,
    });
    const client = clientFor(expiring, { pageSize: 10 });
    const files = await collect(client, 'files');
    const small = files.filter((f) => Math.ceil(Number(f.size) / 3) * 4 <= LIMIT);
    const pages = Math.ceil(files.length / 10);
    expect(small.length).toBeGreaterThan(3 * pages);
    const rows = small.map((f) => noteFor(String(f.id)));
    const attachments = new Attachments(client, undefined, async () => LIMIT);
    await attachments.groups(rows, LIMIT); // lists the files, as a run does before its first write
    offset += 61_000; // every listed link expired
    const before = client.stats().requests;
    const errors = await attachments.attach(rows);
    expect([...errors.values()]).toEqual([]);
    expect(rows.every((r) => typeof r.body.documentbody === 'string')).toBe(true);
    const perDocument = (client.stats().requests - before) / rows.length;
    // One download each, plus at most a few refreshes before one listing renews every remaining link
    // (a GET and a download again per file would make 3 a document).
    expect(perDocument).toBeLessThan(1.6);
    // A few documents after the links expired: reading their records costs less than a listing.
    offset += 61_000;
    const few = rows.slice(0, 2).map((r) => noteFor(r.document!.fileId));
    const { pages: pagesBefore, linksRefreshed } = client.stats();
    expect([...(await attachments.attach(few)).values()]).toEqual([]);
    expect(client.stats().pages).toBe(pagesBefore);
    expect(client.stats().linksRefreshed - linksRefreshed).toBe(few.length);
    await client.close();
    await expiring.close();
  });
});
