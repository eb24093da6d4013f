/**
 * Bench: UpsertMultiple throughput of the Dataverse sandbox.
 * Creates a custom table with an alternate key through the metadata API, then times 20 UpsertMultiple
 * requests of 1,000 records each: once creating every record, once updating them all. Two untimed
 * requests on other keys warm the code up first. The client runs in the same process as the server.
 * Run: `npx tsx bench/sandbox-dataverse.ts [--concurrency N]`. Target: ≥ 20,000 records/s.
 */
import { startDataverseSandbox } from '../sandbox/dataverse/index.ts';

const BATCH = 1000;
const REQUESTS = 20;
const TARGET = 20_000;

const concurrencyArg = process.argv.indexOf('--concurrency');
const concurrency = concurrencyArg > 0 ? Number(process.argv[concurrencyArg + 1]) : 1;

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const sb = await startDataverseSandbox({ keyActivationDelayMs: 0 });
  try {
    const tokenRes = await fetch(`${sb.authorityHost}/${sb.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sb.clientId,
        client_secret: sb.clientSecret,
        scope: sb.scope,
      }),
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const headers = {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${sb.apiUrl}${path}`, { method, headers, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    };
    const label = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });
    await call('POST', 'EntityDefinitions', {
      SchemaName: 'fs_Patient',
      DisplayName: label('Patient'),
      DisplayCollectionName: label('Patients'),
      OwnershipType: 'UserOwned',
      IsActivity: false,
      HasNotes: false,
      HasActivities: false,
      Attributes: [
        {
          '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata',
          SchemaName: 'fs_Name',
          IsPrimaryName: true,
          MaxLength: 100,
        },
      ],
    });
    for (const [schema, type, extra] of [
      ['fs_SourceId', 'StringAttributeMetadata', { MaxLength: 40 }],
      ['fs_Email', 'StringAttributeMetadata', { MaxLength: 100, FormatName: { Value: 'Email' } }],
      ['fs_Visits', 'IntegerAttributeMetadata', {}],
      [
        'fs_BirthDate',
        'DateTimeAttributeMetadata',
        { Format: 'DateOnly', DateTimeBehavior: { Value: 'DateOnly' } },
      ],
    ] as const) {
      await call('POST', "EntityDefinitions(LogicalName='fs_patient')/Attributes", {
        '@odata.type': `Microsoft.Dynamics.CRM.${type}`,
        SchemaName: schema,
        ...extra,
      });
    }
    await call('POST', "EntityDefinitions(LogicalName='fs_patient')/Keys", {
      SchemaName: 'fs_patient_source',
      KeyAttributes: ['fs_sourceid'],
    });

    const targets = (request: number, round: number) =>
      Array.from({ length: BATCH }, (_, i) => {
        const n = request * BATCH + i;
        return {
          '@odata.type': 'Microsoft.Dynamics.CRM.fs_patient',
          '@odata.id': `fs_patients(fs_sourceid='PH-${n}')`,
          fs_name: `Patient ${n} r${round}`,
          fs_email: `patient${n}@clinic.test`,
          fs_visits: n % 40,
          fs_birthdate: `19${String(50 + (n % 50)).padStart(2, '0')}-0${1 + (n % 9)}-1${n % 9}`,
        };
      });

    const phase = async (name: string, round: number) => {
      const latencies: number[] = [];
      let next = 0;
      const started = performance.now();
      const worker = async () => {
        while (next < REQUESTS) {
          const request = next++;
          const body = { Targets: targets(request, round) };
          const t0 = performance.now();
          await call('POST', 'fs_patients/Microsoft.Dynamics.CRM.UpsertMultiple', body);
          latencies.push(performance.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(1);
      return {
        name,
        records: REQUESTS * BATCH,
        seconds,
        rate: (REQUESTS * BATCH) / seconds,
        p50: pct(0.5),
        p95: pct(0.95),
      };
    };

    for (const request of [REQUESTS, REQUESTS + 1]) {
      await call('POST', 'fs_patients/Microsoft.Dynamics.CRM.UpsertMultiple', {
        Targets: targets(request, 0),
      });
    }
    const rows = [await phase('upsert (create)', 1), await phase('upsert (update)', 2)];
    const stats = sb.stats();
    out(
      `Dataverse sandbox: UpsertMultiple, ${REQUESTS} requests × ${BATCH} records, concurrency ${concurrency}`,
    );
    out('');
    out('| phase            | records | seconds | records/s | p50 ms | p95 ms |');
    out('| ---------------- | ------- | ------- | --------- | ------ | ------ |');
    for (const r of rows) {
      out(
        `| ${r.name.padEnd(16)} | ${String(r.records).padStart(7)} | ${r.seconds.toFixed(2).padStart(7)} | ${Math.round(r.rate).toLocaleString('en-US').padStart(9)} | ${r.p50.padStart(6)} | ${r.p95.padStart(6)} |`,
      );
    }
    out('');
    out(
      `records created ${stats.recordsCreated}, updated ${stats.recordsUpdated}; target ≥ ${TARGET.toLocaleString('en-US')} records/s`,
    );
    const worst = Math.min(...rows.map((r) => r.rate));
    out(worst >= TARGET ? 'result: target met' : 'result: below target');
    process.exitCode = worst >= TARGET ? 0 : 1;
  } finally {
    await sb.close();
  }
}

await main();
