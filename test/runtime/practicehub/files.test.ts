import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FileRef,
  PracticeHubClient,
  type PracticeHubEvent,
  PracticeHubRequestError,
} from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { NO_FAULTS } from '../../../sandbox/shared/faults.ts';
import { tempDir } from '../../support/tmp.ts';
import { APP_DETAILS, clientFor, collect, startCannedServer, startSandbox } from './helpers.ts';

const MB = 1024 * 1024;

async function sha256(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}

/** The file's body as the sandbox serves it, hashed while streaming. */
async function expectedHash(sandbox: PracticeHubSandbox, id: string): Promise<string> {
  const fresh = sandbox.get('files', id)!;
  const res = await fetch(String(fresh.download_url), {
    headers: { 'x-practicehub-key': sandbox.apiKey, 'x-app-details': 'tests=ops@example.com' },
  });
  return sha256(res.body! as unknown as AsyncIterable<Uint8Array>);
}

// reference practicehub.md, Documented "resources seen": files (download links that expire); sandbox model
// "Files": download_url answers 403 after expiry; bodies are binary of realistic sizes (two over 20 MB).
describe('PracticeHub client: files', () => {
  let offset = 0;
  let sandbox: PracticeHubSandbox;
  let files: FileRef[];
  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 2, fileLinkTtlSeconds: 60, clock: () => Date.now() + offset });
    const client = clientFor(sandbox);
    files = (await collect(client, 'files')) as unknown as (FileRef & { size: number })[];
    await client.close();
  });
  afterAll(() => sandbox.close());

  const bySize = (min: number, max: number) =>
    (files as (FileRef & { size: number; content_type: string })[]).find(
      (f) => f.size >= min && f.size < max,
    )!;

  it('downloads a file into memory with its type and size', async () => {
    const file = bySize(50 * 1024, 300 * 1024);
    const client = clientFor(sandbox);
    const got = await client.download(file);
    expect(got.size).toBe((file as unknown as { size: number }).size);
    expect(got.body.length).toBe(got.size);
    expect(got.contentType).toBe((file as unknown as { content_type: string }).content_type);
    expect(createHash('sha256').update(got.body).digest('hex')).toBe(await expectedHash(sandbox, file.id));
    expect(client.stats().bytesReceived).toBe(got.size);
    await client.close();
  });

  it('refreshes an expired link once through GET files/{id} and downloads', async () => {
    const file = bySize(50 * 1024, 300 * 1024);
    const events: PracticeHubEvent[] = [];
    const client = clientFor(sandbox, {}, events);
    offset += 61_000; // the listed link expired
    try {
      const got = await client.download(file);
      expect(got.size).toBe((file as unknown as { size: number }).size);
    } finally {
      offset -= 61_000;
    }
    expect(events).toContainEqual({ type: 'link-refreshed', fileId: file.id });
    const urls = events.flatMap((e) => (e.type === 'request' ? [e.url] : []));
    expect(urls).toHaveLength(3);
    expect(urls[0]).toMatch(/\/files\/\d+\/content\?expires=\d+&signature=…$/);
    expect(urls[1]).toBe(`${sandbox.baseUrl}/files/${file.id}`);
    expect(client.stats()).toMatchObject({
      requests: 3,
      linksRefreshed: 1,
      outcomes: { ok: 2, clientError: 1 },
    });
    expect(JSON.stringify(events)).not.toMatch(/signature=[\w-]{8}/);
    await client.close();
  });

  it('streams a file over 20 MB to disk without holding it in memory', async () => {
    const file = bySize(20 * MB, 100 * MB);
    const size = (file as unknown as { size: number }).size;
    const dir = tempDir('flitstack-ph-');
    const path = join(dir, 'huge.bin');
    const client = clientFor(sandbox);
    // Live memory, not garbage V8 has yet to collect: collect before every sample.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
    const live = (): number => {
      gc({ type: 'minor' });
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = live();
    let peak = 0;
    let samples = 0;
    let sawPartial = false;
    const sampler = setInterval(() => {
      samples += 1;
      peak = Math.max(peak, live() - before);
      if (existsSync(`${path}.part`)) sawPartial = true;
    }, 10);
    const saved = await client.downloadTo(file, path).finally(() => clearInterval(sampler));
    expect(saved).toMatchObject({
      path,
      size,
      contentType: (file as unknown as { content_type: string }).content_type,
    });
    expect(statSync(path).size).toBe(size);
    // A patient's file is readable by its owner only, whatever the umask.
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(sawPartial).toBe(true);
    // The body passed through in chunks: never more than a few of them held at once (memory sampled
    // while the download ran; a collection may leave less live than before it, so the peak may be 0).
    expect(samples).toBeGreaterThan(0);
    expect(peak).toBeLessThan(8 * MB);
    expect(await sha256(createReadStream(path))).toBe(await expectedHash(sandbox, file.id));
    await client.close();
  });

  it('starts the part file over after a connection drops mid-body, and ends with the whole file', async () => {
    const flaky = await startSandbox({ seed: 2, faults: { ...NO_FAULTS, seed: 3, rateReset: 0.5 } });
    const client = clientFor(flaky);
    const listed = (await collect(client, 'files')) as unknown as FileRef[];
    const file = listed.find((f) => f.id === bySize(1 * MB, 3 * MB).id)!;
    const path = join(tempDir('flitstack-ph-'), 'file.bin');
    const saved = await client.downloadTo(file, path);
    expect(statSync(path).size).toBe(saved.size);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await sha256(createReadStream(path))).toBe(await expectedHash(sandbox, file.id));
    expect(client.stats().outcomes.reset).toBe(flaky.stats().faults.reset);
    expect(flaky.stats().faults.reset).toBeGreaterThan(0);
    await client.close();
    await flaky.close();
  });
});

describe('PracticeHub client: download links on another host', () => {
  it('sends the key only to the API origin, and fails when the fresh link is refused too', async () => {
    // localhost and 127.0.0.1 are different origins: to the client, a storage host of its own.
    const storage = (port: number, signature: string) =>
      `http://localhost:${port}/storage/7?signature=${signature}`;
    const server = await startCannedServer((port) => ({
      '/api/files/7': [200, { id: '7', download_url: storage(port, 'fresh') }],
      '/storage/7': [403, { error: 'link_expired', message: 'this download link has expired' }],
    }));
    const client = new PracticeHubClient({
      baseUrl: `${server.origin}/api`,
      apiKey: 'phk_secret-eu',
      appDetails: APP_DETAILS,
      requestsPerSecond: 1000,
    });
    const error = (await client
      .download({ id: '7', download_url: storage(server.port, 'old') })
      .catch((e: unknown) => e)) as PracticeHubRequestError;
    expect(error).toBeInstanceOf(PracticeHubRequestError);
    expect(error.status).toBe(403);
    expect(error.message).toContain('the download link of file 7 was refused, and so was a fresh one');
    expect(error.message).toContain('PracticeHub said: "this download link has expired"');
    expect(server.seen.map((r) => r.path)).toEqual(['/storage/7', '/api/files/7', '/storage/7']);
    expect(server.seen.map((r) => r.headers['x-practicehub-key'])).toEqual([
      undefined,
      'phk_secret-eu',
      undefined,
    ]);
    await client.close();
    await server.close();
  });
});
