import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { FieldSpec, ObjectSpec } from '../../model/spec.ts';
import { numberRefused } from '../../transforms/signatures.ts';
import { fitsColumn, typeName } from '../../types/value-type.ts';
import { inputType, typeChain } from '../chain.ts';
import { columnOf, type SpecContext, tableOf } from '../context.ts';
import { finding, type Rule } from '../rule.ts';

/** The mappings that write the same rows as `o`: itself, its extensions, and update mappings keyed like it. */
export function rowFamily(ctx: SpecContext, o: ObjectSpec): ObjectSpec[] {
  const base = o.extends ? (ctx.objectsByName.get(o.extends) ?? o) : o;
  const rank = (m: ObjectSpec) => (m === base ? 0 : m.extends === base.name ? 1 : 2);
  const family = ctx.objects.filter(
    (m) =>
      m === base ||
      m.extends === base.name ||
      (m !== base &&
        m.mode === 'update' &&
        base.mode === 'upsert' &&
        m.target === base.target &&
        m.key?.column !== undefined &&
        m.key.column === base.key?.column &&
        m.key.prefix === base.key?.prefix),
  );
  return family.sort((a, b) => rank(a) - rank(b));
}

/** FS120 one value source per field, FS107 column written twice, FS135 read-only, FS136 create-only on update. */
export const fieldShape: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  const reported = new Set<string>();
  for (const o of ctx.objects) {
    o.fields.forEach((f) => {
      const sources = [
        f.from.length > 0,
        f.template !== undefined,
        f.value !== undefined,
        f.connectionRole !== undefined,
      ].filter(Boolean).length;
      if (sources !== 1) {
        out.push(
          finding(
            'FS120',
            'error',
            o.file,
            `${f.pointer}`,
            sources === 0
              ? `field '${f.to}' has no value: give it one of from, template, value or connection_role`
              : `field '${f.to}' has ${sources} value sources; give it exactly one of from, template, value or connection_role`,
            'from: a source field; template: text with {fields}; value: a constant; connection_role: a role name',
          ),
        );
      }
      if (f.lookup && f.from.length === 0)
        out.push(
          finding(
            'FS120',
            'error',
            o.file,
            `${f.pointer}/lookup`,
            'a lookup needs from: the source field holding the referenced id',
            'add from: <field>',
            'key',
          ),
        );
      if (!o.target) return;
      const column = columnOf(ctx, o.target, f.to)?.column;
      if (column?.readOnly)
        out.push(
          finding(
            'FS135',
            'error',
            o.file,
            `${f.pointer}/to`,
            `${o.target}.${f.to} is read-only: Dataverse ignores values sent for it`,
            f.to === 'createdon'
              ? 'map the created date to overriddencreatedon'
              : 'write the columns it is computed from',
          ),
        );
      if (column?.createOnly && o.mode === 'update')
        out.push(
          finding(
            'FS136',
            'warning',
            o.file,
            `${f.pointer}/to`,
            `${o.target}.${f.to} is valid on create only; this update mapping's value is ignored`,
            'map it in the mapping that creates the rows',
          ),
        );
    });
    // Same rows, same column, written twice: checked once per family, from its base mapping.
    if (o.extends) continue;
    const family =
      o.mode === 'upsert' ? rowFamily(ctx, o) : [o, ...ctx.objects.filter((m) => m.extends === o.name)];
    const seen = new Map<string, string>();
    const keyOwner = family.find((m) => m.mode === 'upsert' && !m.extends);
    if (keyOwner?.key?.column) seen.set(keyOwner.key.column, `the key of '${keyOwner.name}'`);
    for (const m of family) {
      m.fields.forEach((f, i) => {
        const id = `${m.file}#${i}`;
        const earlier = seen.get(f.to);
        const here = `field ${i + 1} of '${m.name}'`;
        if (earlier !== undefined && earlier !== here && !reported.has(id)) {
          reported.add(id);
          out.push(
            finding(
              'FS107',
              'error',
              m.file,
              `${f.pointer}/to`,
              `${m.target}.${f.to} is written twice for the same rows (also by ${earlier})`,
              'keep one field map per column, or combine the sources with from: [a, b] and coalesce',
            ),
          );
        } else if (earlier === undefined) seen.set(f.to, here);
      });
    }
  }
  return out;
};

/** Where FS109 points and what it says to do: add a truncate, lower its length, or move it last. */
function lengthFix(f: FieldSpec, limit: number): { pointer: string; hint: string } {
  const step = f.transform.findLast((s) => s.name === 'truncate' || s.name === 'split');
  if (!step)
    return {
      pointer: `${f.pointer}`,
      hint: 'add truncate (cut and flag) or split (numbered parts) as the last step',
    };
  if (typeof step.params.length === 'number' && step.params.length > limit)
    return {
      pointer: `${step.pointer}/${step.name}/length`,
      hint: `lower the length of ${step.name} to ${limit} or less, or remove length to use the column's maximum`,
    };
  return {
    pointer: `${f.pointer}`,
    hint: `a step after ${step.name} can make the value longer again: move ${step.name} to the end of the chain`,
  };
}

/** FS108 chain types, FS109 length over MaxLength, FS132 required column may be empty. */
export const fieldTypes: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    if (!o.target || !o.source) continue;
    const resource = ctx.source?.resources.get(o.source);
    // Without the resource (no source model, FS004, or an unknown resource, FS101) every field's type
    // is unknown: what follows would only repeat that as warnings about empty or long values.
    if (!resource) continue;
    o.fields.forEach((f) => {
      // A transform that is not a list (FS012) would read as no chain: an unlimited, unconverted value.
      if (f.lookup || f.connectionRole !== undefined || f.transformUnread) return;
      const column = columnOf(ctx, o.target!, f.to)?.column;
      if (!column || column.readOnly) return;
      const input = inputType(f, o, resource);
      const { output, problems } = typeChain(input, f, column, (name) => ctx.valueMaps.get(name));
      for (const p of problems) out.push(finding(p.code, 'error', o.file, p.pointer, p.message, p.hint));
      if (problems.length > 0 || output.type.kind === 'any') return;
      if (f.value !== undefined && (column.type === 'choice' || column.type === 'multi_choice')) return; // FS124 checks constants
      const mismatch = fitsColumn(output.type, column);
      if (mismatch) {
        const needs =
          column.type === 'choice'
            ? 'add { map: <value map> }'
            : column.type === 'date'
              ? 'add date_only'
              : column.type === 'datetime'
                ? 'add datetime'
                : column.type === 'boolean'
                  ? 'add boolean'
                  : column.type === 'string' || column.type === 'memo'
                    ? 'add to_string (the value as text)'
                    : column.type === 'integer' || column.type === 'bigint'
                      ? 'add integer'
                      : column.type === 'decimal' || column.type === 'money' || column.type === 'double'
                        ? 'add { decimal: { precision: <places> } }'
                        : `convert the value to ${column.type}`;
        out.push(
          finding(
            'FS108',
            'error',
            o.file,
            f.transform.length > 0 ? `${f.pointer}/transform` : `${f.pointer}`,
            `${o.target}.${f.to}: ${mismatch} (the chain ends in ${typeName(output.type)})`,
            needs,
          ),
        );
        return;
      }
      // A constant with no step reaches the column as written, on every row: one the column would
      // refuse (outside its range) is an error here, as a default would be, not a refused load. A
      // column whose min is above its max takes no value at all, which FS015 says.
      const noRange = column.min !== undefined && column.max !== undefined && column.min > column.max;
      const refused =
        typeof f.value === 'number' && f.transform.length === 0 && !noRange
          ? numberRefused(f.value, column)
          : undefined;
      if (refused) {
        out.push(
          finding(
            'FS108',
            'error',
            o.file,
            `${f.pointer}/value`,
            `value ${f.value} does not fit column '${f.to}': ${refused}`,
            'give a value the column takes (a whole number for a whole number column, within its min and max)',
          ),
        );
        return;
      }
      const limit = column.maxLength;
      const length =
        output.type.kind === 'string' || output.type.kind === 'parts' ? output.type.maxLength : undefined;
      if (
        (column.type === 'string' || column.type === 'memo') &&
        limit !== undefined &&
        output.type.kind !== 'enum' &&
        (length === undefined || length > limit)
      ) {
        const fix = lengthFix(f, limit);
        out.push(
          finding(
            'FS109',
            'error',
            o.file,
            fix.pointer,
            `${o.target}.${f.to} holds at most ${limit} characters, but ${length === undefined ? 'the value has no length limit' : `the value can be ${length}`}`,
            fix.hint,
          ),
        );
      }
      if (output.type.kind === 'enum' && limit !== undefined) {
        const longest = Math.max(0, ...output.type.values.map((v) => v.length));
        if (longest > limit || output.type.open)
          out.push(
            finding(
              'FS109',
              'error',
              o.file,
              `${f.pointer}`,
              `${o.target}.${f.to} holds at most ${limit} characters, but enumeration values can be longer`,
              'add truncate',
            ),
          );
      }
      if (
        (column.required === 'application' || column.required === 'system') &&
        output.nullable &&
        o.mode === 'upsert'
      ) {
        out.push(
          finding(
            'FS132',
            'warning',
            o.file,
            `${f.pointer}`,
            `${o.target}.${f.to} is required, but the value can be empty`,
            'add { default: ... } to the chain, or accept that rows may lack it (Dataverse does not enforce application-required columns on API writes)',
          ),
        );
      }
    });
  }
  return out;
};

/** FS111 required column left unmapped with no default. */
export const requiredColumns: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    if (!o.target || o.extends || o.mode !== 'upsert') continue;
    const table = tableOf(ctx, o.target);
    if (!table) continue;
    const written = new Set(
      rowFamily(ctx, o).flatMap((m) => [
        ...m.fields.map((f) => f.to),
        ...(m.key?.column ? [m.key.column] : []),
      ]),
    );
    const required = [
      ...[...table.columns.values()]
        .filter((c) => c.required === 'application' && !c.readOnly)
        .map((c) => c.name),
      ...ctx.customDeclarations
        .filter((d) => d.table === o.target && d.spec.required === 'application')
        .map((d) => d.column),
    ];
    for (const name of new Set(required)) {
      if (written.has(name)) continue;
      out.push(
        finding(
          'FS111',
          'error',
          o.file,
          '/fields',
          `required column ${o.target}.${name} is not mapped`,
          `add a field map for ${name} (from a source field with a { default: ... } step, or a constant value)`,
          'key',
        ),
      );
    }
  }
  return out;
};
