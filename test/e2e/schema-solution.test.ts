import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IrSchemaPlan } from '../../compiler/ir/types.ts';
import * as shipped from '../../generated/transformer.ts';
import type { GeneratedModule } from '../../runtime/mapping/index.ts';
import { applySchema } from '../../runtime/schema/apply.ts';
import { flitstack, freshOrganisation } from '../support/migration.ts';
import { ROOT } from '../support/tmp.ts';

const PLAN = JSON.parse(readFileSync(join(ROOT, 'generated', 'schema-plan.json'), 'utf8')) as IrSchemaPlan;
const MODULE: GeneratedModule = shipped;

describe('schema apply when Dataverse refuses to create the plan’s solution', () => {
  const o = freshOrganisation();

  it('stops with one error naming the solution, the request and what to do, not one per component (exit 2)', async () => {
    // The solution's unique name holds 65 characters at most (the solution table's uniquename column).
    const solution = `FlitStack${'Migration'.repeat(7)}`;
    expect(solution.length).toBeGreaterThan(65);
    const plan: IrSchemaPlan = { ...PLAN, publisher: { ...PLAN.publisher, solution } };
    const error = await applySchema(o.client, plan, MODULE.TABLES, { keyTimeoutMs: 5_000 }).then(
      (applied) => applied,
      (e: unknown) => e as Error & { hint?: string },
    );
    expect(error).toBeInstanceOf(Error);
    const refused = error as Error & { hint?: string };
    expect(refused.name).toBe('SchemaError');
    expect(refused.message).toContain(
      `Dataverse refused to create the solution ${solution} (target.publisher.solution)`,
    );
    expect(refused.message).toContain('(HTTP 400, code 0x80044331; POST solutions)');
    expect(refused.message).toContain("exceeded the maximum allowed length of '65'");
    // The records' advice for an over-long value (a truncate step) does not apply to a solution.
    expect(refused.message).not.toContain('truncate');
    expect(refused.message).toContain('so nothing was created');
    expect(refused.hint).toContain('target.publisher.solution in migration.yaml');
    expect(await o.client.entityDefinition('fs_payment')).toBeUndefined();
  }, 60_000);
});

describe('a plan whose option_value_prefix is not its publisher’s option value prefix', () => {
  // The organisation's publisher of prefix fs gives options values from 10001 × 10,000; the plan says 10000.
  const o = freshOrganisation(async () => {}, {
    dataverse: {
      publishers: [
        { uniqueName: 'flitstack', friendlyName: 'FlitStack', prefix: 'fs', optionValuePrefix: 10001 },
      ],
    },
  });

  it('is reported by verify and by apply, with both prefixes and what to change (exit 1)', async () => {
    expect(PLAN.publisher.optionValuePrefix).toBe(10000);
    // apply creates the schema all the same (the options get the plan's values), then verify still reports it.
    for (const command of ['apply', 'verify']) {
      const result = await flitstack(o.sb, 'schema', command);
      expect(result.code, command).toBe(1);
      const line = result.out.split('\n').find((l) => l.includes('publisher flitstack'));
      expect(line, command).toContain(
        "option value prefix is 10001 in the organisation, the plan's target.publisher.option_value_prefix is 10000",
      );
      expect(line, command).toContain(
        'set option_value_prefix: 10001 under target.publisher in migration.yaml',
      );
    }
  }, 60_000);
});
