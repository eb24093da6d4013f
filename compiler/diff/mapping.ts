import { byText } from '../../runtime/shared/order.ts';
import type { IrField, IrLookup, IrMapping } from '../ir/types.ts';
import { keyed, pairBySignature, settingChanges } from './compare.ts';
import type { DiffSide } from './side.ts';
import type { LookupView, MappingChange, MappingHeader, ObjectChange } from './types.ts';
import { valueMapChange } from './values.ts';
import {
  chainTexts,
  comparableStep,
  keyParts,
  keyText,
  lookupView,
  mappingSettings,
  sourceText,
  stepText,
} from './words.ts';

/** Both sides of a diff, for reading value maps and labels. */
export interface Sides {
  readonly base: DiffSide;
  readonly head: DiffSide;
}

const header = (m: IrMapping): MappingHeader => ({
  source: m.source,
  target: m.target,
  mode: m.mode,
  key: keyText(m.key),
  description: m.description,
});

const lookupSource = (l: IrLookup): string => `lookup ${lookupView(l).candidates.join(', then ')}`;

/** The column a change is about, for ordering a mapping's changes. */
function columnOf(change: ObjectChange): string {
  switch (change.kind) {
    case 'retargeted':
      return change.after;
    case 'value-map':
      return change.use.kind === 'column' ? change.use.column : '\uffff';
    case 'key':
    case 'setting':
      return '';
    default:
      return change.column;
  }
}

const mapSteps = (f: IrField) =>
  f.steps.flatMap((s) => (s.kind === 'map' || s.kind === 'multi_map' ? [s] : []));

/** What changed between two field maps that write the same data (same column, or retargeted). */
function fieldChanges(m: { base: IrMapping; head: IrMapping }, b: IrField, h: IrField, sides: Sides) {
  const out: ObjectChange[] = [];
  const column = h.column;
  if (sourceText(b.source) !== sourceText(h.source))
    out.push({ kind: 'field-source', column, before: sourceText(b.source), after: sourceText(h.source) });
  const same = (x: IrField) => x.steps.map(comparableStep).join('\n');
  if (same(b) !== same(h)) out.push({ kind: 'chain', column, ...chainTexts(b.steps, h.steps) });
  const bm = mapSteps(b);
  const hm = mapSteps(h);
  for (let i = 0; i < Math.min(bm.length, hm.length); i += 1) {
    const change = valueMapChange(
      { side: sides.base, id: bm[i]!.map, table: m.base.target, use: { kind: 'column', column: b.column } },
      { side: sides.head, id: hm[i]!.map, table: m.head.target, use: { kind: 'column', column } },
    );
    if (change) out.push(change);
  }
  return out;
}

function lookupSettings(v: LookupView): Record<string, string | undefined> {
  return {
    objects: v.candidates.join(', then '),
    pick: v.pick,
    required: String(v.required),
    deferred: v.deferred ? 'yes: bound in a second pass' : 'no',
  };
}

function changedMapping(base: IrMapping, head: IrMapping, sides: Sides): ObjectChange[] {
  const out: ObjectChange[] = [];
  if (keyText(base.key) !== keyText(head.key))
    out.push({
      kind: 'key',
      before: keyText(base.key),
      after: keyText(head.key),
      parts: keyParts(base.key, head.key),
    });
  for (const setting of settingChanges(mappingSettings(base), mappingSettings(head)))
    out.push({ kind: 'setting', setting });
  const m = { base, head };
  const fields = keyed(base.fields, head.fields, (f) => f.column);
  const moved = pairBySignature(fields.removed, fields.added, (f) => sourceText(f.source));
  for (const f of moved.removed)
    out.push({
      kind: 'field-removed',
      column: f.column,
      source: sourceText(f.source),
      steps: f.steps.map((s) => stepText(s, false)),
    });
  for (const f of moved.added)
    out.push({
      kind: 'field-added',
      column: f.column,
      source: sourceText(f.source),
      steps: f.steps.map((s) => stepText(s, false)),
    });
  for (const [b, h] of moved.pairs) {
    out.push({ kind: 'retargeted', before: b.column, after: h.column, source: sourceText(h.source) });
    out.push(...fieldChanges(m, b, h, sides));
  }
  for (const [b, h] of fields.common) out.push(...fieldChanges(m, b, h, sides));
  const lookups = keyed(base.lookups, head.lookups, (l) => l.column);
  const relinked = pairBySignature(lookups.removed, lookups.added, lookupSource);
  for (const l of relinked.removed)
    out.push({ kind: 'lookup-removed', column: l.column, lookup: lookupView(l) });
  for (const l of relinked.added) out.push({ kind: 'lookup-added', column: l.column, lookup: lookupView(l) });
  for (const [b, h] of [...relinked.pairs, ...lookups.common]) {
    if (b.column !== h.column)
      out.push({ kind: 'retargeted', before: b.column, after: h.column, source: lookupSource(h) });
    const settings = settingChanges(lookupSettings(lookupView(b)), lookupSettings(lookupView(h)));
    if (settings.length > 0)
      out.push({
        kind: 'lookup-changed',
        column: h.column,
        before: lookupView(b),
        after: lookupView(h),
        settings,
      });
  }
  if (base.state && head.state) {
    const change = valueMapChange(
      { side: sides.base, id: base.state.map, table: base.target, use: { kind: 'state' } },
      { side: sides.head, id: head.state.map, table: head.target, use: { kind: 'state' } },
    );
    if (change) out.push(change);
  }
  // Key and mapping settings first, then by column: the order of lines in the YAML means nothing.
  return out
    .map((change, i) => ({ change, i }))
    .sort((x, y) => byText(columnOf(x.change), columnOf(y.change)) || x.i - y.i)
    .map((x) => x.change);
}

/** Everything a mapping writes, as added (new mapping) or removed (dropped mapping) lines. */
function allOf(m: IrMapping, kind: 'added' | 'removed'): ObjectChange[] {
  const fields: ObjectChange[] = m.fields.map((f) => ({
    kind: kind === 'added' ? 'field-added' : 'field-removed',
    column: f.column,
    source: sourceText(f.source),
    steps: f.steps.map((s) => stepText(s, false)),
  }));
  const lookups: ObjectChange[] = m.lookups.map((l) => ({
    kind: kind === 'added' ? 'lookup-added' : 'lookup-removed',
    column: l.column,
    lookup: lookupView(l),
  }));
  return [...fields, ...lookups].sort((a, b) => byText(columnOf(a), columnOf(b)));
}

/** The changes of one mapping (by name) between the sides; undefined when it is unchanged. */
export function diffMapping(
  base: IrMapping | undefined,
  head: IrMapping | undefined,
  sides: Sides,
): MappingChange | undefined {
  const name = (head ?? base)?.name;
  if (name === undefined) return undefined;
  if (!base || !head)
    return {
      mapping: name,
      before: base ? header(base) : undefined,
      after: head ? header(head) : undefined,
      changes: head ? allOf(head, 'added') : allOf(base!, 'removed'),
    };
  const changes = changedMapping(base, head, sides);
  return changes.length === 0
    ? undefined
    : { mapping: name, before: header(base), after: header(head), changes };
}
