import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PracticeHubAuthError,
  PracticeHubClient,
  PracticeHubConfigError,
  PracticeHubRequestError,
} from '../../../runtime/practicehub/index.ts';
import type { PracticeHubSandbox } from '../../../sandbox/practicehub/index.ts';
import { APP_DETAILS, clientFor, startSandbox } from './helpers.ts';

// reference practicehub.md, Documented "auth headers" and sandbox model "Regions": a key used against the
// wrong region answers 401 with a JSON error that names the right region's host.
describe('PracticeHub client: keys and regions', () => {
  let sandbox: PracticeHubSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ region: 'eu' });
  });
  afterAll(() => sandbox.close());

  it('sends the key and x-app-details, and reads with them', async () => {
    const client = clientFor(sandbox);
    expect(await client.count('clinics')).toBe(sandbox.counts().clinics);
    await client.close();
  });

  it('fails a wrong key at once with a 401 that says what to check, and never shows the key', async () => {
    const wrongKey = 'phk_0123456789abcdef-eu';
    const client = new PracticeHubClient({
      baseUrl: sandbox.baseUrl,
      apiKey: wrongKey,
      appDetails: APP_DETAILS,
    });
    const error = (await client.count('patients').catch((e: unknown) => e)) as PracticeHubAuthError;
    expect(error).toBeInstanceOf(PracticeHubAuthError);
    expect(error.status).toBe(401);
    expect(error.attempts).toBe(1);
    expect(error.message).toContain(
      `GET ${sandbox.baseUrl}/patients?page=1&page_size=1&fields=id failed (HTTP 401, 1 attempt)`,
    );
    expect(error.message).toContain('PracticeHub refused the API key (phk_…-eu)');
    expect(error.message).toContain('Check PRACTICEHUB_API_KEY');
    expect(error.message).toContain('PracticeHub said: "the API key is not valid"');
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain('0123456789');
    expect(client.stats().outcomes.clientError).toBe(1);
    await client.close();
  });

  it('names the base URL the server points to when the key belongs to another region on the same host', async () => {
    const usBase = sandbox.baseUrlTemplate.replace('{region}', 'us');
    const client = new PracticeHubClient({
      baseUrl: usBase,
      apiKey: sandbox.apiKey,
      appDetails: APP_DETAILS,
    });
    const error = (await client.get('patients', '1').catch((e: unknown) => e)) as PracticeHubAuthError;
    expect(error).toBeInstanceOf(PracticeHubAuthError);
    expect(error.status).toBe(401);
    expect(error.suggestedBaseUrl).toBe(sandbox.baseUrl);
    // One host serves every region here, so the message names base URLs, not the host twice.
    expect(error.message).toContain(
      `the API key (phk_…-eu) belongs to region 'eu' served at ${sandbox.baseUrl}, not to ${usBase}`,
    );
    expect(error.message).toContain(`PRACTICEHUB_BASE_URL to ${sandbox.baseUrl}`);
    expect(error.message).toContain('Set source.region in spec/migration.yaml');
    expect(error.message).not.toContain(sandbox.apiKey);
    await client.close();
  });

  it('refuses an x-app-details that is not <app>=<email> before sending anything', () => {
    const make = (appDetails: string) =>
      new PracticeHubClient({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, appDetails });
    expect(() => make('flitstack')).toThrow(PracticeHubConfigError);
    expect(() => make('flitstack=not-an-email')).toThrow(/'<app name>=<contact email>'/);
    expect(() => make('flitstack=ops@example.com')).not.toThrow();
  });

  it('refuses an updatedSince that is no instant before sending anything', async () => {
    const client = clientFor(sandbox);
    for (const bad of ['2024-13-45', '2024-02-30T00:00:00Z', 'yesterday']) {
      await expect(client.pages('patients', { updatedSince: bad }).next()).rejects.toThrow(
        `updatedSince '${bad}' is not an ISO 8601 instant`,
      );
      await expect(client.count('patients', { updatedSince: bad })).rejects.toThrow(PracticeHubConfigError);
    }
    expect(client.stats().requests).toBe(0);
    await client.close();
  });

  it('keeps the key out of every event', async () => {
    const events: unknown[] = [];
    const client = clientFor(sandbox, {}, events as never[]);
    await client.count('patients');
    await client.get('clinics', [...sandbox.records('clinics')][0]!.id);
    const text = JSON.stringify(events);
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(text).not.toContain(sandbox.apiKey);
    expect(text).not.toContain(sandbox.apiKey.slice(4, 20));
    await client.close();
  });

  it('is a PracticeHubRequestError for callers that handle any request failure alike', () => {
    expect(PracticeHubAuthError.prototype).toBeInstanceOf(PracticeHubRequestError);
  });
});
