import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/tmp.ts';

/** Starts `flitstack sandbox` as a user would and collects its export lines. */
async function startCommand(args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/flitstack.js'), 'sandbox', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const env = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n').filter((l) => l.startsWith('export '));
      if (lines.length === 7)
        resolve(
          Object.fromEntries(lines.map((l) => l.slice(7).split(/=(.*)/s).slice(0, 2) as [string, string])),
        );
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    env,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs `flitstack sandbox` expecting it to stop at once; its exit code and stderr. */
async function refused(args: string[]) {
  const child = spawn(process.execPath, [join(ROOT, 'bin/flitstack.js'), 'sandbox', ...args], { cwd: ROOT });
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, err };
}

/** A port another program listens on, on the sandboxes' loopback address. */
async function portInUse(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('flitstack sandbox', () => {
  it('prints the environment, serves both APIs with it, and stops cleanly on Ctrl-C', async () => {
    const { env, stop } = await startCommand(['--rate', '50']);
    expect(Object.keys(env).sort()).toEqual([
      'AZURE_AUTHORITY_HOST',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_TENANT_ID',
      'DATAVERSE_URL',
      'PRACTICEHUB_API_KEY',
      'PRACTICEHUB_BASE_URL',
    ]);
    const base = env.PRACTICEHUB_BASE_URL!.replace('{region}', env.PRACTICEHUB_API_KEY!.split('-').at(-1)!);
    const patients = await fetch(`${base}/patients?page_size=500`, {
      headers: {
        'x-practicehub-key': env.PRACTICEHUB_API_KEY!,
        'x-app-details': 'flitstack=ops@example.com',
      },
    });
    const page = (await patients.json()) as { data: unknown[]; links: { next: string | null } };
    expect(page.data).toHaveLength(100);
    expect(page.links.next).toContain('page=2');
    const token = await fetch(`${env.AZURE_AUTHORITY_HOST}/${env.AZURE_TENANT_ID}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: env.AZURE_CLIENT_ID!,
        client_secret: env.AZURE_CLIENT_SECRET!,
        scope: `${env.DATAVERSE_URL}/.default`,
      }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const users = await fetch(
      `${env.DATAVERSE_URL}/api/data/v9.2/systemusers?$select=internalemailaddress,isdisabled`,
      { headers: { authorization: `Bearer ${access_token}`, accept: 'application/json' } },
    );
    const { value } = (await users.json()) as {
      value: { internalemailaddress: string; isdisabled: boolean }[];
    };
    expect(value.map((u) => u.internalemailaddress)).toContain('migration.owner@harbourside.example');
    expect(value.some((u) => u.isdisabled)).toBe(true);
    expect(await stop()).toBe(0);
  });

  it('with --rate 1, a second request in the same second gets 429 with Retry-After', async () => {
    const { env, stop } = await startCommand(['--rate', '1']);
    const base = env.PRACTICEHUB_BASE_URL!.replace('{region}', 'eu');
    const headers = {
      'x-practicehub-key': env.PRACTICEHUB_API_KEY!,
      'x-app-details': 'flitstack=ops@example.com',
    };
    const first = await fetch(`${base}/clinics`, { headers });
    const second = await fetch(`${base}/clinics`, { headers });
    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await stop()).toBe(0);
  });

  it('refuses bad options with exit 2', async () => {
    const { code, err } = await refused(['--faults', 'boom=1']);
    expect(code).toBe(2);
    expect(err).toContain("unknown fault 'boom'");
    // A --spec without migration.yaml: the organisation would lack the fallback owner a run needs.
    const spec = await refused(['--spec', 'nope']);
    expect(spec.code).toBe(2);
    expect(spec.err).toBe(
      `error: --spec nope: there is no migration.yaml in ${join(ROOT, 'nope')}; pass the spec directory, the one holding migration.yaml\n`,
    );
  });

  it('refuses a port in use with exit 2, naming its option and the port, without a stack', async () => {
    const { port, server } = await portInUse();
    try {
      for (const option of ['--practicehub-port', '--dataverse-port']) {
        const { code, err } = await refused([option, String(port)]);
        expect(code, option).toBe(2);
        expect(err, option).toBe(
          `error: ${option} ${port}: the port is already in use (another program, or a sandbox still running, listens on it); stop that program, choose another port, or leave ${option} out for a free port\n`,
        );
      }
    } finally {
      server.close();
    }
    const same = await refused(['--practicehub-port', String(port), '--dataverse-port', String(port)]);
    expect(same.code).toBe(2);
    expect(same.err).toContain(`--practicehub-port and --dataverse-port are both ${port}`);
  });
});
