import { LONE_SURROGATE } from '../runtime/transforms/text.ts';
import type { Diagnostic } from './diagnostics/diagnostic.ts';
import { hasErrors } from './diagnostics/diagnostic.ts';
import { maskDiagnostic } from './diagnostics/secret-text.ts';
import { emitSchemaPlanJson, emitSchemaPlanMarkdown } from './emit/plan/schema-plan.ts';
import { emitTransformer, TRANSFORMER_PATH } from './emit/transformer/module.ts';
import { typecheckGenerated } from './emit/typecheck.ts';
import { buildIr } from './ir/build.ts';
import type { Ir } from './ir/types.ts';
import type { ParseFile, SpecInput } from './load/spec-dir.ts';
import { validateSpec } from './validate/index.ts';
import type { SchemaValidators } from './validate/schemas.ts';

/** A file the compiler produces: path relative to the output directory's parent (e.g. generated/transformer.ts). */
export interface OutputFile {
  readonly path: string;
  readonly contents: string;
}

export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Empty when there are errors. */
  readonly files: readonly OutputFile[];
  readonly ir: Ir | undefined;
}

export interface CompileOptions {
  readonly parseFile?: ParseFile;
  /** Type-check the generated transformer in memory before returning it (default true). */
  readonly typecheck?: boolean;
  /**
   * The spec directory as the generated files name it: relative to the directory that holds generated/,
   * with forward slashes (default: input.root). Not the path as seen from the working directory, so the
   * same spec compiles to the same bytes wherever compile runs and however --spec is written.
   */
  readonly specDir?: string;
  /** The transformer emitter (tests replace it to see how the compiler handles code that does not type-check). */
  readonly emitTransformer?: typeof emitTransformer;
}

function generationError(
  file: string,
  line: number,
  column: number,
  message: string,
  hint: string,
): Diagnostic {
  return maskDiagnostic({ code: 'FS200', severity: 'error', file, line, column, pointer: '', message, hint });
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/**
 * A file's text as it reads back once written: half of a surrogate pair (a YAML "\ud83e" escape) has no
 * UTF-8 form and is written as U+FFFD, so `compile --check` would find the file stale forever. Spec text
 * enters code only as JSON literals, which escape it; this reaches comments and Markdown text.
 */
function asWritten(file: OutputFile): OutputFile {
  return { path: file.path, contents: file.contents.replace(LONE_SURROGATES, '\ufffd') };
}

/**
 * Compiles a spec: validate, build the IR, emit the transformer (type-checked in memory) and the schema
 * plan. A pure function from spec text to files and diagnostics; only the CLI writes files.
 */
export function compileSpec(
  input: SpecInput,
  validators: SchemaValidators,
  options: CompileOptions = {},
): CompileResult {
  const validation = validateSpec(input, validators, { parseFile: options.parseFile });
  if (hasErrors(validation.diagnostics))
    return { diagnostics: validation.diagnostics, files: [], ir: undefined };
  const specDir = options.specDir ?? input.root;
  const sources = `${specDir}/`;
  try {
    const ir = buildIr(validation.context);
    const transformer = (options.emitTransformer ?? emitTransformer)(ir, specDir);
    if (options.typecheck !== false) {
      const errors = typecheckGenerated(TRANSFORMER_PATH, transformer);
      if (errors.length > 0) {
        const diagnostics = errors.map((e) =>
          generationError(
            TRANSFORMER_PATH,
            e.line,
            e.column,
            `generated code does not type-check: ${e.message}`,
            'nothing was written; this is a bug in flitstack or in runtime/: report it with the spec',
          ),
        );
        return { diagnostics: [...validation.diagnostics, ...diagnostics], files: [], ir };
      }
    }
    return {
      diagnostics: validation.diagnostics,
      files: [
        { path: TRANSFORMER_PATH, contents: transformer },
        { path: 'generated/schema-plan.md', contents: emitSchemaPlanMarkdown(ir, sources) },
        { path: 'generated/schema-plan.json', contents: emitSchemaPlanJson(ir, sources) },
      ].map(asWritten),
      ir,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      diagnostics: [
        ...validation.diagnostics,
        generationError(
          `${input.root}/migration.yaml`,
          1,
          1,
          `code generation failed: ${message}`,
          'nothing was written; this is a bug in flitstack: report it with the spec',
        ),
      ],
      files: [],
      ir: undefined,
    };
  }
}
