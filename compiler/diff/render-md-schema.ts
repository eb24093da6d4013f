import { assertNever } from '../assert.ts';
import { htmlText, markdownText, mdDetails, mdName, mdTable, plural } from './markdown.ts';
import type {
  ColumnChange,
  FlagChange,
  FlagView,
  LoadOrderChange,
  LoadStep,
  MappingDiff,
  TableChange,
} from './types.ts';

const t = (s: string | undefined): string => (s === undefined ? '(none)' : markdownText(s));

function flagSubject(f: FlagChange): string {
  return f.flag === 'custom-tables' ? 'custom tables' : `custom columns on ${mdName(f.table ?? '')}`;
}

function flagState(v: FlagView): string {
  const state = v.blocking
    ? '**blocking**'
    : v.acknowledged !== undefined
      ? `acknowledged (${markdownText(v.acknowledged)})`
      : 'not blocking';
  return `${v.count}/${v.limit}, ${state}`;
}

function flagLine(f: FlagChange): string {
  if (!f.before) return `- Licensing flag appears: ${flagSubject(f)}, ${flagState(f.after!)}.`;
  if (!f.after) return `- Licensing flag disappears: ${flagSubject(f)} (was ${flagState(f.before)}).`;
  return `- Licensing flag changes: ${flagSubject(f)}, ${flagState(f.before)} → ${flagState(f.after)}.`;
}

function columnRows(c: ColumnChange): string[][] {
  const name = `${mdName(c.column)} (${markdownText(c.label)})`;
  switch (c.status) {
    case 'added':
      return [
        [name, 'to create', '', markdownText(c.type)],
        ...c.options.map((o) => [
          name,
          `option ${mdName(o.key)}`,
          '',
          `${markdownText(o.after!.label)} (${o.after!.value})`,
        ]),
      ];
    case 'removed':
      return [[name, 'no longer in the plan', markdownText(c.type), '']];
    case 'changed':
      return [
        ...c.settings.map((s) => [name, markdownText(s.name), t(s.before), t(s.after)]),
        ...c.options.map((o) => [
          name,
          `option ${mdName(o.key)}`,
          o.before ? `${markdownText(o.before.label)} (${o.before.value})` : '(none)',
          o.after ? `${markdownText(o.after.label)} (${o.after.value})` : '(removed)',
        ]),
      ];
    default:
      return assertNever(c.status);
  }
}

function tableSection(table: TableChange): string[] {
  const rows: string[][] = [];
  const ct = table.customTable;
  if (ct) {
    const status = {
      added: 'custom table to create',
      removed: 'custom table no longer in the plan',
      changed: 'custom table',
    }[ct.status];
    if (ct.status === 'added')
      rows.push([
        '(table)',
        status,
        '',
        ct.settings.map((x) => `${markdownText(x.name)}: ${t(x.after)}`).join('; '),
      ]);
    else if (ct.settings.length === 0) rows.push(['(table)', status, '', '']);
    else
      for (const x of ct.settings)
        rows.push(['(table)', `${status}: ${markdownText(x.name)}`, t(x.before), t(x.after)]);
  }
  rows.push(...table.columns.flatMap(columnRows));
  for (const k of table.keys.added) rows.push([mdName(k), 'alternate key to create', '', '']);
  for (const k of table.keys.removed) rows.push([mdName(k), 'alternate key no longer in the plan', '', '']);
  const added = table.columns.filter((c) => c.status === 'added').length;
  // `16/15` on Sales Professional (bold when over the limit), the bare count on Enterprise.
  const side = (n: number, limit: number | undefined) =>
    limit === undefined ? String(n) : n > limit ? `<b>${n}/${limit}</b>` : `${n}/${limit}`;
  const before = side(table.count.before, table.limit.before);
  const after = side(table.count.after, table.limit.after);
  const counts = `${before === after ? after : `${before} → ${after}`} custom columns`;
  const summary = `<code>${htmlText(table.table)}</code>: ${counts}${added ? `, ${plural(added, 'column')} to create` : ''}`;
  return rows.length ? mdDetails(summary, mdTable(['column', 'change', 'before', 'after'], rows)) : [];
}

/** A step's place and what it waits for, without its mapping's name: `3 (after `patient`)`. */
const placeText = (s: LoadStep | undefined, at: number): string =>
  s
    ? `step ${at + 1}${s.dependsOn.length ? ` (after ${s.dependsOn.map(mdName).join(', ')})` : ''}${s.deferred.length ? `; second pass: ${s.deferred.map(mdName).join(', ')}` : ''}`
    : '–';

/** The mappings in both orders that keep their order among each other: a longest common subsequence. */
function keptInOrder(before: readonly string[], after: readonly string[]): Set<string> {
  const n = before.length;
  const m = after.length;
  const len = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i -= 1)
    for (let j = m - 1; j >= 0; j -= 1)
      len[i]![j] =
        before[i] === after[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const kept = new Set<string>();
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (before[i] === after[j]) {
      kept.add(before[i]!);
      i += 1;
      j += 1;
    } else if (len[i + 1]![j]! >= len[i]![j + 1]!) i += 1;
    else j += 1;
  }
  return kept;
}

/**
 * The load order's rows: each mapping added, removed, moved among the others, or waiting for other
 * mappings than before, with its step on each side. A step number that changed only because a mapping
 * before it came or went is no change, and is not listed.
 */
function orderRows(order: LoadOrderChange): string[][] {
  const names = (steps: readonly LoadStep[]) => steps.map((s) => s.mapping);
  const kept = keptInOrder(names(order.before), names(order.after));
  const detail = (s: LoadStep) => JSON.stringify([s.dependsOn, s.deferred]);
  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const mapping of [...names(order.after), ...names(order.before)]) {
    if (seen.has(mapping)) continue;
    seen.add(mapping);
    const b = order.before.findIndex((s) => s.mapping === mapping);
    const a = order.after.findIndex((s) => s.mapping === mapping);
    const same =
      b >= 0 && a >= 0 && kept.has(mapping) && detail(order.before[b]!) === detail(order.after[a]!);
    if (!same) rows.push([mdName(mapping), placeText(order.before[b], b), placeText(order.after[a], a)]);
  }
  return rows;
}

/** The schema plan, load order and migration settings parts of the Markdown. */
export function schemaSection(diff: MappingDiff): string[] {
  const s = diff.schema;
  const bullets = [
    ...(s.customTables.before !== s.customTables.after
      ? [`- Custom tables: ${s.customTables.before} → ${s.customTables.after} (15 on Sales Professional).`]
      : []),
    ...s.flags.map(flagLine),
    ...(s.connectionRoles.added.length
      ? [`- Connection roles to create: ${s.connectionRoles.added.map(mdName).join(', ')}.`]
      : []),
    ...(s.connectionRoles.removed.length
      ? [`- Connection roles no longer used: ${s.connectionRoles.removed.map(mdName).join(', ')}.`]
      : []),
    ...(s.privileges.added.length
      ? [`- Privileges the application user needs: ${s.privileges.added.map(markdownText).join('; ')}.`]
      : []),
    ...(s.privileges.removed.length
      ? [`- Privileges no longer needed: ${s.privileges.removed.map(markdownText).join('; ')}.`]
      : []),
  ];
  const tables = s.tables.flatMap(tableSection);
  const schema =
    bullets.length + tables.length
      ? ['### Schema plan', '', ...bullets, ...(bullets.length ? [''] : []), ...tables]
      : [];
  const order = diff.loadOrder;
  const loadOrder = order
    ? [
        '### Load order',
        '',
        ...mdTable(['mapping', 'before', 'after'], orderRows(order)),
        '',
        'Mappings not listed keep their place among the others.',
        '',
      ]
    : [];
  const settings = diff.settings.length
    ? [
        '### Migration settings',
        '',
        ...mdTable(
          ['setting', 'before', 'after'],
          diff.settings.map((x) => [markdownText(x.name), t(x.before), t(x.after)]),
        ),
        '',
      ]
    : [];
  return [...schema, ...loadOrder, ...settings];
}
