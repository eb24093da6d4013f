import type { ErrorObject } from 'ajv';
import { strangeCharacter, visible } from '../diagnostics/characters.ts';
import { type PendingDiagnostic, pointerJoin, pointerSegments } from '../diagnostics/diagnostic.ts';
import { didYouMean } from '../diagnostics/suggest.ts';

type Json = Record<string, unknown>;

/** Follows a schema path such as `#/$defs/step/else/properties/phone` inside `schema`. */
function schemaAt(schema: Json, schemaPath: string): Json | undefined {
  let node: unknown = schema;
  for (const segment of pointerSegments(schemaPath.replace(/^#/, ''))) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Json)[segment];
    if (node && typeof node === 'object' && typeof (node as Json).$ref === 'string') {
      node = schemaAt(schema, (node as Json).$ref as string);
    }
  }
  return node && typeof node === 'object' ? (node as Json) : undefined;
}

/** The value at a JSON pointer in plain data. */
function dataAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const segment of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Json)[segment];
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  // YAML's !!timestamp and !!binary tags (and unquoted dates under them) read as these, not as mappings.
  if (value instanceof Date) return 'a timestamp (quote it to write text)';
  if (value instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `text '${visible(value.length > 40 ? `${value.slice(0, 37)}...` : value)}'`;
  return `${typeof value} ${String(value)}`;
}

function typeWords(type: unknown): string {
  const names: Record<string, string> = {
    object: 'a mapping (key: value)',
    array: 'a list',
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  const list = Array.isArray(type) ? type : [type];
  return list.map((t) => names[String(t)] ?? String(t)).join(' or ');
}

/** What to do about a value of the wrong type: text with commas where a list goes lacks its brackets. */
function listHint(type: unknown, value: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('array') && typeof value === 'string' && value.includes(','))
    return `write a list in brackets: [${value.length > 60 ? `${value.slice(0, 57)}...` : value}], or one item a line, each after '- '`;
  return 'see docs/spec.md for this key';
}

/** The schema object that failed (Ajv's verbose mode), or the one at the schema path. */
function parentOf(error: ErrorObject, schema: Json, strip: RegExp): Json | undefined {
  const parent = (error as ErrorObject & { parentSchema?: Json }).parentSchema;
  return parent ?? schemaAt(schema, error.schemaPath.replace(strip, ''));
}

/** The transform step schema lists the parameterised steps as properties (phone, truncate, ...). */
function isStep(parent: Json | undefined): boolean {
  const properties = parent?.properties as Json | undefined;
  const values = parent?.enum as unknown[] | undefined;
  return Boolean(
    (properties && 'truncate' in properties && 'phone' in properties) ||
      values?.includes('collapse_whitespace'),
  );
}

/**
 * Turns Ajv's errors for one file into diagnostics, one per problem: drops the summary errors of
 * if/then/else and anyOf when a more precise error exists, and adds "did you mean" hints.
 */
export function schemaDiagnostics(
  errors: readonly ErrorObject[],
  schema: Json,
  data: unknown,
  file: string,
): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    const here = error.instancePath;
    const value = dataAt(data, here);
    const base = { severity: 'error' as const, file };
    switch (error.keyword) {
      case 'if':
        break;
      case 'anyOf':
      case 'oneOf': {
        const parent = parentOf(error, schema, /\/(anyOf|oneOf)$/);
        const branches = ((parent?.[error.keyword] as Json[] | undefined) ?? []) as Json[];
        const types = branches.map((b) => (b as Json).type).filter((t) => t !== undefined);
        out.push({
          ...base,
          code: 'FS012',
          pointer: here,
          message: `expected ${typeWords(types.flat())}, found ${describe(value)}`,
          hint: 'see docs/spec.md for the forms this key accepts',
        });
        break;
      }
      case 'additionalProperties': {
        const key = String((error.params as { additionalProperty: string }).additionalProperty);
        const parent = parentOf(error, schema, /\/additionalProperties$/);
        const allowed = Object.keys((parent?.properties as Json | undefined) ?? {});
        const step = isStep(parent);
        // `to:\u00a0name` is one key: YAML needs a plain space after the colon.
        const strange = strangeCharacter(key);
        const flowHint = strange
          ? `; ${strange.fix}`
          : /\s/.test(key)
            ? ' (inside { ... } a comma ends a value: put text with commas in quotes)'
            : '';
        out.push({
          ...base,
          code: step ? 'FS013' : 'FS010',
          pointer: pointerJoin(here, key),
          at: 'key',
          ...(strange && { within: strange.index }),
          message: `${step ? 'unknown transform' : 'unknown key'} '${visible(key)}'${strange ? `: it holds ${strange.words}` : ''}.${didYouMean(key, allowed)}`,
          hint: `${allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : 'remove this key'}${flowHint}`,
        });
        break;
      }
      case 'required': {
        const key = String((error.params as { missingProperty: string }).missingProperty);
        const parent = parentOf(error, schema, /\/required$/);
        const about = ((parent?.properties as Json | undefined)?.[key] as Json | undefined)?.description;
        out.push({
          ...base,
          code: 'FS011',
          pointer: here,
          at: here === '' ? 'value' : 'key',
          message: `missing required key '${key}'`,
          hint: typeof about === 'string' ? `add ${key}: ${about}` : `add ${key}`,
        });
        break;
      }
      case 'type': {
        // Inside an anyOf the branch type errors are summarised by the anyOf error.
        if (anyOfPaths.has(here) && /\/(anyOf|oneOf)\/\d+\//.test(error.schemaPath)) break;
        // A file with nothing but comments (or nothing) reads as null at its top.
        const empty = here === '' && value === null;
        out.push({
          ...base,
          code: 'FS012',
          pointer: here,
          message: empty
            ? `the file is empty (or holds only comments): expected ${typeWords((error.params as { type: unknown }).type)}`
            : `expected ${typeWords((error.params as { type: unknown }).type)}, found ${describe(value)}`,
          hint: empty
            ? 'write its keys, starting with version: 1 (docs/spec.md shows them), or delete the file; the checks across files run once it is written'
            : listHint((error.params as { type: unknown }).type, value),
        });
        break;
      }
      case 'enum':
      case 'const': {
        const allowed =
          error.keyword === 'enum'
            ? ((error.params as { allowedValues: unknown[] }).allowedValues ?? [])
            : [(error.params as { allowedValue: unknown }).allowedValue];
        const words = allowed.map((a) => String(a));
        const step = isStep(parentOf(error, schema, /\/(enum|const)$/));
        const shown = typeof value === 'string' ? `'${value}'` : describe(value);
        out.push({
          ...base,
          code: 'FS013',
          pointer: here,
          message: step
            ? `unknown transform ${shown}.${typeof value === 'string' ? didYouMean(value, words) : ''}`
            : `${shown} is not allowed here.${typeof value === 'string' ? didYouMean(value, words) : ''}`,
          hint: `use one of: ${words.join(', ')}${step ? ' (or a step with parameters, e.g. { truncate: { length: 50 } })' : ''}`,
        });
        break;
      }
      case 'propertyNames': {
        const name = String((error.params as { propertyName: string }).propertyName);
        const strange = strangeCharacter(name);
        out.push({
          ...base,
          code: 'FS014',
          pointer: pointerJoin(here, name),
          at: 'key',
          ...(strange && { within: strange.index }),
          message: `'${visible(name)}' is not a valid name here${strange ? `: it holds ${strange.words}` : ''}`,
          hint: `${strange ? `${strange.fix}; ` : ''}use lowercase letters, digits and underscores, starting with a letter`,
        });
        break;
      }
      case 'pattern':
      case 'format': {
        // propertyNames errors come with a nested pattern error on the key; the key error covers it.
        if (error.schemaPath.includes('/propertyNames/')) break;
        const own = parentOf(error, schema, /\/(pattern|format)$/);
        const about = typeof own?.description === 'string' ? own.description : '';
        const strange = typeof value === 'string' ? strangeCharacter(value) : undefined;
        const form =
          about || `expected to match ${String((error.params as { pattern?: string }).pattern ?? '')}`;
        out.push({
          ...base,
          code: 'FS014',
          pointer: here,
          ...(strange && { within: strange.index }),
          message: `${describe(value)} is not in the expected form${error.keyword === 'format' ? ` (${String((error.params as { format: string }).format)})` : ''}${strange ? `: it holds ${strange.words}` : ''}`,
          hint: strange ? `${strange.fix}. ${form}` : form,
        });
        break;
      }
      case 'maximum':
      case 'minimum': {
        // The key's own description says what its limits are for (a memo's 1,048,576 characters, the
        // most Dataverse takes), which a bare "must be <= 1048576" does not.
        const own = parentOf(error, schema, /\/(maximum|minimum)$/);
        const about = typeof own?.description === 'string' ? own.description.replace(/\.$/, '') : '';
        const [low, high] = [own?.minimum, own?.maximum];
        const within =
          typeof low === 'number' && typeof high === 'number'
            ? `from ${low} to ${high}`
            : typeof high === 'number'
              ? `of at most ${high}`
              : `of at least ${String(low)}`;
        const limit = String((error.params as { limit: unknown }).limit);
        const key = pointerSegments(here).at(-1);
        const name = key === undefined || /^\d+$/.test(key) ? 'this key' : key;
        out.push({
          ...base,
          code: 'FS015',
          pointer: here,
          message: `${describe(value)} is ${error.keyword === 'maximum' ? `more than ${limit}, the most` : `less than ${limit}, the least`} ${name} takes`,
          hint: `write a value ${within}${about ? `. ${about}` : ''}`,
        });
        break;
      }
      default: {
        out.push({
          ...base,
          code: 'FS015',
          pointer: here,
          message: `${describe(value)}: ${error.message ?? 'is not valid'}`,
          hint: 'see docs/spec.md for the limits of this key',
        });
      }
    }
  }
  return out;
}
