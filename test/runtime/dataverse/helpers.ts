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
