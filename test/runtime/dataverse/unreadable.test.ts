import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import { DataverseError, UNREADABLE } from '../../../runtime/dataverse/errors.ts';
import { type DataverseSandbox, startDataverseSandbox } from '../../../sandbox/dataverse/index.ts';
import { clientOptions, startGateway } from './helpers.ts';

/** What a gateway left of an answer: a page that says it is JSON, holding a row's values. */
const GARBLED = '<p>Ngaio Turner, ngaio_turner@example.org</p>';

describe('dataverse client: a successful answer that is not the JSON it says it is', () => {
  let sb: DataverseSandbox;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let client: DataverseClient;
  beforeAll(async () => {
    sb = await startDataverseSandbox({ keyActivationDelayMs: 0 });
    gateway = await startGateway(sb.url, (req, answer) => {
      if (req.url?.includes('/oauth2/') || answer.status >= 300) return answer;
      // In a $batch answer, the JSON of each part.
      if (req.url?.includes('$batch')) return { ...answer, text: answer.text.replace(/^\{.*$/gm, GARBLED) };
      return { ...answer, headers: { ...answer.headers, 'content-type': 'application/json' }, text: GARBLED };
    });
    client = new DataverseClient(clientOptions(sb, { url: gateway.url, authorityHost: gateway.url }));
  });
  afterAll(async () => {
    await client.close();
    await gateway.close();
    await sb.close();
  });

  const failure = async (call: () => Promise<unknown>): Promise<unknown> => {
    try {
      await call();
    } catch (error) {
      return error;
    }
    throw new Error('the call did not fail');
  };

  it('fails with a DataverseError that names the request and repeats nothing of the answer, in a $batch part too', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['WhoAmI', () => client.whoAmI()],
      ['contacts', async () => (await client.query('contacts').next()).value],
      ['$batch', () => client.batch([{ method: 'GET', path: 'WhoAmI' }])],
    ];
    for (const [path, call] of calls) {
      const error = await failure(call);
      expect(error, path).toBeInstanceOf(DataverseError);
      const e = error as DataverseError;
      expect(e.code).toBe(UNREADABLE);
      expect(e.message).toContain(`${path === '$batch' ? 'POST' : 'GET'} ${path}`);
      expect(e.message).toContain('not valid JSON');
      for (const value of ['Ngaio', 'Turner', 'ngaio_turner', '<p>'])
        expect(`${e.message} ${e.serverMessage}`, value).not.toContain(value);
    }
  });
});
