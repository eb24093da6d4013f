import { didYouMean } from '../../diagnostics/suggest.ts';
import { isUsed, pathRefs, resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';

const HINT = 'remove it from left_out, or stop reading it where the message says';

/**
 * `left_out` in migration.yaml: FS101 an unknown resource, FS102 an unknown field, FS144 a resource or
 * field left out on purpose that a mapping (or owners.staff) still reads.
 */
export const leftOut: Rule = (ctx) => {
  const out = [];
  const migration = ctx.migration;
  if (!migration || !ctx.source) return [];
  for (const l of migration.leftOut) {
    const resource = ctx.source.resources.get(l.resource);
    if (!resource) {
      out.push(
        finding(
          'FS101',
          'error',
          l.file,
          `${l.pointer}/resource`,
          `unknown source resource '${l.resource}'.${didYouMean(l.resource, ctx.source.resources.keys())}`,
          `resources in the source model: ${[...ctx.source.resources.keys()].join(', ')}`,
        ),
      );
      continue;
    }
    // Who reads what of the resource: each mapping's paths, and the staff directory's email.
    const readers = ctx.objects
      .filter((o) => o.source === l.resource)
      .map((o) => ({
        name: `mapping ${o.name} (${o.file})`,
        paths: pathRefs(o).map((r) => (r.scope === 'element' ? `${r.base}.${r.path}` : r.path)),
      }));
    if (migration.staff?.resource === l.resource)
      readers.push({ name: 'owners.staff', paths: [migration.staff.email] });
    if (l.fields === undefined) {
      const reading = readers.filter((r) => r.paths.length > 0).map((r) => r.name);
      if (reading.length > 0)
        out.push(
          finding(
            'FS144',
            'error',
            l.file,
            `${l.pointer}/resource`,
            `${l.resource} is left out of the migration, yet ${reading.join(' and ')} read${reading.length === 1 ? 's' : ''} it`,
            HINT,
          ),
        );
      continue;
    }
    l.fields.forEach((path, i) => {
      const pointer = `${l.pointer}/fields/${i}`;
      const resolved = resolvePath(resource, path, undefined);
      if ('error' in resolved) {
        out.push(finding('FS102', 'error', l.file, pointer, resolved.error, resolved.hint));
        return;
      }
      const reading = readers.filter((r) => isUsed(path, r.paths)).map((r) => r.name);
      if (reading.length > 0)
        out.push(
          finding(
            'FS144',
            'error',
            l.file,
            pointer,
            `${l.resource}.${path} is left out of the migration, yet ${reading.join(' and ')} read${reading.length === 1 ? 's' : ''} it`,
            HINT,
          ),
        );
    });
  }
  return out;
};
