import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import type { ObjectSpec, SourceField, SourceResource } from '../../model/spec.ts';
import { parseTemplate, type TemplatePart } from '../../transforms/template.ts';
import { sourceType, type ValueType } from '../../types/value-type.ts';
import { columnOf, tableOf } from '../context.ts';
import { pathRefs, resolveElementField, resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';

/** FS101: a resource the source model does not have, with the closest name and the list of those it has. */
export function unknownResource(
  source: { readonly resources: ReadonlyMap<string, unknown> },
  file: string,
  pointer: string,
  name: string,
  hint = `resources in the source model: ${[...source.resources.keys()].join(', ')}`,
) {
  return finding(
    'FS101',
    'error',
    file,
    pointer,
    `unknown source resource '${name}'.${didYouMean(name, source.resources.keys())}`,
    hint,
  );
}

/**
 * The message and hint for a template placeholder naming an object or a list of objects, which has no
 * text form and would print as nothing; undefined for one that prints.
 */
function objectPart(path: string, field: SourceField): [string, string] | undefined {
  const type = sourceType(field);
  const holds = (t: ValueType): boolean => t.kind === 'record' || (t.kind === 'list' && holds(t.items));
  if (!holds(type)) return undefined;
  const what = field.type === 'object' ? 'a nested object' : 'a list of nested objects';
  const message = `template placeholder {${path}} is ${what}, which has no text form: it would print as nothing`;
  const first = field.fields?.keys().next().value;
  return [
    message,
    field.type === 'object'
      ? `name one of its fields, e.g. {${path}.${first ?? '<field>'}}`
      : `print its elements from a mapping with each: { path: ${path} } ({item.<field>}), or pick one with a lookup's pick:`,
  ];
}

/** FS121 for each placeholder of a template that names an object or a list of objects. */
function objectParts(
  resource: SourceResource,
  o: ObjectSpec,
  parts: readonly TemplatePart[],
  pointer: string,
): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  for (const part of parts) {
    if (part.kind !== 'field') continue;
    const resolved = resolvePath(resource, part.path, o.each?.path);
    if ('error' in resolved) continue; // FS102
    const problem = objectPart(part.path, resolved.field);
    if (problem) out.push({ ...finding('FS121', 'error', o.file, pointer, ...problem), within: part.offset });
  }
  return out;
}

/** FS101 unknown source resource, FS102 unknown source field, FS121 bad template. */
export const sourceReferences: Rule = (ctx) => {
  const out = [];
  if (!ctx.source) return [];
  for (const o of ctx.objects) {
    if (!o.source) continue;
    const resource = ctx.source.resources.get(o.source);
    if (!resource) {
      out.push(unknownResource(ctx.source, o.file, '/source', o.source));
      continue;
    }
    for (const ref of pathRefs(o)) {
      const resolved =
        ref.scope === 'element'
          ? resolveElementField(resource, ref.base!, ref.path, o.each?.path)
          : resolvePath(resource, ref.path, o.each?.path);
      if ('error' in resolved)
        out.push({
          ...finding('FS102', 'error', o.file, ref.pointer, resolved.error, resolved.hint),
          within: ref.within,
        });
    }
    o.fields.forEach((f) => {
      if (f.template === undefined) return;
      const parsed = parseTemplate(f.template);
      if (!parsed.ok) {
        out.push({
          ...finding(
            'FS121',
            'error',
            o.file,
            `${f.pointer}/template`,
            `template error at character ${parsed.offset + 1}: ${parsed.reason}`,
            'placeholders are {field.path}; write {{ and }} for literal braces',
          ),
          within: parsed.offset,
        });
        return;
      }
      out.push(...objectParts(resource, o, parsed.parts, `${f.pointer}/template`));
    });
    if (o.archive) {
      const parsed = parseTemplate(o.archive.name);
      if (!parsed.ok)
        out.push({
          ...finding(
            'FS121',
            'error',
            o.file,
            '/archive/name',
            `template error at character ${parsed.offset + 1}: ${parsed.reason}`,
            'placeholders are {field.path}',
          ),
          within: parsed.offset,
        });
      else out.push(...objectParts(resource, o, parsed.parts, '/archive/name'));
    }
  }
  const staff = ctx.migration?.staff;
  if (staff && ctx.migration) {
    const resource = ctx.source.resources.get(staff.resource);
    if (!resource) {
      out.push(
        unknownResource(
          ctx.source,
          ctx.migration.file,
          '/owners/staff/resource',
          staff.resource,
          'owners.staff.resource names the resource holding staff emails',
        ),
      );
    } else if (!resource.fields.has(staff.email)) {
      out.push(
        finding(
          'FS102',
          'error',
          ctx.migration.file,
          '/owners/staff/email',
          `unknown source field '${staff.email}' of ${staff.resource}.${didYouMean(staff.email, resource.fields.keys())}`,
          'owners.staff.email names the staff email field',
        ),
      );
    }
  }
  return out;
};

/** FS103 unknown target table, FS104 unknown target column, FS130 bad extends. */
export const targetReferences: Rule = (ctx) => {
  const out = [];
  const tables = [...(ctx.target?.tables.keys() ?? []), ...ctx.customTables.keys()];
  for (const o of ctx.objects) {
    if (o.extends) {
      const base = ctx.objectsByName.get(o.extends);
      if (!base) {
        out.push(
          finding(
            'FS130',
            'error',
            o.file,
            '/extends',
            `'${o.extends}' is not a mapping.${didYouMean(o.extends, ctx.objectsByName.keys())}`,
            'extends names the mapping (file name under objects/) whose rows this file adds fields to',
          ),
        );
      } else if (base.extends) {
        out.push(
          finding(
            'FS130',
            'error',
            o.file,
            '/extends',
            `'${o.extends}' itself extends '${base.extends}'`,
            `extend '${base.extends}' directly`,
          ),
        );
      } else if (
        // A missing source or target has its own error (FS011); comparing it would only add noise.
        [o.source, o.target, base.source, base.target].every((v) => v !== undefined) &&
        (base.source !== o.source || base.target !== o.target)
      ) {
        out.push(
          finding(
            'FS130',
            'error',
            o.file,
            '/extends',
            `'${o.name}' reads ${o.source} into ${o.target}, but '${o.extends}' reads ${base.source} into ${base.target}`,
            'an extension must have the same source and target as the mapping it extends',
          ),
        );
      }
      for (const own of [
        'key',
        'match',
        'each',
        'group',
        'owner',
        'state',
        'document',
        'archive',
        'custom_table',
      ] as const) {
        const value = own === 'custom_table' ? o.customTable : o[own];
        if (value)
          out.push(
            finding(
              'FS130',
              'error',
              o.file,
              `/${own}`,
              `an extension cannot have its own ${own}`,
              `move ${own} to '${o.extends}', or remove extends`,
              'key',
            ),
          );
      }
      if (o.where.length > 0)
        out.push(
          finding(
            'FS130',
            'error',
            o.file,
            '/where',
            'an extension cannot have its own where',
            `move where to '${o.extends}'`,
            'key',
          ),
        );
    }
    if (!o.target || !ctx.target) continue;
    const table = tableOf(ctx, o.target);
    if (!table) {
      const prefix = ctx.migration?.prefix;
      const custom = prefix && o.target.startsWith(`${prefix}_`);
      out.push(
        finding(
          'FS103',
          'error',
          o.file,
          '/target',
          `unknown target table '${o.target}'.${didYouMean(o.target, tables)}`,
          custom
            ? 'declare the custom table with custom_table: { label, plural_label, primary_name }'
            : `tables in the target snapshot: ${[...(ctx.target.tables.keys() ?? [])].join(', ')}`,
        ),
      );
      continue;
    }
    const check = (name: string | undefined, pointer: string) => {
      if (!name || columnOf(ctx, o.target!, name)) return;
      const prefix = ctx.migration?.prefix;
      const looksCustom = prefix !== undefined && name.startsWith(`${prefix}_`);
      const known = [
        ...table.columns.keys(),
        ...ctx.customDeclarations.filter((d) => d.table === o.target).map((d) => d.column),
      ];
      out.push(
        finding(
          'FS104',
          'error',
          o.file,
          pointer,
          `unknown column '${name}' on ${o.target}: not in the target snapshot and not declared custom.${didYouMean(name, known)}`,
          looksCustom
            ? `declare it: add custom: { type: ..., label: ... } to this field`
            : `use a column of ${o.target}, or a custom column named ${prefix ?? '<prefix>'}_...`,
        ),
      );
    };
    check(o.key?.column, '/key/column');
    if (o.match) check(o.match.column, '/match/column');
    o.fields.forEach((f) => {
      check(f.to, `${f.pointer}/to`);
    });
    if (o.archive) check(o.archive.urlColumn, '/archive/url_column');
  }
  return out;
};
