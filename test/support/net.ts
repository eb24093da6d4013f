import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';

/** A loopback port nothing listens on: one the system handed out and was given back. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
