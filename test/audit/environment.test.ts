import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, specCopy } from './helpers.ts';

/** A PracticeHub that refuses every request with 400, as a misconfigured proxy or gateway would. */
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'request refused by the gateway' }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
});

/** Counts the requests the PracticeHub server gets from now on. */
function countRequests(): () => number {
  let requests = 0;
  server.on('request', () => {
    requests += 1;
  });
  return () => requests;
}

/** The environment of `audit --target` against the failing PracticeHub and `dataverseUrl`. */
const targetEnv = (dataverseUrl: string) => ({
  PRACTICEHUB_API_KEY: `phk_${'0'.repeat(40)}-eu`,
  PRACTICEHUB_BASE_URL: baseUrl,
  DATAVERSE_URL: dataverseUrl,
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
});

describe('flitstack audit against a PracticeHub that fails', () => {
  it('exits 2, like run: a failing service is the environment, not a finding', async () => {
    const dir = specCopy();
    const apiKey = `phk_${'0'.repeat(40)}-eu`;
    const result = await cli(dir, { PRACTICEHUB_API_KEY: apiKey, PRACTICEHUB_BASE_URL: baseUrl }, 'audit');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(
        `error: GET ${baseUrl}/\\S+ failed \\(HTTP 400, 1 attempt\\): .*request refused by the gateway`,
      ),
    );
    expect(result.err).not.toContain(apiKey);
    expect(result.out).toBe('');
  });

  it('with --target, refuses a malformed DATAVERSE_URL (exit 2) before it reads PracticeHub', async () => {
    const requests = countRequests();
    const env = targetEnv('not-a-url');
    const result = await cli(specCopy(), env, 'audit', '--target');
    expect(result.code).toBe(2);
    expect(result.err).toContain('error: DATAVERSE_URL');
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(requests()).toBe(0);
  });

  it('refuses a spec file it is to rewrite that does not parse (exit 2, no trace) before it reads PracticeHub', async () => {
    const requests = countRequests();
    const env = targetEnv('http://127.0.0.1:9');
    const cases = [
      { file: 'source/practicehub.yaml', text: 'version: 1\nresources: [\n', option: '--write-model' },
      { file: 'source/practicehub.yaml', text: '- version: 1\n', option: '--write-model' },
      { file: 'target/dataverse.yaml', text: 'version: 1\ntables: {\n', option: '--target' },
    ];
    for (const c of cases) {
      const dir = specCopy((spec) => writeFileSync(join(spec, c.file), c.text));
      const result = await cli(dir, env, 'audit', c.option);
      expect(result.code, c.text).toBe(2);
      expect(result.err, c.text).toMatch(
        new RegExp(`^error: spec/${c.file}(:\\d+:\\d+)?: ${c.option} rewrites this file, and it `),
      );
      expect(result.err, c.text).not.toMatch(/\n\s+at /);
      expect(readFileSync(join(dir, 'spec', c.file), 'utf8')).toBe(c.text);
    }
    expect(requests()).toBe(0);
  });

  it('--help documents exit 1 for fields left out and exit 2 for an unreachable or refusing service', async () => {
    const help = await cli(specCopy(), {}, 'audit', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain(
      [
        'Exit codes: 0 ok, 1 the live source differs from the model (and --write-model was not given), or',
        '--write-model left out a field or resource named outside the model language (each is named on stderr),',
        '2 usage or environment error (PracticeHub or Dataverse unreachable or refusing a request, --out not',
        'writable, a rewritten spec file its schema refuses: then no spec file is written).',
      ].join('\n'),
    );
  });
});
