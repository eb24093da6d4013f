import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataverseClient } from '../../../runtime/dataverse/client.ts';
import type { DataverseEvent } from '../../../runtime/dataverse/events.ts';
import type { DataverseClientOptions } from '../../../runtime/dataverse/options.ts';
import { label } from '../../../runtime/dataverse/schema.ts';
import {
  type DataverseSandbox,
  type DataverseSandboxOptions,
  startDataverseSandbox,
} from '../../../sandbox/dataverse/index.ts';

/** A sandbox, a client signed in to it, and every event the client emitted. */
export interface Rig {
  readonly sb: DataverseSandbox;
  readonly client: DataverseClient;
  readonly events: DataverseEvent[];
  close(): Promise<void>;
}

/** Client options pointing at a sandbox, with short backoffs for tests. */
export function clientOptions(
  sb: DataverseSandbox,
  extra: Partial<DataverseClientOptions> = {},
): DataverseClientOptions {
  return {
    url: sb.url,
    tenantId: sb.tenantId,
    clientId: sb.clientId,
    clientSecret: sb.clientSecret,
    authorityHost: sb.authorityHost,
    backoff: { baseMs: 5, maxMs: 50 },
    timeoutMs: 5_000,
    ...extra,
  };
}

/** Starts a sandbox and a client for it. */
export async function rig(
  sandbox: DataverseSandboxOptions = {},
  client: Partial<DataverseClientOptions> = {},
): Promise<Rig> {
  const sb = await startDataverseSandbox({ keyActivationDelayMs: 0, ...sandbox });
  const events: DataverseEvent[] = [];
  const c = new DataverseClient(clientOptions(sb, { onEvent: (e) => events.push(e), ...client }));
  return {
    sb,
    client: c,
    events,
    close: async () => {
      await c.close();
      await sb.close();
    },
  };
}

/** Creates the custom table fs_visit (name, source id, amount) with the alternate key fs_visit_source. */
export async function createVisitTable(client: DataverseClient, solution = 'flitstack'): Promise<void> {
  await client.createTable(
    {
      '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
      SchemaName: 'fs_Visit',
      DisplayName: label('Visit'),
      DisplayCollectionName: label('Visits'),
      OwnershipType: 'UserOwned',
      HasNotes: false,
      IsActivity: false,
      Attributes: [
        {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: 'fs_Name',
          IsPrimaryName: true,
          MaxLength: 100,
          DisplayName: label('Name'),
        },
      ],
    },
    solution,
  );
  await client.createAttribute(
    'fs_visit',
    {
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: 'fs_SourceId',
      MaxLength: 40,
      DisplayName: label('Source id'),
    },
    solution,
  );
  await client.createAttribute(
    'fs_visit',
    {
      '@odata.type': 'Microsoft.Dynamics.CRM.IntegerAttributeMetadata',
      SchemaName: 'fs_Amount',
      MinValue: 0,
      MaxValue: 1_000_000,
      DisplayName: label('Amount'),
    },
    solution,
  );
  await client.createKey(
    'fs_visit',
    { SchemaName: 'fs_visit_source', KeyAttributes: ['fs_sourceid'], DisplayName: label('Source id key') },
    solution,
  );
  await client.waitForKey('fs_visit', 'fs_visit_source', { intervalMs: 20, timeoutMs: 5_000 });
}

/** Adds the PracticeHub id column and its alternate key to contact (as `flitstack schema apply` would). */
export async function addContactKey(client: DataverseClient): Promise<void> {
  await client.createAttribute(
    'contact',
    {
      '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
      SchemaName: 'fs_PracticeHubId',
      MaxLength: 64,
      DisplayName: label('PracticeHub id'),
    },
    'flitstack',
  );
  await client.createKey(
    'contact',
    {
      SchemaName: 'fs_contact_practicehubid',
      KeyAttributes: ['fs_practicehubid'],
      DisplayName: label('PracticeHub id'),
    },
    'flitstack',
  );
  await client.waitForKey('contact', 'fs_contact_practicehubid', { intervalMs: 20, timeoutMs: 5_000 });
}

/** An answer as a gateway passes it back. */
export interface GatewayAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/**
 * A gateway in front of a sandbox: requests go through as they are (token requests with the scope of
 * the sandbox's own URL), and `rewrite` may change each answer before it goes back, as a proxy might.
 */
export async function startGateway(
  target: string,
  rewrite: (req: IncomingMessage, answer: GatewayAnswer) => GatewayAnswer,
): Promise<{ url: string; close(): Promise<void> }> {
  const origin = new URL(target);
  const server: Server = createServer((req, res) => {
    const sent: Buffer[] = [];
    req.on('data', (c: Buffer) => sent.push(c));
    req.on('end', () => {
      let body = Buffer.concat(sent).toString('utf8');
      if (req.url?.includes('/oauth2/'))
        body = body.replace(encodeURIComponent(own), encodeURIComponent(origin.origin));
      const forward = request(
        new URL(req.url ?? '/', origin),
        {
          method: req.method,
          headers: { ...req.headers, host: origin.host, 'content-length': Buffer.byteLength(body) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => {
            const headers = { ...answer.headers };
            delete headers['content-length'];
            const out = rewrite(req, {
              status: answer.statusCode ?? 502,
              headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
            res.writeHead(out.status, out.headers);
            res.end(out.text);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
