import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { LeftOut, SourceResource } from '../../model/spec.ts';
import type { SpecContext } from '../context.ts';
import { type Place, type Resolved, readersOf, reads, resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';
import { unknownResource } from './references.ts';

/** FS144: what is left out (`what`: a resource, or resource.field) is read by `readers`, at `at`. */
const stillRead = (
  ctx: SpecContext,
  file: string,
  pointer: string,
  what: string,
  readers: readonly { readonly name: string; readonly verb?: string; readonly at: Place }[],
) =>
  finding(
    'FS144',
    'error',
    file,
    pointer,
    `${what} is left out of the migration, yet ${readers.map((r) => `${r.name} ${r.verb ?? 'reads it'} (${ctx.place(r.at.file, r.at.pointer)})`).join(', and ')}`,
    'remove it from left_out, or stop reading it where the message says',
  );

/** FS145: an entry or path of left_out that leaves out nothing more than another already does. */
const redundant = (file: string, pointer: string, message: string) =>
  finding(
    'FS145',
    'warning',
    file,
    pointer,
    message,
    'delete this one: it leaves out nothing more, and two entries can drift apart',
  );

/**
 * FS145 findings of the entries of one resource, in file order: a second whole-resource entry, paths
 * of a resource left out as a whole, a path listed twice, and a path inside another listed path
 * (`custom_properties.x` with `custom_properties`).
 */
function redundancies(
  entries: readonly LeftOut[],
  place: (file: string, pointer: string) => string,
): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const where = (e: LeftOut) => place(e.file, e.pointer);
  const whole = entries.find((e) => e.fields === undefined);
  const paths = entries.flatMap((e) => (e.fields ?? []).map((path, i) => ({ e, path, i })));
  for (const e of entries) {
    if (whole === undefined || e === whole) continue;
    const what = (e.fields ?? [e.resource]).map((f) => (e.fields ? `${e.resource}.${f}` : f));
    const verb = what.length > 1 ? 'are' : 'is';
    out.push(
      redundant(
        e.file,
        `${e.pointer}/resource`,
        `${what.join(', ')} ${verb} already left out with the whole resource (${where(whole)})`,
      ),
    );
  }
  if (whole !== undefined) return out;
  paths.forEach(({ e, path, i }, k) => {
    const cover = paths.find((q, j) => (q.path === path && j < k) || path.startsWith(`${q.path}.`));
    if (cover)
      out.push(
        redundant(
          e.file,
          e.fieldPointers[i]!,
          `${e.resource}.${path} is already left out by ${e.resource}.${cover.path} (${place(cover.e.file, cover.e.fieldPointers[cover.i]!)})`,
        ),
      );
  });
  return out;
}

/** A left-out path: a field (`a.b` inside objects) or a field of a list's elements (`list.field`). */
function resolveLeftOut(resource: SourceResource, path: string): Resolved {
  const direct = resolvePath(resource, path, undefined);
  if (!('error' in direct)) return direct;
  const segments = path.split('.');
  for (let i = 1; i < segments.length; i += 1) {
    const base = segments.slice(0, i).join('.');
    const list = resolvePath(resource, base, undefined);
    if (!('error' in list) && list.field.type === 'array')
      return resolvePath(resource, `item.${segments.slice(i).join('.')}`, base);
  }
  return direct;
}

/**
 * `left_out` in migration.yaml: FS101 an unknown resource, FS102 an unknown field, FS144 a resource or
 * field left out on purpose that a mapping (or owners.staff) still reads, FS145 an entry or path that
 * another already covers.
 */
export const leftOut: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  if (!ctx.migration || !ctx.source) return [];
  const resources = new Set(ctx.migration.leftOut.map((l) => l.resource));
  for (const name of resources)
    out.push(
      ...redundancies(
        ctx.migration.leftOut.filter((l) => l.resource === name),
        ctx.place,
      ),
    );
  for (const l of ctx.migration.leftOut) {
    const resource = ctx.source.resources.get(l.resource);
    if (!resource) {
      out.push(unknownResource(ctx.source, l.file, `${l.pointer}/resource`, l.resource));
      continue;
    }
    const readers = readersOf(ctx, l.resource);
    if (l.fields === undefined) {
      const reading = readers.flatMap((r) => (r.reads.length > 0 ? [{ ...r, at: r.reads[0]!.at }] : []));
      if (reading.length > 0) out.push(stillRead(ctx, l.file, `${l.pointer}/resource`, l.resource, reading));
      continue;
    }
    l.fields.forEach((path, i) => {
      const pointer = l.fieldPointers[i]!;
      const resolved = resolveLeftOut(resource, path);
      if ('error' in resolved) {
        out.push(finding('FS102', 'error', l.file, pointer, resolved.error, resolved.hint));
        return;
      }
      const reading = readers.flatMap((r) => {
        const read = r.reads.find((x) => reads(x, path));
        return read ? [{ ...r, at: read.at }] : [];
      });
      if (reading.length > 0) out.push(stillRead(ctx, l.file, pointer, `${l.resource}.${path}`, reading));
    });
  }
  return out;
};
