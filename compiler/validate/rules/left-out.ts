import { isUsed, pathRefs, resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';
import { unknownResource } from './references.ts';

/** FS144: what is left out (`what`: a resource, or resource.field) is read by `readers`. */
const stillRead = (file: string, pointer: string, what: string, readers: readonly string[]) =>
  finding(
    'FS144',
    'error',
    file,
    pointer,
    `${what} is left out of the migration, yet ${readers.join(' and ')} read${readers.length === 1 ? 's' : ''} it`,
    'remove it from left_out, or stop reading it where the message says',
  );

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
      out.push(unknownResource(ctx.source, l.file, `${l.pointer}/resource`, l.resource));
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
      if (reading.length > 0) out.push(stillRead(l.file, `${l.pointer}/resource`, l.resource, reading));
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
      if (reading.length > 0) out.push(stillRead(l.file, pointer, `${l.resource}.${path}`, reading));
    });
  }
  return out;
};
