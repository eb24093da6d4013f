import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { FakeClock, get, list, start } from './helpers.ts';

const MB = 1024 * 1024;

// reference practicehub.md, Documented "resources seen": files (download links that expire); sandbox model
// "Files": download_url expires (403 after expiry); bodies are binary (PDF, images) of realistic sizes.
describe('PracticeHub sandbox: files', () => {
  const clock = new FakeClock();
  let sandbox: PracticeHubSandbox;
  let files: Record<string, unknown>[];
  beforeAll(async () => {
    sandbox = await start({ clock: clock.now, fileLinkTtlSeconds: 60 });
    files = (await list(sandbox, '/files')).data;
  });
  afterAll(() => sandbox.close());

  it('lists files with absolute, signed, expiring download URLs', () => {
    expect(files).toHaveLength(100);
    for (const f of files) {
      expect(String(f.download_url)).toMatch(
        new RegExp(
          `^http://127\\.0\\.0\\.1:${sandbox.port}/eu/files/${f.id}/content\\?expires=\\d+&signature=[\\w-]+$`,
        ),
      );
    }
  });

  it("streams bodies of the listed size and type, with the kind's magic bytes", async () => {
    const small = files.filter((f) => Number(f.size) < 400 * 1024);
    const kinds = new Map(small.map((f) => [String(f.content_type), f]));
    expect([...kinds.keys()].sort()).toEqual(['application/pdf', 'image/jpeg', 'image/png']);
    const magic: Record<string, number[]> = {
      'application/pdf': [...Buffer.from('%PDF-')],
      'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      'image/jpeg': [0xff, 0xd8, 0xff],
    };
    for (const [type, f] of kinds) {
      const res = await get(sandbox, String(f.download_url));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-length')).toBe(String(f.size));
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.length).toBe(f.size);
      expect([...body.subarray(0, magic[type]!.length)]).toEqual(magic[type]);
    }
  });

  it('has realistic sizes: most 50 KB–2 MB, a few over 5 MB, two over 20 MB', () => {
    const sizes = files.map((f) => Number(f.size));
    const normal = sizes.filter((s) => s >= 50 * 1024 && s <= 2 * MB).length;
    expect(normal).toBeGreaterThanOrEqual(90);
    expect(sizes.filter((s) => s > 5 * MB).length).toBeGreaterThanOrEqual(4);
    expect(sizes.filter((s) => s > 20 * MB)).toHaveLength(2);
    // Over Dataverse's 5 MB attachment limit only once Base64-encoded (4/3 larger).
    expect(sizes.filter((s) => s < 5 * MB && (s * 4) / 3 > 5 * MB).length).toBeGreaterThanOrEqual(2);
  });

  it('streams a file over 20 MB completely', async () => {
    const huge = files.find((f) => Number(f.size) > 20 * MB)!;
    const res = await get(sandbox, String(huge.download_url));
    let total = 0;
    for await (const chunk of res.body!) total += (chunk as Uint8Array).length;
    expect(total).toBe(huge.size);
  });

  it('answers 403 once the link expired, and a fresh listing gives a working link', async () => {
    const f = files.find((x) => Number(x.size) < 200 * 1024)!;
    clock.advance(59_000);
    expect((await get(sandbox, String(f.download_url))).status).toBe(200);
    clock.advance(1_000);
    const expired = await get(sandbox, String(f.download_url));
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ error: 'link_expired' });
    const fresh = (await (await get(sandbox, `/files/${f.id}`)).json()) as { download_url: string };
    expect((await get(sandbox, fresh.download_url)).status).toBe(200);
  });

  it('answers 403 to a tampered link, and 401 without the key', async () => {
    const fresh = (await (await get(sandbox, `/files/${files[0]!.id}`)).json()) as { download_url: string };
    const tampered = fresh.download_url.replace(
      /expires=(\d+)/,
      (_m, e: string) => `expires=${Number(e) + 3600}`,
    );
    expect((await get(sandbox, tampered)).status).toBe(403);
    const other = fresh.download_url.replace(String(files[0]!.id), String(files[1]!.id));
    expect((await get(sandbox, other)).status).toBe(403);
    expect((await get(sandbox, fresh.download_url, {})).status).toBe(401);
  });

  it('links policy documents to their PDF files and patient files to patients', async () => {
    const docs = (await list(sandbox, '/policy_documents')).data;
    expect(docs).toHaveLength(30);
    for (const doc of docs) {
      const file = sandbox.get('files', String(doc.file_id))!;
      expect(file).toMatchObject({
        owner_type: 'policy_document',
        owner_id: doc.id,
        content_type: 'application/pdf',
      });
      expect(file.filename).toBe(`${doc.title}.pdf`);
    }
    const patientFiles = files.filter((f) => f.owner_type === 'patient');
    expect(patientFiles).toHaveLength(70);
    for (const f of patientFiles) expect(sandbox.get('patients', String(f.owner_id))).toBeDefined();
  });
});
