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

  it('imports only what the generated code calls, whatever function or type names the spec text holds', async () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const description = 'One Row per clinic, see at(x), isPresent(y), isOneOf(z) and exceptMostRecent(list)';
    const clinic = files
      .get('objects/clinic.yaml')!
      .replace(/^description: .*$/m, `description: ${description}`);
    files.set('objects/clinic.yaml', clinic);
    const result = compileSpec({ ...input, files }, createSchemaValidators());
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const module = await loadGenerated(result.files[0]!.contents);
    expect(module.MAPPINGS.clinic!.description).toBe(description);
  });

  it('returns files that read back unchanged once written as UTF-8, though spec text holds half a surrogate pair', () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    const clinic = files
      .get('objects/clinic.yaml')!
      .replace(/^description: .*$/m, 'description: "Half a pair \\ud83e here"');
    files.set('objects/clinic.yaml', clinic);
    const result = compileSpec({ ...input, files }, createSchemaValidators());
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.files.map((f) => f.path)).toHaveLength(3);
    for (const file of result.files)
      expect(Buffer.from(file.contents, 'utf8').toString('utf8'), file.path).toBe(file.contents);
    expect(result.files[0]!.contents).toContain('Half a pair \ufffd here');
  });

  it('refuses half a surrogate pair in a label Dataverse shows, naming it', () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const files = new Map(input.files);
    files.set(
      'objects/clinic.yaml',
      files.get('objects/clinic.yaml')!.replace('label: "Kind ', 'label: "\\udc00Kind '),
    );
    const result = compileSpec({ ...input, files }, createSchemaValidators());
    expect(result.files).toEqual([]);
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      expect.stringMatching(
        /^FS014 text '<U\+DC00>Kind .*' is not in the expected form: it holds half of a character \(U\+DC00, a surrogate without its pair/,
      ),
    ]);
  });

  it('writes the spec directory into the generated headers as comment text, whatever the path holds', async () => {
    const input = caseSpec('injection', 'spec', COMPILE_CASES_DIR);
    const root = `${input.root}/x\n;(globalThis as any).injected = 1; --> <script>`;
    const result = compileSpec({ ...input, root }, createSchemaValidators());
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const [transformer, markdown] = result.files.map((f) => f.contents);
    const header = transformer!.split('\n').slice(0, 3);
    expect(header[0]).toMatch(
      /^\/\/ Generated by flitstack from .*x ;\(globalThis as any\)\.injected = 1; --> <script>\/; do not edit\.$/,
    );
    expect(header[1]).toMatch(/^\/\/ Regenerate/);
    await loadGenerated(transformer!);
    expect((globalThis as { injected?: number }).injected).toBeUndefined();
    const comment = markdown!.split('\n')[0]!;
    expect(comment).toMatch(/^<!-- Generated by flitstack from .*--&gt; &lt;script&gt;\/; do not edit\./);
    expect(comment.indexOf('-->')).toBe(comment.length - 3);
  });
});
