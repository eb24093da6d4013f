import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { pascalWords } from '../../emit/literals.ts';
import { optionValue } from '../../model/options.ts';
import type { ChoiceOptionSpec, CustomColumnSpec } from '../../model/spec.ts';
import type { SpecContext } from '../context.ts';
import { finding, type Rule } from '../rule.ts';

/** Checks a publisher prefix against Dataverse's rules; the problem, or undefined. */
export function prefixProblem(prefix: string): string | undefined {
  // Publisher prefix: 2-8 alphanumeric characters, starting with a letter, not starting with 'mscrm'
  // (reference/dataverse.md §5.4, from the solution and `pac solution init` docs).
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(prefix))
    return 'must contain only letters and digits and start with a letter';
  if (prefix.length < 2 || prefix.length > 8)
    return `must be 2 to 8 characters long (it has ${prefix.length})`;
  if (/^mscrm/i.test(prefix)) return "must not start with 'mscrm' (reserved by Microsoft)";
  return undefined;
}

/** FS106 invalid publisher prefix. */
export const publisherPrefix: Rule = (ctx) => {
  const prefix = ctx.migration?.prefix;
  if (prefix === undefined || !ctx.migration) return [];
  const problem = prefixProblem(prefix);
  return problem
    ? [
        finding(
          'FS106',
          'error',
          ctx.migration.file,
          '/target/publisher/prefix',
          `invalid publisher prefix '${prefix}': it ${problem}`,
          'use the customization prefix of your Dataverse publisher, e.g. fs or contoso',
        ),
      ]
    : [];
};

function sameDeclaration(a: CustomColumnSpec, b: CustomColumnSpec): string | undefined {
  const keys = [
    'type',
    'label',
    'description',
    'maxLength',
    'format',
    'precision',
    'min',
    'max',
    'behavior',
    'trueLabel',
    'falseLabel',
    'target',
    'required',
    'schemaName',
  ] as const;
  for (const key of keys)
    if (a[key] !== b[key]) return `${key} ${JSON.stringify(a[key])} vs ${JSON.stringify(b[key])}`;
  const options = (s: CustomColumnSpec) => JSON.stringify(s.options.map((o) => [o.key, o.label, o.value]));
  if (options(a) !== options(b)) return 'the options differ';
  return undefined;
}

/**
 * The longest custom name (a column's, a table's key column, an alternate key's) taken here: the commonly
 * quoted limit of Dataverse identifiers, which the sandbox enforces too (reference §10.5 found none documented).
 */
export const MAX_NAME = 50;

/** FS105 custom name without prefix, FS137 redeclared standard column, FS139 table takes no custom columns, FS118 conflicting declarations. */
export const customNames: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  // With an invalid prefix (FS106) every name would be reported again; check names against a valid one only.
  const prefix =
    ctx.migration?.prefix !== undefined && !prefixProblem(ctx.migration.prefix)
      ? ctx.migration.prefix
      : undefined;
  const first = new Map<string, { spec: CustomColumnSpec; mapping: string }>();
  for (const d of ctx.customDeclarations) {
    const at = d.spec.pointer.replace(/\/custom$/, '');
    const toPointer = at === '/key' ? '/key/column' : at === '/archive' ? '/archive/url_column' : `${at}/to`;
    const standard = ctx.target?.tables.get(d.table)?.columns.has(d.column) ?? false;
    if (prefix && !standard && !d.column.startsWith(`${prefix}_`)) {
      out.push(
        finding(
          'FS105',
          'error',
          d.spec.file,
          toPointer,
          `custom column '${d.column}' does not start with the publisher prefix '${prefix}_'`,
          `rename it to ${prefix}_${d.column.replace(/^[a-z0-9]+_/, '')}; Dataverse prefixes every custom name with the publisher's prefix`,
        ),
      );
    }
    if (d.column.length > MAX_NAME) {
      out.push(
        finding(
          'FS105',
          'error',
          d.spec.file,
          toPointer,
          `custom column '${d.column}' has ${d.column.length} characters; Dataverse takes names of at most ${MAX_NAME}`,
          `shorten it to ${MAX_NAME} characters or fewer`,
        ),
      );
    }
    if (d.spec.schemaName && d.spec.schemaName.toLowerCase() !== d.column) {
      out.push(
        finding(
          'FS105',
          'error',
          d.spec.file,
          `${d.spec.pointer}/schema_name`,
          `schema_name '${d.spec.schemaName}' must equal the column name '${d.column}' apart from capitals`,
          `write ${d.column} with capitals where words start`,
        ),
      );
    }
    const table = ctx.target?.tables.get(d.table);
    if (table?.columns.has(d.column)) {
      out.push(
        finding(
          'FS137',
          'error',
          d.spec.file,
          d.spec.pointer,
          `'${d.column}' is a standard column of ${d.table}; it cannot be declared custom`,
          'remove custom:, or choose a new column name with the publisher prefix',
          'key',
        ),
      );
    }
    if (table && !table.customColumnsAllowed) {
      out.push(
        finding(
          'FS139',
          'error',
          d.spec.file,
          d.spec.pointer,
          `${d.table} does not take custom columns or alternate keys`,
          d.table === 'annotation'
            ? 'key notes with derive_id: true; put extra values in the note text'
            : 'write to an existing column',
          'key',
        ),
      );
    }
    const id = `${d.table}.${d.column}`;
    const earlier = first.get(id);
    if (!earlier) first.set(id, d);
    else {
      const difference = sameDeclaration(earlier.spec, d.spec);
      if (difference) {
        out.push(
          finding(
            'FS118',
            'error',
            d.spec.file,
            d.spec.pointer,
            `${id} is declared differently here and in '${earlier.mapping}' (${difference})`,
            'make the declarations identical; a column has one definition',
            'key',
          ),
        );
      }
    }
  }
  for (const t of ctx.customTables.values()) {
    if (prefix && !t.table.startsWith(`${prefix}_`)) {
      out.push(
        finding(
          'FS105',
          'error',
          t.spec.file,
          '/target',
          `custom table '${t.table}' does not start with the publisher prefix '${prefix}_'`,
          `rename it to ${prefix}_${t.table.replace(/^[a-z0-9]+_/, '')}`,
        ),
      );
    }
    // The table's primary key column is its name and 'id'.
    if (t.table.length > MAX_NAME - 2) {
      out.push(
        finding(
          'FS105',
          'error',
          t.spec.file,
          '/target',
          `custom table '${t.table}' has ${t.table.length} characters; with its key column ${t.table}id it must stay within ${MAX_NAME}`,
          `shorten it to ${MAX_NAME - 2} characters or fewer`,
        ),
      );
    }
    if (prefix && !t.spec.primaryName.column.startsWith(`${prefix}_`)) {
      out.push(
        finding(
          'FS105',
          'error',
          t.spec.file,
          '/custom_table/primary_name/column',
          `primary name column '${t.spec.primaryName.column}' does not start with '${prefix}_'`,
          `rename it to ${prefix}_name`,
        ),
      );
    }
    const primary = t.spec.primaryName.column;
    if (primary.length > MAX_NAME) {
      out.push(
        finding(
          'FS105',
          'error',
          t.spec.file,
          '/custom_table/primary_name/column',
          `primary name column '${primary}' has ${primary.length} characters; Dataverse takes names of at most ${MAX_NAME}`,
          `shorten it to ${MAX_NAME} characters or fewer`,
        ),
      );
    }
    if (ctx.target?.tables.has(t.table)) {
      out.push(
        finding(
          'FS137',
          'error',
          t.spec.file,
          '/custom_table',
          `'${t.table}' is a table of the target snapshot; it cannot be declared custom`,
          'remove custom_table',
          'key',
        ),
      );
    }
  }
  return [...out, ...optionValues(ctx)];
};

/** What to do about two options with one value: pinned values are changed, derived ones pinned. */
function clashHint(first: ChoiceOptionSpec, second: ChoiceOptionSpec, free: number): string {
  if (first.value !== undefined && second.value !== undefined)
    return `give '${second.key}' a value no other option uses, such as ${free}: both values are pinned`;
  const [derived, pinned] = first.value === undefined ? [first, second] : [second, first];
  if (pinned.value !== undefined)
    return `'${derived.key}' derives its value from its key: pin it with { label: ..., value: ${free} }, or change the value pinned on '${pinned.key}'`;
  // An option already deployed keeps its value (rows hold it): the one being added is the one to pin.
  return `pin the option you are adding with { label: ..., value: ${free} }; the other keeps the value the organisation and its rows already hold`;
}

/** FS125 choice option values that collide or fall outside the publisher's range. */
function optionValues(ctx: SpecContext): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const base = ctx.migration?.optionValuePrefix ?? 10000;
  const seen = new Set<string>();
  for (const d of ctx.customDeclarations) {
    const id = `${d.table}.${d.column}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const used = new Map<number, ChoiceOptionSpec>();
    const taken = new Set(d.spec.options.map((o) => optionValue(base, o)));
    let free = base * 10000;
    while (taken.has(free)) free += 1;
    for (const option of d.spec.options) {
      const value = optionValue(base, option);
      if (option.value !== undefined && (value < base * 10000 || value > base * 10000 + 9999)) {
        out.push(
          finding(
            'FS125',
            'error',
            d.spec.file,
            `${option.pointer}/value`,
            `option value ${value} is outside the publisher's range ${base * 10000}-${base * 10000 + 9999}`,
            'pin values inside the range, or remove value to derive it',
          ),
        );
      }
      const clash = used.get(value);
      if (clash !== undefined) {
        out.push(
          finding(
            'FS125',
            'error',
            d.spec.file,
            option.pointer,
            `options '${clash.key}' and '${option.key}' of ${id} get the same value ${value}`,
            clashHint(clash, option, free),
            'key',
          ),
        );
      }
      used.set(value, option);
    }
  }
  return out;
}

/**
 * FS148: two names that become one identifier in the generated code, where a mapping is
 * `transform<Name>` with a `<Name>Row` type and a resource a `<Name>Record` type, and hyphens and
 * underscores are dropped: `clinic-2` and `clinic2`, `payments_2` and `payments2`. The generated
 * module would declare the name twice and not compile.
 */
export const generatedNames: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  const mappings = new Map<string, { name: string; file: string }>();
  const resources = new Map<string, { name: string; file: string; pointer: string }>();
  const clash = (
    kind: string,
    name: string,
    other: { name: string; file: string; pointer?: string },
    file: string,
    pointer: string,
    word: string,
  ) =>
    out.push(
      finding(
        'FS148',
        'error',
        file,
        pointer,
        `${kind} '${name}' and '${other.name}' (${ctx.place(other.file, other.pointer ?? '')}) both become ${word} in the generated code, which cannot hold two of one name`,
        kind === 'mappings'
          ? 'rename one of the files so that the names differ in more than hyphens and underscores'
          : "map only one of them: resource names are PracticeHub's own, and the generated types cannot tell these two apart",
      ),
    );
  for (const o of ctx.objects) {
    const word = pascalWords(o.name);
    const other = mappings.get(word);
    if (other && other.name !== o.name) clash('mappings', o.name, other, o.file, '', `transform${word}`);
    else mappings.set(word, { name: o.name, file: o.file });
  }
  // Each resource the generated code reads has a <Name>Record type: the mapped ones and the staff one.
  const read = ctx.objects.flatMap((o) =>
    o.source ? [{ name: o.source, file: o.file, pointer: '/source' }] : [],
  );
  const staff = ctx.migration?.staff;
  if (staff && ctx.migration)
    read.push({ name: staff.resource, file: ctx.migration.file, pointer: '/owners/staff/resource' });
  for (const r of read) {
    if (!ctx.source?.resources.has(r.name)) continue;
    const word = pascalWords(r.name);
    const seen = resources.get(word);
    if (seen && seen.name !== r.name) clash('resources', r.name, seen, r.file, r.pointer, `${word}Record`);
    else if (!seen) resources.set(word, r);
  }
  return out;
};
