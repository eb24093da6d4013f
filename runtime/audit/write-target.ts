import { isMap, parseDocument } from 'yaml';
import type { TargetAudit } from './target.ts';
import type { ColumnFacts } from './target-facts.ts';
import {
  applySplices,
  commentAbove,
  flowText,
  keyIndent,
  linesBefore,
  mapAt,
  mapEdits,
  oneLine,
  pairOf,
  type Splice,
  scalarText,
} from './yaml-text.ts';

const NOT_FOUND = 'not found in the organisation';

/** Puts `# <note>` above the entry `key` of `map`, replacing an earlier note of the same kind. */
export function markEntry(
  text: string,
  map: ReturnType<typeof mapAt>,
  key: string,
  note: string,
  kind: string,
): Splice[] {
  const pair = map ? pairOf(map, key) : undefined;
  if (!pair || !map) return [];
  // A comment ends at the line break: whatever the note quotes must not break out of it.
  const line = `${keyIndent(text, map)}# ${oneLine(note)}`;
  const above = commentAbove(text, pair);
  if (above?.text.startsWith(kind)) {
    const end = text.indexOf('\n', above.at);
    return [{ at: above.at, remove: end - above.at, insert: line }];
  }
  return [linesBefore(text, pair, [line])];
}

function factText(value: unknown): string | undefined {
  return value === undefined ? undefined : flowText(value);
}

/**
 * Rewrites the target snapshot from what `audit --target` read: `taken_from` names the organisation
 * and the date; table facts (entity set, primary columns, ownership, bulk messages) and column facts
 * (type, length, format, required level, read-only/create-only, behaviour, options) follow the
 * organisation; so do the organisation's custom tables (`custom_tables`) and each table's custom
 * columns (`custom_columns`), which the licence limits count; columns worth adding are appended; tables and columns the organisation lacks get a
 * `# not found in the organisation` comment, never a silent deletion. Labels, descriptions, lookup
 * targets and every untouched line stay as they were.
 */
export function rewriteTargetSnapshot(text: string, audit: TargetAudit): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  const root = doc.contents;
  if (!isMap(root)) throw new Error('the target snapshot is not a YAML mapping');
  const day = audit.read_at.slice(0, 10);
  const splices: Splice[] = [];
  const tables = mapAt(root, ['tables']);
  for (const t of audit.tables) {
    if (!t.found) {
      splices.push(...markEntry(text, tables, t.table, `${NOT_FOUND} on ${day}`, NOT_FOUND));
      continue;
    }
    const table = mapAt(root, ['tables', t.table]);
    if (!table) continue;
    const facts: [string, unknown][] = [
      ['entity_set', t.entity_set],
      ['primary_id', t.primary_id],
      ['primary_name', t.primary_name ?? undefined],
      ['ownership', t.ownership],
      ['bulk_messages', t.bulk_messages],
    ];
    if (t.activity !== undefined && (pairOf(table, 'activity') !== undefined || t.activity))
      facts.push(['activity', t.activity]);
    facts.push(['custom_columns', listFact(table, 'custom_columns', t.custom_columns)]);
    const tableChanges = facts.flatMap(([key, value]) =>
      value === undefined || sameText(text, table, key, flowText(value))
        ? []
        : [{ key, value: flowText(value) }],
    );
    const columns = mapAt(root, ['tables', t.table, 'columns']);
    // After the columns' edits: an entry added to the table goes below the columns added to it.
    if (!columns) {
      splices.push(...mapEdits(text, table, tableChanges));
      continue;
    }
    for (const change of t.changed) {
      const column = mapAt(root, ['tables', t.table, 'columns', change.column]);
      if (!column) continue;
      splices.push(
        ...mapEdits(
          text,
          column,
          change.changes.map((c) => ({ key: c.key, value: factText(c.org) })),
        ),
      );
    }
    for (const missing of t.missing)
      splices.push(...markEntry(text, columns, missing, `${NOT_FOUND} on ${day}`, NOT_FOUND));
    if (t.added.length > 0) {
      splices.push(
        ...mapEdits(
          text,
          columns,
          t.added.map((a) => ({ key: a.column, value: flowText(orderFacts(a.facts)) })),
        ),
      );
    }
    splices.push(...mapEdits(text, table, tableChanges));
  }
  // Last, for the same reason: an entry added to the file goes below the tables' additions.
  const customTables = listFact(root, 'custom_tables', audit.custom_tables);
  splices.push(
    ...mapEdits(text, root, [
      { key: 'taken_from', value: scalarText(`organisation ${audit.organization_id} on ${day}`) },
      ...(customTables && !sameText(text, root, 'custom_tables', flowText(customTables))
        ? [{ key: 'custom_tables', value: flowText(customTables) }]
        : []),
    ]),
  );
  return applySplices(text, splices);
}

/**
 * A list the organisation's metadata gives (custom tables, custom columns): written when it holds a
 * name, or when the snapshot has the entry already (then emptied), not as `[]` on every table.
 */
function listFact(
  map: NonNullable<ReturnType<typeof mapAt>>,
  key: string,
  names: readonly string[] | undefined,
): readonly string[] | undefined {
  if (names === undefined) return undefined;
  return names.length > 0 || pairOf(map, key) !== undefined ? names : undefined;
}

function sameText(
  text: string,
  map: NonNullable<ReturnType<typeof mapAt>>,
  key: string,
  value: string,
): boolean {
  const range = pairOf(map, key)?.value?.range;
  return range !== undefined && range !== null && text.slice(range[0], range[1]) === value;
}

function orderFacts(f: ColumnFacts): Record<string, unknown> {
  return {
    type: f.type,
    max_length: f.max_length,
    format: f.format,
    required: f.required,
    read_only: f.read_only,
    create_only: f.create_only,
    behavior: f.behavior,
    options: f.options,
  };
}
