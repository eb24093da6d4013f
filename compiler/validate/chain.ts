import type { FieldSpec, ObjectSpec, SourceResource, TargetColumn, ValueMapSpec } from '../model/spec.ts';
import { SIGNATURES } from '../transforms/signatures.ts';
import { parseTemplate } from '../transforms/template.ts';
import { ANY, printedLength, sourceType, type Typed, type ValueType } from '../types/value-type.ts';
import { resolvePath } from './paths.ts';

/** A problem found while typing a chain, at a pointer of the mapping file. */
export interface ChainProblem {
  readonly code: string;
  readonly pointer: string;
  readonly message: string;
  readonly hint: string;
}

/** The type of a path of the resource (any, when the path does not resolve: FS102 reports it). */
export function pathType(
  resource: SourceResource | undefined,
  path: string,
  each: string | undefined,
): Typed {
  if (!resource) return { type: ANY, nullable: true };
  const resolved = resolvePath(resource, path, each);
  if ('error' in resolved) return { type: ANY, nullable: true };
  return { type: sourceType(resolved.field), nullable: resolved.field.nullable };
}

/** The type a field map starts its chain with. */
export function inputType(field: FieldSpec, object: ObjectSpec, resource: SourceResource | undefined): Typed {
  const each = object.each?.path;
  if (field.template !== undefined) {
    const parsed = parseTemplate(field.template);
    if (!parsed.ok) return { type: { kind: 'string', maxLength: undefined }, nullable: false };
    let length: number | undefined = 0;
    for (const part of parsed.parts) {
      const piece =
        part.kind === 'text' ? part.text.length : printedLength(pathType(resource, part.path, each).type);
      length = length === undefined || piece === undefined ? undefined : length + piece;
    }
    return { type: { kind: 'string', maxLength: length }, nullable: false };
  }
  if (field.value !== undefined) {
    const v = field.value;
    const type: ValueType =
      typeof v === 'string'
        ? { kind: 'string', maxLength: v.length }
        : typeof v === 'boolean'
          ? { kind: 'boolean' }
          : Number.isInteger(v)
            ? { kind: 'integer' }
            : { kind: 'decimal' };
    return { type, nullable: false };
  }
  if (field.fromIsList) {
    const items = field.from.map((p) => pathType(resource, p, each));
    return {
      type: { kind: 'tuple', items: items.map((t) => t.type) },
      nullable: items.every((t) => t.nullable),
    };
  }
  if (field.from.length === 1) return pathType(resource, field.from[0]!, each);
  return { type: ANY, nullable: true };
}

/** Types a transform chain step by step; stops at the first step that does not fit. */
export function typeChain(
  input: Typed,
  field: FieldSpec,
  column: TargetColumn | undefined,
  valueMap: (name: string) => ValueMapSpec | undefined,
): { readonly output: Typed; readonly problems: readonly ChainProblem[] } {
  let current = input;
  for (const [i, step] of field.transform.entries()) {
    const signature = SIGNATURES.get(step.name);
    if (!signature) return { output: { type: ANY, nullable: true }, problems: [] }; // FS013 from the schema
    if (step.name === 'split' && i !== field.transform.length - 1) {
      return {
        output: current,
        problems: [
          {
            code: 'FS108',
            pointer: step.pointer,
            message: 'split must be the last step of a chain',
            hint: 'move split to the end',
          },
        ],
      };
    }
    const result = signature.apply(current, step, { column, valueMap });
    if ('error' in result)
      return {
        output: { type: ANY, nullable: true },
        problems: [
          { code: result.code ?? 'FS108', pointer: step.pointer, message: result.error, hint: result.hint },
        ],
      };
    current = result.typed;
  }
  return { output: current, problems: [] };
}
