import { applySchema } from '../../runtime/schema/apply.ts';
import { readLiveSchema, type SchemaFinding, verifySchema } from '../../runtime/schema/verify.ts';
import type { CliIo } from '../io.ts';
import { checkedSpec, dataverseFromEnv } from '../migration.ts';

/** One line per finding: table.name: problem (and whether apply creates or changes it). */
export function findingLines(findings: readonly SchemaFinding[]): string {
  return findings
    .map(
      (f) =>
        `  ${f.kind} ${f.table === f.name ? f.name : `${f.table}.${f.name}`}: ${f.problem}${f.applicable ? ' (flitstack schema apply fixes it)' : ' (fix it in Dataverse or in the spec)'}\n`,
    )
    .join('');
}

/** `schema verify`: exit 0 when the organisation has everything the plan and the transformer need. */
export async function verify(options: { spec: string; format: 'text' | 'json' }, io: CliIo): Promise<number> {
  const spec = await checkedSpec(options.spec, io);
  if (typeof spec === 'number') return spec;
  const client = dataverseFromEnv(io.env);
  try {
    const { plan, module } = spec.generated;
    const findings = verifySchema(await readLiveSchema(client, plan, module.TABLES), plan, module.TABLES);
    if (options.format === 'json')
      io.out(`${JSON.stringify({ missing: findings.length, findings }, null, 2)}\n`);
    else if (findings.length === 0)
      io.out('the organisation has every table, column, key and role the plan needs\n');
    else io.out(`${findings.length} missing or different:\n${findingLines(findings)}`);
    return findings.length === 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

/** `schema apply`: creates what is missing, then verifies. */
export async function apply(options: { spec: string }, io: CliIo): Promise<number> {
  const spec = await checkedSpec(options.spec, io);
  if (typeof spec === 'number') return spec;
  const client = dataverseFromEnv(io.env);
  try {
    const { plan, module } = spec.generated;
    const result = await applySchema(client, plan, module.TABLES, { onStep: (s) => io.err(`  ${s}\n`) });
    if (result.remaining.length > 0) {
      io.out(
        `${result.created.length} changes made; ${result.remaining.length} remain to fix by hand:\n${findingLines(result.remaining)}`,
      );
      return 1;
    }
    io.out(`the schema matches the plan (${result.created.length} changes made)\n`);
    return 0;
  } finally {
    await client.close();
  }
}
