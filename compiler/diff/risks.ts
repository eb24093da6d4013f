import type { MappingChange, RiskNote, SchemaDiff } from './types.ts';

/** Entries a value-map risk note names; the table below the mapping lists them all. */
const RETARGETED_SHOWN = 3;

function mappingRisks(m: MappingChange): RiskNote[] {
  if (!m.after)
    return m.before ? [{ kind: 'mapping-removed', mapping: m.mapping, table: m.before.target }] : [];
  if (!m.before) return [];
  const table = m.after.target;
  return m.changes.flatMap((c): RiskNote[] => {
    switch (c.kind) {
      case 'key':
        return [
          {
            kind: 'key-changed',
            mapping: m.mapping,
            table,
            mode: m.after!.mode,
            before: c.before,
            after: c.after,
          },
        ];
      case 'retargeted':
        return [{ kind: 'field-retargeted', mapping: m.mapping, table, before: c.before, after: c.after }];
      case 'setting':
        // Conditions set or changed on an upsert may leave out records whose rows are loaded already.
        return c.setting.name === 'where' && c.setting.after !== undefined && m.after!.mode === 'upsert'
          ? [
              {
                kind: 'where-changed',
                mapping: m.mapping,
                table,
                before: c.setting.before,
                after: c.setting.after,
              },
            ]
          : [];
      case 'value-map': {
        const note = { mapping: m.mapping, table, map: c.after, use: c.use };
        // Only entries both sides have: their source values gave one value to the rows loaded so far.
        const retargeted = c.entries.filter((e) => e.before !== undefined && e.after !== undefined);
        // Entries the head drops: their values now get the default or the unmapped policy.
        const removed = c.entries.filter((e) => e.before !== undefined && e.after === undefined);
        const before = c.settings.find((s) => s.name === 'default')?.before;
        return [
          ...(retargeted.length
            ? [
                {
                  kind: 'value-map-retargeted' as const,
                  ...note,
                  count: retargeted.length,
                  entries: retargeted.slice(0, RETARGETED_SHOWN),
                },
              ]
            : []),
          ...(removed.length
            ? [
                {
                  kind: 'value-map-entries-removed' as const,
                  ...note,
                  count: removed.length,
                  entries: removed.slice(0, RETARGETED_SHOWN),
                  unmatched: c.unmatched,
                },
              ]
            : []),
          // A default set where there was none changes no loaded row: it loads records that had none.
          ...(before !== undefined
            ? [{ kind: 'value-map-default-changed' as const, ...note, before, unmatched: c.unmatched }]
            : []),
        ];
      }
      case 'lookup-changed':
        return c.before.required && !c.after.required
          ? [{ kind: 'lookup-optional', mapping: m.mapping, column: c.column }]
          : [];
      default:
        return [];
    }
  });
}

type Setting = { readonly before: string | undefined; readonly after: string | undefined } | undefined;

/** The bounds of a number column's range that a change sets or moves inwards (min up, max down). */
function narrowedBounds(min: Setting, max: Setting) {
  const inwards = (bound: 'min' | 'max', s: Setting) => {
    if (s?.after === undefined) return [];
    const before = s.before === undefined ? undefined : Number(s.before);
    const after = Number(s.after);
    const narrower = before === undefined || (bound === 'min' ? after > before : after < before);
    return narrower ? [{ bound, before, after }] : [];
  };
  return [...inwards('min', min), ...inwards('max', max)];
}

function schemaRisks(schema: SchemaDiff): RiskNote[] {
  const out: RiskNote[] = [];
  for (const t of schema.tables) {
    // Only columns both sides declare: a column that exists already may hold loaded data.
    for (const c of t.columns.filter((x) => x.status === 'changed')) {
      const setting = (name: string) => c.settings.find((s) => s.name === name);
      const type = setting('type');
      if (type)
        out.push({
          kind: 'column-type-changed',
          table: t.table,
          column: c.column,
          before: type.before ?? '',
          after: type.after ?? '',
        });
      const length = setting('max_length');
      if (!type && length?.before !== undefined && length.after !== undefined) {
        const before = Number(length.before);
        const after = Number(length.after);
        if (after < before)
          out.push({ kind: 'column-narrowed', table: t.table, column: c.column, before, after });
      }
      const behavior = setting('behavior');
      if (!type && behavior?.before !== undefined && behavior.after !== undefined)
        out.push({
          kind: 'behavior-changed',
          table: t.table,
          column: c.column,
          before: behavior.before,
          after: behavior.after,
        });
      const bounds = narrowedBounds(setting('min'), setting('max'));
      if (!type && bounds.length > 0)
        out.push({ kind: 'range-narrowed', table: t.table, column: c.column, bounds });
      const removed = c.options.filter((o) => o.before && !o.after);
      if (removed.length)
        out.push({ kind: 'options-removed', table: t.table, column: c.column, options: removed });
      const renumbered = c.options.filter((o) => o.before && o.after && o.before.value !== o.after.value);
      if (renumbered.length)
        out.push({ kind: 'options-renumbered', table: t.table, column: c.column, options: renumbered });
    }
  }
  for (const f of schema.flags) {
    if (f.after?.blocking && !f.before?.blocking)
      out.push({
        kind: 'flag-blocking',
        flag: f.flag,
        table: f.table,
        count: f.after.count,
        limit: f.after.limit,
      });
  }
  return out;
}

/**
 * Risk notes: the changes that affect data already loaded (or stop the next load), mappings first in
 * diff order, then the schema plan's.
 */
export function riskNotes(mappings: readonly MappingChange[], schema: SchemaDiff): RiskNote[] {
  const renamed = renames(mappings);
  const notes = mappings.flatMap((m): RiskNote[] => {
    if (m.before && !m.after && renamed.has(m.mapping)) {
      const to = renamed.get(m.mapping)!;
      return [
        { kind: 'mapping-renamed', before: m.mapping, after: to, table: m.before.target, key: m.before.key },
      ];
    }
    return mappingRisks(m);
  });
  return [...notes, ...schemaRisks(schema)];
}

/**
 * Removed mappings that an added one replaces: the same source, table, mode and key, so the added one's
 * rows are the removed one's (found by their key). Removed name → added name; each added one once.
 */
function renames(mappings: readonly MappingChange[]): Map<string, string> {
  const out = new Map<string, string>();
  const added = mappings.filter((m) => m.after && !m.before);
  for (const m of mappings) {
    if (!m.before || m.after) continue;
    const before = m.before;
    const same = added.find(
      (a) =>
        ![...out.values()].includes(a.mapping) &&
        a.after!.source === before.source &&
        a.after!.target === before.target &&
        a.after!.mode === before.mode &&
        a.after!.key === before.key,
    );
    if (same) out.set(m.mapping, same.mapping);
  }
  return out;
}
