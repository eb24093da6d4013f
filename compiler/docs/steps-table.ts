import { byText } from '../../runtime/shared/order.ts';
import { SIGNATURES } from '../transforms/signatures.ts';
import { cell, type Json, typeOf } from './schema-table.ts';

/** A value as it is written in a flow-style YAML spec line: `{ truncate: { length: 50 } }`. */
function flow(value: unknown): string {
  // Quoted unless YAML would read it back as the same text (not as a boolean or null).
  if (typeof value === 'string')
    return /^[A-Za-z_][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value)
      ? value
      : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value && typeof value === 'object')
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join(', ')} }`;
  return String(value);
}

const code = (text: string) => `\`${text.replaceAll('|', '\\|')}\``;

/** A parameter's type with its limits: `integer ≥ 1`, `string, at most 5 characters`. */
function parameterType(node: Json): string {
  const bounds: string[] = [];
  const { minimum, maximum, minLength, maxLength } = node as Record<string, number | undefined>;
  if (minimum !== undefined && maximum !== undefined) bounds.push(` ${minimum} to ${maximum}`);
  else if (minimum !== undefined) bounds.push(` ≥ ${minimum}`);
  else if (maximum !== undefined) bounds.push(` ≤ ${maximum}`);
  if (minLength !== undefined && minLength > 0 && maxLength !== undefined)
    bounds.push(`, ${minLength} to ${maxLength} characters`);
  else if (maxLength !== undefined) bounds.push(`, at most ${maxLength} characters`);
  return `${typeOf(node)}${bounds.join('')}`;
}

/**
 * One parameter: name, type, whether it is required or its default, and what it does. A default the
 * schema states as a value (`default`) is shown as written; one that depends on the spec (the
 * column's length, target.time_zone) is said in the description.
 */
function parameter(name: string, node: Json, required: boolean): string {
  const presence = required
    ? 'required'
    : node.default !== undefined
      ? `default ${code(flow(node.default))}`
      : 'optional';
  return `${code(name)} (${parameterType(node)}; ${presence}): ${cell(node.description)}`;
}

/** The parameters of a step's `{ name: ... }` form, one per line of the cell. */
function parameters(form: Json | undefined): string {
  if (!form) return 'none';
  const properties = form.properties as Json | undefined;
  if (!properties) return `the value (${parameterType(form)}): ${cell(form.description)}`;
  const required = new Set((form.required as string[] | undefined) ?? []);
  return Object.entries(properties)
    .map(([name, node]) => parameter(name, node as Json, required.has(name)))
    .join('<br>');
}

/**
 * The transform-step table: each step of the signature catalog with the ways the schema lets it be
 * written and its parameters, read from the step definition in object.schema.json. A step in one and
 * not the other is an error, so the page cannot describe steps the validator does not know.
 */
export function stepsTable(objectSchema: Json): string[] {
  const step = (objectSchema.$defs as Json).step as Json;
  const bare = new Set(((step.then as Json).enum as string[]) ?? []);
  const withParameters = ((step.else as Json).properties as Json | undefined) ?? {};
  const inSchema = new Set([...bare, ...Object.keys(withParameters)]);
  const catalog = new Set(SIGNATURES.keys());
  const missing = [...catalog].filter((n) => !inSchema.has(n));
  const unknown = [...inSchema].filter((n) => !catalog.has(n));
  if (missing.length > 0 || unknown.length > 0)
    throw new Error(
      `transform steps differ between schemas/object.schema.json ($defs/step) and compiler/transforms/signatures.ts: ` +
        `${[...missing.map((n) => `${n} is not in the schema`), ...unknown.map((n) => `${n} has no signature`)].join('; ')}; add it to both`,
    );
  const out = [
    '| step | written as | signature | what it does | parameters |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const s of [...SIGNATURES.values()].sort((a, b) => byText(a.name, b.name))) {
    const form = withParameters[s.name] as Json | undefined;
    const examples = (form?.examples as unknown[] | undefined) ?? [];
    const forms = [
      ...(bare.has(s.name) ? [code(s.name)] : []),
      ...(form ? [code(flow({ [s.name]: examples[0] }))] : []),
    ];
    out.push(
      `| \`${s.name}\` | ${forms.join(' or ')} | ${cell(s.signature)} | ${cell(s.summary)} | ${parameters(form)} |`,
    );
  }
  return out;
}
