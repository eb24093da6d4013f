// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings that look like template code are the test data
import { describe, expect, it } from 'vitest';
import { compileSpec } from '../../compiler/compile.ts';
import { createSchemaValidators } from '../../compiler/validate/schemas.ts';
import type { Outcome } from '../../runtime/mapping/index.ts';
import { COMPILE_CASES_DIR, caseSpec } from '../support/cases.ts';
import { loadGenerated } from '../support/generated.ts';

const HOSTILE = '"); process.exit(1); // */ `${x}` </script>\u2028🦷';

describe('spec strings that look like code (test/compile-cases/injection)', () => {
  it('compile to code that type-checks, runs, and carries the strings verbatim as data', async () => {
    const result = compileSpec(caseSpec('injection', 'spec', COMPILE_CASES_DIR), createSchemaValidators());
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [transformer, markdown, json] = result.files.map((f) => f.contents);
    const module = await loadGenerated(transformer!);
    const clinic = module.MAPPINGS.clinic!;
    expect(clinic.description).toBe(
      'Ends a comment */ then `backticks` ${process.exit(1)} "); process.exit(1); // </script> line\u2028separator 🦷 end',
    );
    const out = clinic.transform({
      id: '1',
      name: '*/ ${name}',
      created_at: '2020-01-01T00:00:00Z',
    }) as Outcome<Record<string, unknown>>;
    if (out.kind !== 'rows') throw new Error(JSON.stringify(out));
    const payload = out.rows[0]!.payload;
    expect(payload.fs_motto).toBe(HOSTILE);
    expect(payload.name).toBe(
      'Clinic */ `tick` $*/ ${name} "); process.exit(1); // </script>\u2028🦷 */ ${name}',
    );
    const plan = JSON.parse(json!) as {
      tables: {
        columns: { name: string; label: string; options: { key: string; label: string; value: number }[] }[];
      }[];
    };
    const kind = plan.tables.flatMap((t) => t.columns).find((c) => c.name === 'fs_kind')!;
    expect(kind.label).toBe('Kind */ `x` ${y} "); process.exit(1); // </script> 🦷');
    const tricky = kind.options.find((o) => o.key === 'tricky')!;
    for (const source of ['"); process.exit(1); //', '${process.exit(1)}', '*/ </script>']) {
      const mapped = clinic.transform({ id: '2', name: source }) as Outcome<Record<string, unknown>>;
      expect(mapped.kind === 'rows' && mapped.rows[0]!.payload.fs_kind).toBe(tricky.value);
    }
    expect(markdown).not.toContain('</script>');
    expect(markdown).toContain('&lt;/script&gt;');
    expect(transformer).not.toContain('\u2028');
  });
});
