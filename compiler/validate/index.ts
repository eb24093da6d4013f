import {
  type Diagnostic,
  dedupeDiagnostics,
  type PendingDiagnostic,
  sortDiagnostics,
} from '../diagnostics/diagnostic.ts';
import { maskDiagnostic } from '../diagnostics/secret-text.ts';
import { type LoadedSpec, loadSpec, type ParseFile, type SpecInput } from '../load/spec-dir.ts';
import { failedToParse, resolvePending } from '../load/yaml-file.ts';
import { buildContext, type SpecContext } from './context.ts';
import type { Rule } from './rule.ts';
import { RULES } from './rules/index.ts';
import { secretsIn, secretsInComments } from './rules/secrets.ts';
import { schemaDiagnostics } from './schema-errors.ts';
import { readSchema, type SchemaValidators } from './schemas.ts';

/** The outcome of validation: sorted diagnostics plus what was loaded (for the compiler). */
export interface ValidationResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly spec: LoadedSpec;
  readonly context: SpecContext;
}

/**
 * Validates a spec: YAML syntax, JSON Schemas, then semantic rules, collecting every problem.
 * Never throws; a rule that fails is reported as FS000 with the rule's name. A file the YAML parser
 * gave up on has only its syntax error reported: its schema check would read partial data, and the
 * semantic rules, which read across files, wait until every file parses (and until no link to a
 * spec file is broken, and no file is empty), so a missing, half-read or empty file brings no false
 * follow-on errors elsewhere.
 */
export function validateSpec(
  input: SpecInput,
  validators: SchemaValidators,
  options: { readonly rules?: Readonly<Record<string, Rule>>; readonly parseFile?: ParseFile } = {},
): ValidationResult {
  const rules = options.rules ?? RULES;
  const spec = loadSpec(input, options.parseFile);
  const located: Diagnostic[] = [...spec.located];
  const pending: PendingDiagnostic[] = [...spec.pending];
  const schemas = new Map<string, Record<string, unknown>>();
  const all = [
    ...(spec.migration ? [spec.migration] : []),
    ...(spec.sourceModel ? [spec.sourceModel] : []),
    ...(spec.targetMetadata ? [spec.targetMetadata] : []),
    ...spec.objects,
    ...spec.valuemaps,
  ];
  let complete = spec.complete;
  for (const { kind, file } of all) {
    for (const { fatal: _fatal, ...p } of file.syntax)
      located.push({ ...p, severity: 'error', file: file.path, pointer: '' });
    pending.push(...secretsIn(file));
    located.push(...secretsInComments(file));
    if (failedToParse(file)) {
      complete = false;
      continue;
    }
    const validate = validators[kind];
    if (!validate(file.data)) {
      const schema = schemas.get(kind) ?? readSchema(kind);
      schemas.set(kind, schema);
      pending.push(...schemaDiagnostics(validate.errors ?? [], schema, file.data, file.path));
    }
    // An empty file is one not written yet: the rules across files would report what it lacks.
    if (file.data === null) complete = false;
  }
  const context = buildContext(spec);
  for (const [name, rule] of complete ? Object.entries(rules) : []) {
    try {
      pending.push(...rule(context));
    } catch (error) {
      pending.push({
        code: 'FS000',
        severity: 'error',
        file: spec.migration?.file.path ?? `${input.root}/migration.yaml`,
        pointer: '',
        message: `internal error in validation rule '${name}': ${error instanceof Error ? error.message : String(error)}`,
        hint: 'this is a bug in flitstack: please report it with the spec that triggers it',
      });
    }
  }
  const diagnostics = sortDiagnostics(
    dedupeDiagnostics([...located, ...resolvePending(pending, spec.files)]),
  ).map(maskDiagnostic);
  return { diagnostics, spec, context };
}
