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
