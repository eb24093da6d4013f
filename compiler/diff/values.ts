import type { IrMapTarget, IrValueMap } from '../ir/types.ts';
import { settingChanges } from './compare.ts';
import type { DiffSide } from './side.ts';
import type { EntryChange, MapUse, MapValue, ObjectChange } from './types.ts';
import { mapName, mapValueText } from './words.ts';

/** A value-map target with the label of its option(s) on that side's column. */
export function mapValue(side: DiffSide, table: string, use: MapUse, target: IrMapTarget): MapValue {
  if (target === null || typeof target === 'string') return { value: target, label: undefined };
  if (typeof target === 'number') {
    const column = use.kind === 'column' ? use.column : 'statecode';
    return { value: target, label: side.labels.get(`${table}.${column}`)?.get(target) };
  }
  const state = side.labels.get(`${table}.statecode`)?.get(target.state);
  const status = side.labels.get(`${table}.statuscode`)?.get(target.status);
  return {
    value: { state: target.state, status: target.status },
    label: state !== undefined && status !== undefined ? `${state} / ${status}` : undefined,
  };
}

const findMap = (side: DiffSide, id: string): IrValueMap | undefined =>
  side.ir.valueMaps.find((m) => m.name === id);

/** One use of a value map on each side: which map, on which table and column. */
export interface MapRef {
  readonly side: DiffSide;
  readonly id: string;
  readonly table: string;
  readonly use: MapUse;
}

/**
 * How the values a map produces changed between two uses: entries keyed by source value (their order
 * means nothing), the default, the unmapped policy and case sensitivity. Undefined when nothing changed.
 */
export function valueMapChange(base: MapRef, head: MapRef): ObjectChange | undefined {
  const b = findMap(base.side, base.id);
  const h = findMap(head.side, head.id);
  if (!b || !h) return undefined;
  const value = (ref: MapRef, target: IrMapTarget | undefined) =>
    target === undefined ? undefined : mapValue(ref.side, ref.table, ref.use, target);
  const before = new Map(b.entries.map((e) => [e.source, e.target]));
  const after = new Map(h.entries.map((e) => [e.source, e.target]));
  const sources = [...new Set([...before.keys(), ...after.keys()])].sort();
  const entries: EntryChange[] = sources
    .filter((s) => JSON.stringify(before.get(s)) !== JSON.stringify(after.get(s)))
    .map((source) => ({
      source,
      before: value(base, before.get(source)),
      after: value(head, after.get(source)),
    }));
  // Defaults compare by value; labels are only how they are shown.
  const defaults =
    JSON.stringify(b.default) === JSON.stringify(h.default)
      ? []
      : [
          {
            name: 'default',
            before: b.default === undefined ? undefined : mapValueText(value(base, b.default)),
            after: h.default === undefined ? undefined : mapValueText(value(head, h.default)),
          },
        ];
  const settings = [
    ...defaults,
    ...settingChanges(
      { unmapped: b.unmapped, 'case sensitive': String(b.caseSensitive) },
      { unmapped: h.unmapped, 'case sensitive': String(h.caseSensitive) },
    ),
  ];
  if (entries.length === 0 && settings.length === 0) return undefined;
  return {
    kind: 'value-map',
    use: head.use,
    before: mapName(base.id),
    after: mapName(head.id),
    entries,
    settings,
    unmatched: {
      default: h.default === undefined ? undefined : mapValueText(value(head, h.default)),
      unmapped: h.unmapped,
    },
  };
}
