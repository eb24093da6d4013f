import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import type { ConditionSpec } from '../../model/spec.ts';
import { columnOf, type SpecContext } from '../context.ts';
import { updatedBase } from '../graph.ts';
import { finding, type Rule } from '../rule.ts';

/** Column types an alternate key may use (reference/dataverse.md §3.4). */
const KEY_TYPES = new Set(['string', 'integer', 'decimal', 'datetime', 'date', 'lookup', 'choice']);

/**
 * FS116 upserted table without an alternate key or derived id, FS127 mode/match/key combinations,
 * FS123 key column of a type that cannot be an alternate key, FS128 each/group misuse, FS133 update with no creator.
 */
export const keys: Rule = (ctx) => {
  const out: PendingDiagnostic[] = [];
  for (const o of ctx.objects) {
    if (o.extends) continue;
    if (o.mode === 'upsert') {
      if (!o.key) {
        out.push(
          finding(
            'FS116',
            'error',
            o.file,
            '',
            `mapping '${o.name}' upserts into ${o.target ?? 'its table'} but has no key: re-runs would duplicate rows`,
            'add key: { source: id, prefix: <name>-, column: <alternate key column> } (or derive_id: true where an alternate key is not possible)',
          ),
        );
      } else if (!o.key.column && !o.key.deriveId) {
        out.push(
          finding(
            'FS116',
            'error',
            o.file,
            '/key',
            `the key of '${o.name}' names no alternate key column`,
            'add column: <prefix>_practicehubid with custom: { type: string, max_length: 100, label: ... }, or derive_id: true for tables without alternate keys',
            'key',
          ),
        );
      }
      if (o.match)
        out.push(
          finding(
            'FS127',
            'error',
            o.file,
            '/match',
            'match finds existing rows: it needs mode: update',
            'add mode: update, or remove match',
            'key',
          ),
        );
    } else {
      if (!o.key && !o.match)
        out.push(
          finding(
            'FS127',
            'error',
            o.file,
            '/mode',
            'an update mapping needs a key (rows loaded by another mapping) or match (existing rows)',
            'add key: { source, prefix, column } or match: { source, column }',
          ),
        );
      if (o.key && o.match)
        out.push(
          finding(
            'FS127',
            'error',
            o.file,
            '/match',
            'give an update mapping a key or a match, not both',
            'remove one',
            'key',
          ),
        );
      if (o.key?.deriveId)
        out.push(
          finding(
            'FS127',
            'error',
            o.file,
            '/key/derive_id',
            'derive_id applies to upserts',
            'remove derive_id',
            'key',
          ),
        );
      if (o.key?.column && !updatedBase(ctx, o)) {
        out.push(
          finding(
            'FS133',
            'error',
            o.file,
            '/key',
            `no upsert mapping creates ${o.target} rows keyed '${o.key.prefix}…' in ${o.key.column}, so '${o.name}' would update nothing`,
            'use the same prefix and column as the mapping that creates the rows',
          ),
        );
      }
    }
    if (o.key?.column && o.target) {
      const column = columnOf(ctx, o.target, o.key.column)?.column;
      if (column && !KEY_TYPES.has(column.type)) {
        out.push(
          finding(
            'FS123',
            'error',
            o.file,
            '/key/column',
            `${o.target}.${o.key.column} is ${column.type}: alternate keys take text, whole number, decimal, date-time, lookup or choice columns`,
            'key on a single line of text column',
          ),
        );
      }
      if (column?.maxLength !== undefined && column.maxLength > 450) {
        out.push(
          finding(
            'FS123',
            'error',
            o.file,
            '/key/column',
            `${o.target}.${o.key.column} is ${column.maxLength} characters long; an alternate key is at most 900 bytes`,
            'use max_length 100 for a key column',
          ),
        );
      }
    }
    if (o.key?.deriveId && o.key.column)
      out.push(
        finding(
          'FS127',
          'error',
          o.file,
          '/key/derive_id',
          'give the key a column or derive_id, not both',
          'remove one',
          'key',
        ),
      );
    if (o.each && o.group)
      out.push(
        finding(
          'FS128',
          'error',
          o.file,
          '/group',
          'a mapping cannot both fan out (each) and aggregate (group)',
          'split it into two mappings',
          'key',
        ),
      );
    if (o.each && o.key && !o.key.sources.some((s) => s.startsWith('item'))) {
      out.push(
        finding(
          'FS128',
          'error',
          o.file,
          '/key/source',
          'with each, the key must include an element field (item.<field>), or all rows of a record get the same key',
          'write source: [id, item.<field>]',
        ),
      );
    }
    if (o.each?.skip && !o.each.orderBy)
      out.push(
        finding(
          'FS128',
          'error',
          o.file,
          '/each',
          'skip: most_recent needs order_by',
          'add order_by: <element field>',
          'key',
        ),
      );
    if (o.group && o.key && !o.key.sources.includes(o.group.by)) {
      out.push(
        finding(
          'FS128',
          'error',
          o.file,
          '/key/source',
          `a grouped mapping is keyed by its group (${o.group.by})`,
          `write source: ${o.group.by}`,
        ),
      );
    }
  }
  out.push(...sharedKeys(ctx));
  return out;
};

/**
 * FS147: two upsert mappings whose keys can meet on one table. A row's id is made from the table and
 * its key (prefix and source value), whether the key goes to an alternate key column or derives the
 * id (runtime/run/prepare.ts), so two mappings with the same table and prefix write one row for one
 * value: records of two resources with the same id (patient 42 and practitioner 42 both `patient-42`),
 * or one record taken by both. Mappings of one resource whose where conditions exclude each other
 * (`type in [a]` and `type in [b]`) never take the same record, and pass.
 */
function sharedKeys(ctx: SpecContext): PendingDiagnostic[] {
  const out: PendingDiagnostic[] = [];
  const upserts = ctx.objects.filter(
    (o) => !o.extends && o.mode === 'upsert' && o.key && o.target && (o.key.column || o.key.deriveId),
  );
  for (const [i, o] of upserts.entries()) {
    const other = upserts
      .slice(0, i)
      .find(
        (a) =>
          a.target === o.target &&
          a.key!.prefix === o.key!.prefix &&
          !(a.source === o.source && exclusive(a.where, o.where)),
      );
    if (!other) continue;
    const prefix = o.key!.prefix;
    const where = `${ctx.place(other.file, '/key')}`;
    const [message, hint] =
      other.source === o.source
        ? [
            `'${o.name}' and '${other.name}' (${where}) both load ${o.source} records into ${o.target} with the key prefix '${prefix}': a record both take makes one row, written twice`,
            `make their where conditions exclude each other (e.g. { field: type, in: [...] } in one and not_in the same values in the other), or give '${o.name}' a prefix of its own before it is first run (a new prefix makes new rows)`,
          ]
        : [
            `'${o.name}' (${o.source}) keys ${o.target} rows with the prefix '${prefix}', as '${other.name}' (${other.source}, ${where}) does: a record of each with the same id would make one row`,
            `give '${o.name}' a prefix of its own before it is first run (e.g. ${o.name}-): the prefix keeps the ids of different resources apart; if it adds to the rows of '${other.name}', make it an update mapping of them (mode: update)`,
          ];
    out.push(
      finding(
        'FS147',
        'error',
        o.file,
        prefix === '' ? '/key' : '/key/prefix',
        message,
        hint,
        prefix === '' ? 'key' : 'value',
      ),
    );
  }
  return out;
}

/** Whether no record can meet both lists of conditions: on one field, values one allows and the other does not. */
function exclusive(a: readonly ConditionSpec[], b: readonly ConditionSpec[]): boolean {
  const text = (values: readonly (string | number | boolean)[] | undefined) => values?.map(String);
  const apart = (x: ConditionSpec, y: ConditionSpec): boolean => {
    const [xin, yin, ynot] = [text(x.in), text(y.in), text(y.notIn)];
    if (xin && yin && !xin.some((v) => yin.includes(v))) return true;
    if (xin && ynot && xin.every((v) => ynot.includes(v))) return true;
    return x.present !== undefined && y.present !== undefined && x.present !== y.present;
  };
  return a.some((x) =>
    b.some((y) => x.field !== undefined && x.field === y.field && (apart(x, y) || apart(y, x))),
  );
}
