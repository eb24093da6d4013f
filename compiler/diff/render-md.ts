import { assertNever } from '../assert.ts';
import { isEmptyDiff } from './diff.ts';
import { riskWords, summarize } from './explain.ts';
import { htmlText, MARKDOWN, markdownText, mdDetails, mdLabel, mdName, mdTable, plural } from './markdown.ts';
import { schemaSection } from './render-md-schema.ts';
import type {
  EntryChange,
  FlagChange,
  LookupView,
  MappingChange,
  MappingDiff,
  ObjectChange,
  SettingChange,
} from './types.ts';
import { mapValueText } from './words.ts';

/** What the two sides are, as the reader knows them (a git ref, a directory, "working tree"). */
export interface DiffLabels {
  readonly base: string;
  readonly head: string;
}

const t = (s: string | undefined): string => (s === undefined ? '(none)' : markdownText(s));
const steps = (s: readonly string[]): string => (s.length ? markdownText(s.join(', ')) : '(no transform)');
const lookupText = (l: LookupView): string =>
  markdownText(
    [l.candidates.join(', then '), l.pick, l.required ? 'required' : 'optional', l.deferred ? 'deferred' : '']
      .filter(Boolean)
      .join('; '),
  );
const settingsText = (s: readonly SettingChange[], side: 'before' | 'after'): string =>
  s.map((x) => `${markdownText(x.name)}: ${t(x[side])}`).join('; ');

/** One row of a changed mapping's table: change, what, before, after. */
function changeRow(c: ObjectChange): string[] {
  switch (c.kind) {
    case 'field-added':
      return ['field added', mdName(c.column), '', `${t(c.source)} · ${steps(c.steps)}`];
    case 'field-removed':
      return ['field removed', mdName(c.column), `${t(c.source)} · ${steps(c.steps)}`, ''];
    case 'retargeted':
      return ['column changed', t(c.source), mdName(c.before), mdName(c.after)];
    case 'field-source':
      return ['source', mdName(c.column), t(c.before), t(c.after)];
    case 'chain':
      return ['transform', mdName(c.column), steps(c.before), steps(c.after)];
    case 'value-map':
      return [
        'value map',
        c.use.kind === 'column' ? mdName(c.use.column) : 'state rule',
        mdName(c.before),
        `${mdName(c.after)} (${plural(c.entries.length, 'entry', 'entries')}${c.settings.length ? `, ${c.settings.map((s) => markdownText(s.name)).join(', ')}` : ''} changed, below)`,
      ];
    case 'lookup-added':
      return ['lookup added', mdName(c.column), '', lookupText(c.lookup)];
    case 'lookup-removed':
      return ['lookup removed', mdName(c.column), lookupText(c.lookup), ''];
    case 'lookup-changed':
      return [
        'lookup',
        mdName(c.column),
        settingsText(c.settings, 'before'),
        settingsText(c.settings, 'after'),
      ];
    case 'key':
      return [`key (${c.parts.join(', ')})`, '', t(c.before), t(c.after)];
    case 'setting':
      return [markdownText(c.setting.name), '', t(c.setting.before), t(c.setting.after)];
    default:
      return assertNever(c);
  }
}

// Whitespace other than single spaces inside, and characters that do not show: Markdown would fold or
// hide them, and a value would read as another one of the map.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const UNCLEAR = /^\s|\s$|\s\s|[^\S ]|[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060-\u2064\ufeff]/u;

/** A source value as a table shows it: quoted as a JSON string (\n, \u200b) when it would not read as written. */
function sourceValueText(value: string): string {
  if (value === '') return '(empty text)';
  if (!UNCLEAR.test(value)) return markdownText(value);
  const quoted = JSON.stringify(value).replace(
    /[\u007f-\u009f\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/gu,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
  // HTML folds a run of spaces into one: every space after the first of a run, and one at either end.
  return markdownText(quoted.replace(/(?<=^"| ) | (?="$)/g, '\\u0020'));
}

const entryRow = (e: EntryChange): string[] => [
  sourceValueText(e.source),
  markdownText(mapValueText(e.before)),
  markdownText(mapValueText(e.after)),
];

/**
 * A value map's changed entries as rows: all of them up to ENTRIES_LISTED; beyond, the first
 * ENTRIES_SHOWN (entries that change what loaded rows hold first: changed, then removed, then added)
 * and a row that counts them all, so that a map of thousands of entries does not make a comment longer
 * than GitHub holds. The JSON output lists every entry.
 */
const ENTRIES_LISTED = 20;
const ENTRIES_SHOWN = 10;

function entryRows(entries: readonly EntryChange[]): string[][] {
  if (entries.length <= ENTRIES_LISTED) return entries.map(entryRow);
  const changed = entries.filter((e) => e.before !== undefined && e.after !== undefined);
  const removed = entries.filter((e) => e.after === undefined);
  const added = entries.filter((e) => e.before === undefined);
  return [
    ...[...changed, ...removed, ...added].slice(0, ENTRIES_SHOWN).map(entryRow),
    [
      `(${entries.length - ENTRIES_SHOWN} more)`,
      `${entries.length} entries: ${changed.length} changed, ${removed.length} removed, ${added.length} added`,
      'all of them: `flitstack diff --format json`',
    ],
  ];
}

function valueMapTables(changes: readonly ObjectChange[]): string[] {
  return changes.flatMap((c) => {
    if (c.kind !== 'value-map') return [];
    const use = c.use.kind === 'column' ? `on ${mdName(c.use.column)}` : 'of the state rule';
    const name = c.before === c.after ? mdName(c.after) : `${mdName(c.before)} → ${mdName(c.after)}`;
    return [
      '',
      `Value map ${name} ${use}:`,
      '',
      ...mdTable(
        ['source value', 'before', 'after'],
        [
          ...entryRows(c.entries),
          ...c.settings.map((s) => [`(${markdownText(s.name)})`, t(s.before), t(s.after)]),
        ],
      ),
    ];
  });
}

function wholeMapping(m: MappingChange): string[] {
  const h = (m.after ?? m.before)!;
  const rows = m.changes.map((c) => {
    if (c.kind === 'field-added' || c.kind === 'field-removed')
      return [mdName(c.column), t(c.source), steps(c.steps)];
    if (c.kind === 'lookup-added' || c.kind === 'lookup-removed')
      return [mdName(c.column), 'lookup', lookupText(c.lookup)];
    return changeRow(c).slice(1);
  });
  return [
    `${m.after ? 'New mapping' : 'Removed mapping'}: ${mdName(h.source)} → ${mdName(h.target)} (${h.mode}); key: ${t(h.key)}.`,
    '',
    ...mdTable(['column', 'source', 'transform'], rows),
  ];
}

function mappingSection(m: MappingChange): string[] {
  const h = (m.after ?? m.before)!;
  const what = !m.before ? 'new mapping' : !m.after ? 'removed' : plural(m.changes.length, 'change');
  const summary = `<code>${htmlText(m.mapping)}</code> (${htmlText(h.source)} → ${htmlText(h.target)}): ${what}`;
  const about = h.description ? [`> ${markdownText(h.description)}`, ''] : [];
  const body =
    m.before && m.after
      ? [
          ...mdTable(['change', 'what', 'before', 'after'], m.changes.map(changeRow)),
          ...valueMapTables(m.changes),
        ]
      : wholeMapping(m);
  return mdDetails(summary, [...about, ...body]);
}

function flags(diff: MappingDiff, which: (f: FlagChange) => boolean, one: string, many: string): string {
  const n = diff.schema.flags.filter(which).length;
  return n ? `${plural(n, 'licensing flag')} ${n === 1 ? one : many}` : '';
}

function summaryParagraph(diff: MappingDiff): string {
  const s = summarize(diff);
  const names = (list: readonly string[]) => list.map(mdName).join(', ');
  const parts = [
    s.mappingsChanged.length
      ? `${plural(s.mappingsChanged.length, 'mapping')} changed (${names(s.mappingsChanged)})`
      : '',
    s.mappingsAdded.length
      ? `${plural(s.mappingsAdded.length, 'mapping')} added (${names(s.mappingsAdded)})`
      : '',
    s.mappingsRemoved.length
      ? `${plural(s.mappingsRemoved.length, 'mapping')} removed (${names(s.mappingsRemoved)})`
      : '',
    s.tablesToCreate.length
      ? `${plural(s.tablesToCreate.length, 'custom table')} to create (${names(s.tablesToCreate)})`
      : '',
    s.tablesRemoved.length
      ? `${plural(s.tablesRemoved.length, 'custom table')} no longer in the plan (${names(s.tablesRemoved)})`
      : '',
    s.tablesChanged.length
      ? `${plural(s.tablesChanged.length, 'custom table')} changed (${names(s.tablesChanged)})`
      : '',
    s.columnsToCreate ? `${plural(s.columnsToCreate, 'custom column')} to create` : '',
    s.columnsChanged ? `${plural(s.columnsChanged, 'custom column')} changed` : '',
    s.columnsRemoved ? `${plural(s.columnsRemoved, 'custom column')} no longer in the plan` : '',
    flags(diff, (f) => !f.before, 'appears', 'appear'),
    flags(diff, (f) => !f.after, 'disappears', 'disappear'),
    flags(diff, (f) => f.before !== undefined && f.after !== undefined, 'changes', 'change'),
    diff.schema.connectionRoles.added.length + diff.schema.connectionRoles.removed.length
      ? 'connection roles changed'
      : '',
    diff.schema.privileges.added.length + diff.schema.privileges.removed.length
      ? 'privileges of the application user changed'
      : '',
    diff.loadOrder ? 'the load order changes' : '',
    diff.settings.length ? `${plural(diff.settings.length, 'migration setting')} changed` : '',
  ].filter(Boolean);
  const risks = s.risks
    ? `**${plural(s.risks, 'risk note')}** for data already loaded: read ${s.risks === 1 ? 'it' : 'them'} before merging.`
    : 'No risk to data already loaded was found.';
  // Every kind of change is counted above; the fallback only guards the sentence.
  return `**Summary:** ${parts.length ? parts.join('; ') : 'the schema plan changes'}. ${risks}`;
}

function risksSection(diff: MappingDiff): string[] {
  if (diff.risks.length === 0) return [];
  return [
    '### Risk notes',
    '',
    ...diff.risks.map((r) => {
      const w = riskWords(r, MARKDOWN);
      return `- **${w.title}.** ${capital(w.effect)} **Do:** ${w.action}`;
    }),
    '',
  ];
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The mapping diff as Markdown for a pull-request comment: a summary paragraph, the risk notes, one
 * collapsible section per changed mapping, then the schema plan, load order and settings. Every spec
 * string is escaped.
 */
export function renderMarkdown(diff: MappingDiff, labels: DiffLabels): string {
  const title = ['## Mapping diff', '', `Base ${mdLabel(labels.base)} → head ${mdLabel(labels.head)}.`, ''];
  if (isEmptyDiff(diff))
    return `${[...title, 'No change: both specs give the same mappings, schema plan and load order.'].join('\n')}\n`;
  const lines = [
    ...title,
    summaryParagraph(diff),
    '',
    ...risksSection(diff),
    ...(diff.mappings.length ? ['### Mappings', '', ...diff.mappings.flatMap(mappingSection)] : []),
    ...schemaSection(diff),
  ];
  while (lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
