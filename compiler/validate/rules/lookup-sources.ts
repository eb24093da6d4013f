import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { ObjectSpec } from '../../model/spec.ts';
import { resolveElementField, resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';

/** Mappings that create one row per record of `resource`, the ones a lookup by its ids can find. */
function loadersOf(objects: readonly ObjectSpec[], resource: string): string[] {
  // Extensions and updates create no rows (FS110); `each` mappings key rows by elements, not records.
  return objects
    .filter((o) => o.source === resource && !o.extends && o.mode !== 'update' && !o.each)
    .map((o) => o.name);
}

/**
 * FS143: a lookup whose source field holds ids of one resource (`references` in the source model)
 * while the looked-up mapping loads another: the ids would bind to unrelated rows with the same id.
 */
export const lookupSources: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    const resource = o.source ? ctx.source?.resources.get(o.source) : undefined;
    if (!resource) continue;
    o.fields.forEach((f) => {
      const l = f.lookup;
      // A count mismatch is FS129's; pairs of field and object only exist when the counts agree.
      if (!l || f.from.length === 0 || l.objects.length !== f.from.length) return;
      f.from.forEach((path, j) => {
        const field =
          l.element && f.from.length === 1
            ? resolveElementField(resource, path, l.element, o.each?.path)
            : resolvePath(resource, path, o.each?.path);
        if ('error' in field || !field.field.references) return; // FS102 reports unknown fields
        const referenced = field.field.references;
        const name = l.objects[j]!;
        const target = ctx.objectsByName.get(name);
        // Unknown resources (FS101), extensions and updates (FS110) are reported by their own rules.
        if (
          !target?.source ||
          target.source === referenced ||
          !ctx.source?.resources.has(target.source) ||
          target.extends ||
          target.mode === 'update'
        )
          return;
        const shown = l.element && f.from.length === 1 ? `${path}[].${l.element}` : path;
        const loaders = loadersOf(ctx.objects, referenced);
        out.push(
          finding(
            'FS143',
            'error',
            o.file,
            l.objects.length > 1 ? `${f.pointer}/lookup/object/${j}` : `${f.pointer}/lookup/object`,
            `'${shown}' holds ids of ${referenced} (its references in the source model), but mapping '${name}' loads ${target.source}: each id would be bound to the ${target.target ?? name} row of the ${target.source} record that has the same id`,
            loaders.length > 0
              ? `look up ${loaders.map((n) => `'${n}'`).join(' or ')}, the mapping that loads ${referenced}`
              : `no mapping loads ${referenced}: add one and look it up, or read a field that references ${target.source}`,
          ),
        );
      });
    });
  }
  return out;
};
