/** A JSON Schema node, as read from schemas/*.schema.json. */
export type Json = Record<string, unknown>;

const MAX_DEPTH = 8;

/**
 * Follows `$ref`s to their definition, keeping the referring node's own keys (its description,
 * examples, limits), which say more about this use than the definition does.
 */
export function resolve(root: Json, node: Json): Json {
  let current = node;
  for (let i = 0; i < MAX_DEPTH && typeof current.$ref === 'string'; i++) {
    const { $ref, ...own } = current;
    const path = ($ref as string).replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const segment of path) target = (target as Json)[segment];
    current = { ...(target as Json), ...own };
  }
  return current;
}

/** A table cell: pipes escaped, on one line. */
export function cell(text: unknown): string {
  return String(text ?? '')
    .replaceAll('|', '\\|')
    .replaceAll('\n', ' ');
}

/** The type of a value in reader's words: a constant, the allowed values, or the JSON type. */
export function typeOf(node: Json): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (node.if) return 'step';
  const type = Array.isArray(node.type) ? node.type.join(' \\| ') : String(node.type ?? 'any');
  return type === 'object' ? 'mapping' : type === 'array' ? 'list' : type;
}

function example(node: Json): string {
  const examples = node.examples as unknown[] | undefined;
  if (!examples || examples.length === 0) return '';
  return `\`${JSON.stringify(examples[0]).replaceAll('|', '\\|')}\``;
}

/** A definition documented once, in its own table, that the keys using it link to. */
export interface SharedDef {
  readonly name: string;
  readonly title: string;
  readonly anchor: string;
}

/**
 * The `$defs` with keys of their own that are used in more than one place (or inside themselves, as a
 * source field's `items`): written out under every use, they would repeat, or never end.
 */
export function sharedDefs(root: Json): ReadonlyMap<string, SharedDef> {
  const uses = new Map<string, number>();
  const count = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(count);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
          const name = value.slice('#/$defs/'.length);
          uses.set(name, (uses.get(name) ?? 0) + 1);
        } else count(value);
      }
    }
  };
  count(root);
  const defs = (root.$defs as Json | undefined) ?? {};
  const shared = new Map<string, SharedDef>();
  for (const [name, n] of uses) {
    const def = defs[name] as Json | undefined;
    if (n < 2 || !def?.properties) continue;
    if (typeof def.title !== 'string')
      throw new Error(
        `$defs/${name} is used in ${n} places and is documented once under its own heading: give it a "title" in its schema`,
      );
    const anchor = def.title
      .toLowerCase()
      .replace(/[^a-z0-9 _-]/g, '')
      .replaceAll(' ', '-');
    shared.set(name, { name, title: def.title, anchor });
  }
  return shared;
}

/** The shared definition `node` stands for, following refs to definitions that only wrap another. */
function sharedRef(root: Json, node: Json, shared: ReadonlyMap<string, SharedDef>): SharedDef | undefined {
  let current = node;
  for (let i = 0; i < MAX_DEPTH && typeof current.$ref === 'string'; i++) {
    const def = shared.get((current.$ref as string).replace(/^#\/\$defs\//, ''));
    if (def) return def;
    current = resolve(root, { $ref: current.$ref });
  }
  return undefined;
}

interface TableContext {
  readonly root: Json;
  readonly shared: ReadonlyMap<string, SharedDef>;
  /** Shared definitions linked from the rows written so far, in order of first use. */
  readonly linked: SharedDef[];
}

function link(ctx: TableContext, def: SharedDef): string {
  if (!ctx.linked.includes(def)) ctx.linked.push(def);
  return `[${def.title.toLowerCase()}](#${def.anchor})`;
}

/** Rows for every key under `node`, depth first, with dotted paths; shared definitions become links. */
function rows(ctx: TableContext, node: Json, path: string, out: string[], depth: number): void {
  const resolved = resolve(ctx.root, node);
  const properties = resolved.properties as Json | undefined;
  if (depth > MAX_DEPTH || !properties) return;
  const required = new Set((resolved.required as string[] | undefined) ?? []);
  for (const [key, raw] of Object.entries(properties)) {
    const child = resolve(ctx.root, raw as Json);
    const keyPath = path ? `${path}.${key}` : key;
    const items = child.items as Json | undefined;
    const values =
      child.additionalProperties && typeof child.additionalProperties === 'object'
        ? (child.additionalProperties as Json)
        : undefined;
    const self = sharedRef(ctx.root, raw as Json, ctx.shared);
    const item = items && sharedRef(ctx.root, items, ctx.shared);
    const value = values && sharedRef(ctx.root, values, ctx.shared);
    const type = self
      ? link(ctx, self)
      : item
        ? `list of ${link(ctx, item)}`
        : value
          ? `mapping: name → ${link(ctx, value)}`
          : typeOf(child);
    out.push(
      `| \`${keyPath}\`${required.has(key) ? ' (required)' : ''} | ${type} | ${cell(child.description)} | ${example(child)} |`,
    );
    if (self) continue;
    if (child.properties) rows(ctx, child, keyPath, out, depth + 1);
    else if (items && !item) rows(ctx, items, `${keyPath}[]`, out, depth + 1);
    else if (values && !value) rows(ctx, values, `${keyPath}.<name>`, out, depth + 1);
  }
}

const HEADER = ['| key | type | meaning | example |', '| --- | --- | --- | --- |'];

/**
 * The key table of one schema, followed by one table per shared definition it uses (a custom column,
 * a source field), each written once.
 */
export function schemaTables(schema: Json): string[] {
  const ctx: TableContext = { root: schema, shared: sharedDefs(schema), linked: [] };
  const out = [...HEADER];
  rows(ctx, schema, '', out, 0);
  out.push('');
  for (let i = 0; i < ctx.linked.length; i++) {
    const def = ctx.linked[i]!;
    const node = (schema.$defs as Json)[def.name] as Json;
    out.push(`### ${def.title}`, '', cell(node.description), '', ...HEADER);
    rows(ctx, node, '', out, 0);
    out.push('');
  }
  return out;
}
