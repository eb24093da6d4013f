import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PracticeHubSandbox, startPracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { authHeaders, get, start } from './helpers.ts';

describe('PracticeHub sandbox: keys, headers and regions', () => {
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await start({ region: 'eu' });
  });
  afterAll(() => sandbox.close());

  it('names its base URLs and a key ending with the region', () => {
    expect(sandbox.baseUrl).toBe(`http://127.0.0.1:${sandbox.port}/eu/api`);
    expect(sandbox.baseUrlTemplate).toBe(`http://127.0.0.1:${sandbox.port}/{region}/api`);
    expect(sandbox.apiKey).toMatch(/^phk_[0-9a-f]+-eu$/);
    expect(sandbox.region).toBe('eu');
  });

  // reference practicehub.md, Documented "auth headers": x-practicehub-key and x-app-details.
  it('answers 401 without x-practicehub-key', async () => {
    const res = await get(sandbox, '/patients', { 'x-app-details': 'app=ops@example.com' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'missing_api_key' });
  });

  it('answers 401 to an unknown key of the right region', async () => {
    const res = await get(sandbox, '/patients', {
      'x-practicehub-key': 'phk_0000-eu',
      'x-app-details': 'app=ops@example.com',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_api_key' });
  });

  // reference practicehub.md, sandbox model "Headers": missing x-app-details answers 400.
  it('answers 400 without x-app-details, or with one that is not appname=<email>', async () => {
    const missing = await get(sandbox, '/patients', { 'x-practicehub-key': sandbox.apiKey });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'missing_app_details' });
    const malformed = await get(sandbox, '/patients', {
      'x-practicehub-key': sandbox.apiKey,
      'x-app-details': 'flitstack',
    });
    expect(malformed.status).toBe(400);
  });

  // reference practicehub.md, sandbox model "Regions": a key used against the wrong region answers 401
  // with a JSON error that names the right region's host.
  it('answers 401 naming the right base URL when the key belongs to another region', async () => {
    const url = sandbox.baseUrlTemplate.replace('{region}', 'us');
    const res = await get(sandbox, `${url}/patients`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: string; base_url: string; message: string };
    expect(body.error).toBe('wrong_region');
    expect(body.base_url).toBe(sandbox.baseUrl);
    expect(body.message).toContain(sandbox.baseUrl);
  });

  it('serves the right region with the right headers, and 404s unknown resources and regions', async () => {
    expect((await get(sandbox, '/patients')).status).toBe(200);
    const unknown = await get(sandbox, '/invoices_typo');
    expect(unknown.status).toBe(404);
    const region = await get(sandbox, `http://127.0.0.1:${sandbox.port}/xx/api/patients`);
    expect(region.status).toBe(404);
  });

  it('is read-only: other methods answer 405', async () => {
    const res = await fetch(`${sandbox.baseUrl}/patients`, {
      method: 'POST',
      headers: authHeaders(sandbox),
      body: '{}',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('serves other regions from the same server, and refuses keys that do not match the region', async () => {
    const au = await startPracticeHubSandbox({ region: 'au', rate: 100 });
    try {
      expect(au.baseUrl.endsWith('/au/api')).toBe(true);
      expect(au.apiKey.endsWith('-au')).toBe(true);
      expect((await get(au, '/clinics')).status).toBe(200);
      const eu = await get(au, `${au.baseUrlTemplate.replace('{region}', 'eu')}/clinics`);
      expect(eu.status).toBe(401);
    } finally {
      await au.close();
    }
    await expect(startPracticeHubSandbox({ region: 'us', apiKey: 'phk_abc-eu' })).rejects.toThrow(/-us/);
    await expect(startPracticeHubSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
