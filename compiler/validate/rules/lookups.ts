import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { pathType } from '../chain.ts';
import { columnOf, tableOf } from '../context.ts';
import { loadOrder, updatedBase } from '../graph.ts';
import { finding, type Rule } from '../rule.ts';

/** FS110 lookup to a mapping that loads nothing, FS122 column/target mismatch, FS129 malformed lookup. */
export const lookups: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    const resource = o.source ? ctx.source?.resources.get(o.source) : undefined;
    o.fields.forEach((f) => {
      const at = f.pointer;
      const column = o.target ? columnOf(ctx, o.target, f.to)?.column : undefined;
      if (f.connectionRole !== undefined) {
        if (column && !column.targets.has('connectionrole'))
          out.push(
            finding(
              'FS122',
              'error',
              o.file,
              `${at}/to`,
              `${o.target}.${f.to} is not a connection role lookup`,
              'connection_role applies to record1roleid and record2roleid of connection',
            ),
          );
        return;
      }
      const l = f.lookup;
      if (!l) {
        if (column && ['lookup', 'customer', 'owner'].includes(column.type) && f.from.length > 0) {
          out.push(
            finding(
              'FS108',
              'error',
              o.file,
              at,
              `${o.target}.${f.to} is a lookup: write it with lookup: { object: <mapping> }`,
              'name the mapping that loads the referenced rows',
            ),
          );
        }
        return;
      }
      if (f.transform.length > 0)
        out.push(
          finding(
            'FS129',
            'error',
            o.file,
            `${at}/transform`,
            'a lookup takes no transform: the source id is matched as it is',
            'remove transform',
            'key',
          ),
        );
      if (l.objects.length !== Math.max(1, f.from.length)) {
        out.push(
          finding(
            'FS129',
            'error',
            o.file,
            `${at}/lookup/object`,
            `${f.from.length} source fields but ${l.objects.length} lookup objects`,
            'give one object per source field, in the same order',
          ),
        );
      }
      l.objects.forEach((name, j) => {
        const pointer = l.objects.length > 1 ? `${at}/lookup/object/${j}` : `${at}/lookup/object`;
        const target = ctx.objectsByName.get(name);
        if (!target) {
          out.push(
            finding(
              'FS110',
              'error',
              o.file,
              pointer,
              `lookup to '${name}', but no mapping of that name loads rows.${didYouMean(name, ctx.objectsByName.keys())}`,
              `mappings: ${[...ctx.objectsByName.keys()].join(', ')}`,
            ),
          );
          return;
        }
        if (target.extends || target.mode === 'update') {
          out.push(
            finding(
              'FS110',
              'error',
              o.file,
              pointer,
              `lookup to '${name}', which creates no rows of its own (it ${target.extends ? `extends '${target.extends}'` : 'only updates rows'})`,
              `look up the mapping that creates the rows${updatedBase(ctx, target) ? `: '${updatedBase(ctx, target)!.name}'` : ''}`,
            ),
          );
          return;
        }
        if (!target.target || !tableOf(ctx, target.target)) return; // FS103 reports the unknown table
        if (column && !['lookup', 'customer', 'owner'].includes(column.type)) {
          out.push(
            finding(
              'FS122',
              'error',
              o.file,
              `${at}/to`,
              `${o.target}.${f.to} is a ${column.type} column, not a lookup`,
              'write lookups to lookup columns',
            ),
          );
        } else if (column && !column.targets.has(target.target)) {
          out.push(
            finding(
              'FS122',
              'error',
              o.file,
              pointer,
              `${o.target}.${f.to} cannot point to ${target.target} (mapping '${name}'); it points to ${[...column.targets.keys()].join(', ') || 'nothing'}`,
              'look up a mapping whose target the column accepts',
            ),
          );
        }
      });
      if (f.from.length === 1 && resource) {
        const typed = pathType(resource, f.from[0]!, o.each?.path).type;
        if (typed.kind === 'list') {
          const items = typed.items;
          if (items.kind === 'record' && !l.element)
            out.push(
              finding(
                'FS129',
                'error',
                o.file,
                `${at}/lookup`,
                `'${f.from[0]}' is a list of objects: say which element field holds the id`,
                'add element: <field>',
                'key',
              ),
            );
          if (!l.pick)
            out.push(
              finding(
                'FS129',
                'error',
                o.file,
                `${at}/lookup`,
                `'${f.from[0]}' is a list: say which element to use`,
                'add pick: most_recent (with order_by) or pick: first',
                'key',
              ),
            );
          if (l.pick === 'most_recent' && !l.orderBy)
            out.push(
              finding(
                'FS129',
                'error',
                o.file,
                `${at}/lookup`,
                'pick: most_recent needs order_by: the element field to order by',
                'add order_by: updated_at',
                'key',
              ),
            );
        } else if (typed.kind !== 'any') {
          if (l.element || l.pick || l.orderBy)
            out.push(
              finding(
                'FS129',
                'error',
                o.file,
                `${at}/lookup`,
                `'${f.from[0]}' is a single value; element, pick and order_by apply to lists`,
                'remove them',
                'key',
              ),
            );
          if (!['string', 'integer'].includes(typed.kind))
            out.push(
              finding(
                'FS108',
                'error',
                o.file,
                `${at}/from`,
                `a lookup reads an id, but '${f.from[0]}' is ${typed.kind}`,
                'map the field holding the referenced record id',
              ),
            );
        }
      }
    });
  }
  return out;
};

/** FS113 lookup cycles that cannot be broken by deferring a nullable lookup. */
export const cycles: Rule = (ctx) =>
  loadOrder(ctx).cycles.map((cycle) => {
    const first = cycle[0];
    const path = cycle.map((d) => `${d.from} → ${d.to} (${d.reason})`).join(', ');
    return finding(
      'FS113',
      'error',
      first?.file ?? ctx.objects[0]?.file ?? '',
      first?.pointer ?? '',
      `load order cycle that cannot be broken: ${path}`,
      cycle.some((d) => d.deferrable || d.reason === 'lookup')
        ? 'make one of these lookups optional (required: false) so it can be bound in a second pass'
        : 'a mapping cannot load before the mappings it waits for (not_matched_by, update, owner): remove one of these links',
    );
  });

/** FS131 owner, state and document settings that do not fit the target or the migration. */
export const ownerStateDocument: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    const table = o.target ? tableOf(ctx, o.target) : undefined;
    if (o.owner) {
      if (o.owner.staff && !ctx.migration?.staff)
        out.push(
          finding(
            'FS131',
            'error',
            o.file,
            '/owner/staff',
            'owner by staff id needs owners.staff in migration.yaml (which resource and field hold staff emails)',
            'add owners: { fallback: <email>, staff: { resource: practitioners, email: email } }',
          ),
        );
      if (ctx.migration && !ctx.migration.fallbackOwner)
        out.push(
          finding(
            'FS131',
            'error',
            o.file,
            '/owner',
            'owner resolution needs owners.fallback in migration.yaml',
            'add owners: { fallback: <email of an enabled Dynamics user> }',
            'key',
          ),
        );
      if (table && table.ownership !== 'user')
        out.push(
          finding(
            'FS131',
            'error',
            o.file,
            '/owner',
            `${table.name} rows have no owner (${table.ownership}-owned)`,
            'remove owner',
            'key',
          ),
        );
    }
    if (o.state) {
      const map = ctx.valueMaps.get(o.state.map);
      if (!map)
        out.push(
          finding(
            'FS119',
            'error',
            o.file,
            '/state/map',
            `no value map named '${o.state.map}'.${didYouMean(o.state.map, ctx.valueMaps.keys())}`,
            `create spec/valuemaps/${o.state.map}.yaml with kind: state`,
          ),
        );
      else if (map.kind !== 'state')
        out.push(
          finding(
            'FS119',
            'error',
            o.file,
            '/state/map',
            `value map '${o.state.map}' is a choice map; state needs kind: state`,
            'use a state map: entries of { state, status }',
          ),
        );
      if (table && !table.columns.has('statecode'))
        out.push(
          finding(
            'FS131',
            'error',
            o.file,
            '/state',
            `${table.name} has no statecode`,
            'remove state',
            'key',
          ),
        );
    }
    if (o.document && o.target !== 'annotation') {
      out.push(
        finding(
          'FS131',
          'error',
          o.file,
          '/document',
          `documents are attached to notes: the target must be annotation, not ${o.target}`,
          'map documents to annotation with objectid pointing to the record',
          'key',
        ),
      );
    }
    if (o.archive && !o.group)
      out.push(
        finding(
          'FS131',
          'error',
          o.file,
          '/archive',
          'archive writes a group of records; it needs group',
          'add group: { by, pick, order_by }',
          'key',
        ),
      );
    if (o.archive && !ctx.migration?.archive)
      out.push(
        finding(
          'FS131',
          'error',
          o.file,
          '/archive',
          'archive needs archive: { dir, base_url } in migration.yaml',
          'add the archive block to migration.yaml',
          'key',
        ),
      );
    if (o.document && !ctx.migration?.archive)
      out.push(
        finding(
          'FS131',
          'error',
          o.file,
          '/document',
          'documents over the attachment limit are archived: add archive: { dir, base_url } to migration.yaml',
          'add the archive block to migration.yaml',
          'key',
        ),
      );
  }
  return out;
};
