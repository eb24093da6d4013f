import { lookup } from 'node:dns';
import type { AddressInfo, LookupFunction } from 'node:net';
import { createServer } from 'node:net';
import { Agent } from 'undici';

/** A loopback port nothing listens on: one the system handed out and was given back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * An undici Agent to which `hostname` does not exist: its lookup fails as the system resolver does for
 * a name the DNS knows not (getaddrinfo ENOTFOUND), whether or not this machine has a DNS server to
 * ask; a `*.invalid` name asked of none fails with EAI_AGAIN instead, which is retried. Other names
 * resolve as usual. Close it after the client that uses it.
 */
export function unresolvingAgent(hostname: string): Agent {
  const resolve: LookupFunction = (name, options, callback) => {
    if (name !== hostname) return lookup(name, options, callback);
    const error: NodeJS.ErrnoException & { hostname?: string } = new Error(`getaddrinfo ENOTFOUND ${name}`);
    Object.assign(error, { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: name });
    process.nextTick(() => callback(error, '', 0));
  };
  return new Agent({ connect: { lookup: resolve } });
}

/**
 * Environment that lets a command start (every variable it checks is set) while both services stay
 * out of reach: nothing listens on port 9, so a command that sends a request fails on it.
 */
export const UNREACHABLE_ENV = {
  DATAVERSE_URL: 'http://127.0.0.1:9',
  AZURE_TENANT_ID: 'tenant',
  AZURE_CLIENT_ID: 'client',
  AZURE_CLIENT_SECRET: 'secret',
  PRACTICEHUB_API_KEY: `phk_${'0'.repeat(40)}-eu`,
  PRACTICEHUB_BASE_URL: 'http://127.0.0.1:9',
} as const;
