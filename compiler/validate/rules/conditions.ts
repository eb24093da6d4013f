import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import type { ObjectSpec, SourceField } from '../../model/spec.ts';
import { resolvePath } from '../paths.ts';
import { finding, type Rule } from '../rule.ts';

const CODE = 'FS146';
type Scalar = string | number | boolean;

/**
 * FS146: a `where` condition that cannot work as written. Each one either skips every record or none,
 * with nothing said at run time, so each is an error:
 * - a field with nothing to test it by, or a test (in, not_in, present) with no field;
 * - a `not_matched_by` that names no update mapping matching records of the same resource (the run
 *   asks whether that mapping matched the record: an unknown name, an upsert mapping, or a mapping of
 *   another resource never did, so every record would pass);
 * - an `in`/`not_in` value the field cannot hold: the run compares the value's text with the field's
 *   (isOneOf), so `yes` never equals a boolean, `Physician` never equals the documented `physician`;
 * - an `item.` field in a mapping with `each`: conditions test the record before it is split.
 */
export const conditions: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    o.where.forEach((c) => {
      const at = c.pointer;
      const add = (pointer: string, message: string, hint: string) =>
        out.push(finding(CODE, 'error', o.file, pointer, message, hint));
      const tests = [
        ...(c.in !== undefined ? ['in'] : []),
        ...(c.notIn !== undefined ? ['not_in'] : []),
        ...(c.present !== undefined ? ['present'] : []),
      ];
      if (c.field !== undefined && tests.length === 0)
        add(
          `${at}/field`,
          `the condition on '${c.field}' tests nothing: it needs in, not_in or present`,
          `write e.g. { field: ${c.field}, in: [...] } (records whose value is one of these pass), not_in: [...], or present: true`,
        );
      if (c.field === undefined && tests.length > 0)
        add(
          `${at}/${tests[0]}`,
          `the condition has ${tests.join(', ')} but no field to test`,
          'add field: <source field> to the condition',
        );
      if (c.notMatchedBy !== undefined) notMatchedBy(o, c.notMatchedBy, `${at}/not_matched_by`, add);
      if (o.each && (c.field === 'item' || c.field?.startsWith('item.'))) {
        // Conditions are tested on the record, before each splits it into elements.
        add(
          `${at}/field`,
          `a where condition tests the source record, before each splits it: '${c.field}' is not there yet`,
          `where cannot pick elements: test a field of the record (e.g. { field: ${o.each.path}, present: true })`,
        );
        return;
      }
      const resource = o.source ? ctx.source?.resources.get(o.source) : undefined;
      if (c.field === undefined || !resource) return;
      const resolved = resolvePath(resource, c.field, undefined);
      if ('error' in resolved) return; // FS102
      for (const [list, key] of [
        [c.in, 'in'],
        [c.notIn, 'not_in'],
      ] as const) {
        list?.forEach((value, k) => {
          const problem = valueProblem(resolved.field, value);
          if (problem) add(`${at}/${key}/${k}`, `${c.field}: ${problem.message}`, problem.hint);
        });
      }
    });
  }
  return out;

  function notMatchedBy(
    o: ObjectSpec,
    name: string,
    pointer: string,
    add: (pointer: string, message: string, hint: string) => void,
  ): void {
    const other = ctx.objectsByName.get(name);
    const matching = ctx.objects.filter((m) => m.match && m.source === o.source).map((m) => m.name);
    const which =
      matching.length > 0
        ? `the update mappings that match ${o.source} records: ${matching.join(', ')}`
        : `no mapping matches ${o.source} records: a match is an update mapping with match: { source, column }`;
    if (!other) add(pointer, `no mapping is named '${name}'.${didYouMean(name, matching)}`, which);
    else if (!other.match)
      add(
        pointer,
        `mapping '${name}' matches no records: not_matched_by names an update mapping with match: { source, column }, whose records that found no row pass`,
        which,
      );
    else if (other.source !== o.source)
      add(
        pointer,
        `mapping '${name}' matches ${other.source} records, not ${o.source}: no record of this mapping was matched by it, so every one would pass`,
        which,
      );
  }
};

/** Why `value` can never be the field's value as the run compares them (as text), if it cannot. */
function valueProblem(field: SourceField, value: Scalar): { message: string; hint: string } | undefined {
  const text = String(value);
  switch (field.type) {
    case 'boolean':
      return text === 'true' || text === 'false'
        ? undefined
        : {
            message: `'${text}' is not true or false, the values of a boolean field`,
            hint: 'write true or false',
          };
    case 'integer':
    case 'decimal':
      return typeof value === 'number' || String(Number(text)) === text
        ? undefined
        : {
            message: `'${text}' is not a number as the field's values are written`,
            hint: `write the number as it would print (e.g. ${Number.isFinite(Number(text)) ? String(Number(text)) : '3'})`,
          };
    case 'enum': {
      const values = field.values ?? [];
      if (field.open || values.length === 0 || values.includes(text)) return undefined;
      const sameButCase = values.find((v) => v.toLowerCase() === text.toLowerCase());
      return {
        message: `'${text}' is not one of the field's values (${values.join(', ')}).${sameButCase ? ` Did you mean '${sameButCase}'? Values are compared exactly.` : didYouMean(text, values)}`,
        hint: 'use the values as the source model lists them; records with another value never match',
      };
    }
    case 'array':
    case 'object':
      return {
        message: `a ${field.type === 'array' ? 'list' : 'nested object'} field has no single value to compare`,
        hint: 'test it with present: true or false, or test one of its fields',
      };
    default:
      return undefined;
  }
}
