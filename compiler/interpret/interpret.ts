import {
  at,
  exceptMostRecent,
  field,
  idText,
  isOneOf,
  isPresent,
  keyValue,
  lookupId,
  mapState,
  type Outcome,
  objectIn,
  objects,
  optionNumber,
  type PendingLookup,
  partKey,
  partTitle,
  pickId,
  type Row,
  type SourceRecord,
  type StateMap,
} from '../../runtime/mapping/index.ts';
import type { Issues, ValueMap } from '../../runtime/transforms/index.ts';
import * as t from '../../runtime/transforms/index.ts';
import { assertNever } from '../assert.ts';
import { readsAsText } from '../ir/steps.ts';
import type {
  Ir,
  IrCondition,
  IrField,
  IrMapping,
  IrNumberStep,
  IrStep,
  IrValueMap,
  IrValueSource,
} from '../ir/types.ts';

/**
 * The reference interpreter: runs a mapping by walking its IR, step by step, with the same transform
 * library the generated code calls. Small and obviously correct on purpose: it is the test oracle the
 * generated functions are compared with, and the baseline of bench/transform.
 */
export class Interpreter {
  private readonly valueMaps: ReadonlyMap<string, ValueMap>;
  private readonly stateMaps: ReadonlyMap<string, StateMap>;

  constructor(private readonly ir: Ir) {
    const toMap = (v: IrValueMap) => ({
      name: v.name,
      entries: new Map(v.entries.map((e) => [e.source, e.target] as const)),
      ...(v.default === undefined ? {} : { defaultValue: v.default }),
      unmapped: v.unmapped,
      caseSensitive: v.caseSensitive,
    });
    this.valueMaps = new Map(
      ir.valueMaps.filter((v) => v.kind === 'choice').map((v) => [v.name, toMap(v) as ValueMap]),
    );
    this.stateMaps = new Map(
      ir.valueMaps.filter((v) => v.kind === 'state').map((v) => [v.name, toMap(v) as StateMap]),
    );
  }

  /** Runs mapping `name` on one source record. */
  run(name: string, r: SourceRecord): Outcome<Record<string, unknown>> {
    const m = this.ir.mappings.find((x) => x.name === name);
    if (!m) throw new Error(`no mapping '${name}'`);
    const sourceId = idText(r.id) ?? '';
    for (const c of m.where) {
      const failed = this.failedCondition(c, r);
      if (failed) return { kind: 'skipped', sourceId, reason: `where: ${failed}` };
    }
    const issues = t.newIssues();
    if (m.each) {
      const items =
        m.each.skipMostRecent && m.each.orderBy
          ? exceptMostRecent(at(r, m.each.path), m.each.orderBy)
          : objects(at(r, m.each.path));
      if (items.length === 0) {
        return {
          kind: 'skipped',
          sourceId,
          reason: `no elements in ${m.each.path.join('.')}${m.each.skipMostRecent ? ' besides the most recent one' : ''}`,
          empty: true,
        };
      }
      const rows: Row<Record<string, unknown>>[] = [];
      for (const item of items) {
        const scope = { r, item };
        const key = this.key(m, scope, issues);
        const { row: payload } = this.payload(m, scope, issues);
        if (key !== null)
          rows.push({
            key,
            payload,
            lookups: this.lookups(m, scope, issues),
            owner: this.owner(m, scope),
            state: this.state(m, scope, issues),
            document: undefined,
          });
      }
      if (issues.rejections.length > 0)
        return { kind: 'rejected', sourceId, rejections: issues.rejections, flags: issues.flags };
      return { kind: 'rows', sourceId, rows, flags: issues.flags };
    }
    const scope = { r, item: undefined };
    const key = this.key(m, scope, issues);
    if (m.key.kind === 'match' && key === null) {
      return {
        kind: 'skipped',
        sourceId,
        reason: `no ${m.key.source.join('.')} to match against ${m.target}.${m.key.column}`,
      };
    }
    const { row: payload, parts } = this.payload(m, scope, issues);
    const lookups = this.lookups(m, scope, issues);
    const owner = this.owner(m, scope);
    const state = this.state(m, scope, issues);
    const fileId = m.document ? idText(this.read(m.document.path, scope)) : null;
    const document = fileId === null ? undefined : { fileId };
    if (m.split) {
      const field = m.fields.find((f) => f.column === m.split!.column)!;
      if (key === null || issues.rejections.length > 0)
        return { kind: 'rejected', sourceId, rejections: issues.rejections, flags: issues.flags };
      const pieces: (string | null)[] = parts.length === 0 ? [null] : parts;
      const step = field.steps.find((s) => s.kind === 'split');
      const suffix = step?.kind === 'split' ? step.titleSuffix : '';
      const titleColumn = m.split.titleColumn;
      const titleMax =
        this.ir.tables.find((x) => x.name === m.target)?.columns.find((c) => c.name === titleColumn)
          ?.maxLength ?? 100;
      const rows = pieces.map((part, i) => ({
        key: partKey(key, i + 1),
        payload: {
          ...payload,
          [m.split!.column]: part,
          ...(titleColumn
            ? {
                [titleColumn]: partTitle(
                  payload[titleColumn] as string | null,
                  suffix,
                  i + 1,
                  pieces.length,
                  titleMax,
                ),
              }
            : {}),
        },
        lookups,
        owner,
        state,
        document: i === 0 ? document : undefined,
      }));
      return { kind: 'rows', sourceId, rows, flags: issues.flags };
    }
    if (key === null || issues.rejections.length > 0)
      return { kind: 'rejected', sourceId, rejections: issues.rejections, flags: issues.flags };
    return {
      kind: 'rows',
      sourceId,
      rows: [{ key, payload, lookups, owner, state, document }],
      flags: issues.flags,
    };
  }

  private read(path: readonly string[], scope: Scope): unknown {
    return path[0] === 'item' ? at(scope.item, path.slice(1)) : at(scope.r, path);
  }

  /** A field's value at a path, flagging a field on the way that holds no object (objectIn). */
  private readValue(path: readonly string[], scope: Scope, issues: Issues, column: string): unknown {
    const [root, rest] = path[0] === 'item' ? [scope.item, path.slice(1)] : [scope.r, path];
    let value: unknown = root;
    for (const [i, key] of rest.entries()) {
      if (i > 0) value = objectIn(value, issues, column, rest.slice(0, i).join('.'));
      value = field(value, key);
    }
    return value;
  }

  private failedCondition(c: IrCondition, r: SourceRecord): string | undefined {
    switch (c.kind) {
      case 'in':
        return isOneOf(at(r, c.path), c.values)
          ? undefined
          : `${c.path.join('.')} is not one of ${c.values.join(', ')}`;
      case 'not_in':
        return isOneOf(at(r, c.path), c.values)
          ? `${c.path.join('.')} is one of ${c.values.join(', ')}`
          : undefined;
      case 'present':
        return isPresent(at(r, c.path)) === c.present
          ? undefined
          : `${c.path.join('.')} is ${c.present ? 'empty' : 'not empty'}`;
      case 'not_matched_by':
        return undefined;
      default:
        return assertNever(c);
    }
  }

  private key(m: IrMapping, scope: Scope, issues: Issues): string | null {
    switch (m.key.kind) {
      case 'alternate':
        return keyValue(
          m.key.prefix,
          m.key.sources.map((p) => this.read(p, scope)),
          issues,
          m.key.column,
        );
      case 'derived':
        return keyValue(
          m.key.prefix,
          m.key.sources.map((p) => this.read(p, scope)),
          issues,
          '(key)',
        );
      case 'match':
        return keyValue('', [t.lowercase(t.trim(this.read(m.key.source, scope)))], issues, m.key.column);
      default:
        return assertNever(m.key);
    }
  }

  /** The row; a split column is left null, and its parts are computed after the row (one row each). */
  private payload(
    m: IrMapping,
    scope: Scope,
    issues: Issues,
  ): { row: Record<string, unknown>; parts: string[] } {
    const row: Record<string, unknown> = {};
    let split: IrField | undefined;
    for (const f of m.fields) {
      if (f.steps.at(-1)?.kind === 'split') {
        split = f;
        row[f.column] = null;
      } else row[f.column] = this.value(f, scope, issues);
    }
    return { row, parts: split ? (this.value(split, scope, issues) as string[]) : [] };
  }

  private source(s: IrValueSource, scope: Scope, issues: Issues, column: string): unknown {
    switch (s.kind) {
      case 'path':
        return this.readValue(s.path, scope, issues, column);
      case 'paths':
        return s.paths.map((p) => this.readValue(p, scope, issues, column));
      case 'template':
        return s.parts
          .map((p) =>
            p.kind === 'text'
              ? p.text
              : t.templateValue(this.readValue(p.path, scope, issues, column), issues, column),
          )
          .join('');
      case 'constant':
        return s.value;
      default:
        return assertNever(s);
    }
  }

  private value(f: IrField, scope: Scope, issues: Issues): unknown {
    let v = this.source(f.source, scope, issues, f.column);
    if (readsAsText(f)) v = t.textOf(v, issues, f.column);
    for (const step of f.steps) v = this.step(v, step, f.column, issues);
    if (f.steps.at(-1)?.kind === 'split') return v; // the parts, one row each
    return this.finish(v, f, issues);
  }

  private step(v: unknown, s: IrStep, column: string, issues: Issues): unknown {
    switch (s.kind) {
      case 'trim':
        return t.trim(v);
      case 'lowercase':
        return t.lowercase(v);
      case 'uppercase':
        return t.uppercase(v);
      case 'titlecase':
        return t.titlecase(v);
      case 'collapse_whitespace':
        return t.collapseWhitespace(v);
      case 'strip_control':
        return t.stripControl(v);
      case 'null_if_empty':
        return t.nullIfEmpty(v);
      case 'to_string':
        return t.toText(v);
      case 'coalesce':
        return t.coalesce(v as unknown[]);
      case 'email':
        return t.email(v, s.policy, s.maxLength, issues, column);
      case 'phone':
        return t.phone(v, s.country, s.policy, s.maxLength, issues, column);
      case 'boolean':
        return t.toBoolean(v, issues, column);
      case 'integer':
      case 'decimal':
        return this.number(v, s, column, issues);
      case 'date_only':
        return t.dateOnly(v, s.timeZone, s.policy, issues, column);
      case 'datetime':
        return (s.wallClock ? t.wallDateTime : t.dateTime)(v, s.timeZone, s.policy, issues, column);
      case 'join':
        return t.join(t.asList(v), s.delimiter);
      case 'map':
        return t.mapValue(v, this.valueMaps.get(s.map)!, issues, column);
      case 'multi_map':
        return t.multiMap(v, this.valueMaps.get(s.map)!, s.as, s.delimiter, issues, column);
      case 'default':
        return this.withDefault(v, s, column, issues);
      case 'truncate':
        return t.truncate(t.toText(v), s.length, s.flag, issues, column);
      case 'split':
        return t.split(t.toText(v), s.length, issues, column);
      default:
        return assertNever(s);
    }
  }

  private withDefault(
    v: unknown,
    s: Extract<IrStep, { kind: 'default' }>,
    column: string,
    issues: Issues,
  ): unknown {
    if (s.convert) {
      const input = s.converted ? v : this.number(v, s.convert, column, issues);
      return this.number(t.withDefault(input, s.value), s.convert, column, issues);
    }
    if (typeof s.value === 'string') return t.withDefault(t.toText(v), s.value);
    return t.withDefault(typeof v === 'boolean' ? v : t.toBoolean(v, issues, column), s.value);
  }

  private number(v: unknown, s: IrNumberStep, column: string, issues: Issues): number | null {
    return s.kind === 'integer'
      ? (s.bits === 64 ? t.toBigInteger : t.toInteger)(v, issues, column, { min: s.min, max: s.max })
      : t.toDecimal(v, s.precision, issues, column, { min: s.min, max: s.max }, s.limit);
  }

  /** The conversion to the column's type that the generated code adds when the chain did not. */
  private finish(v: unknown, f: IrField, issues: Issues): unknown {
    const last = f.steps.at(-1)?.kind;
    switch (f.type) {
      case 'integer':
      case 'bigint':
      case 'decimal':
      case 'double':
      case 'money':
        return (typeof v === 'number' && this.numeric(f)) || f.conversion === undefined
          ? v
          : this.number(v, f.conversion, f.column, issues);
      case 'boolean':
        return this.yields(f, 'boolean') ? v : t.toBoolean(v, issues, f.column);
      case 'date':
        return last === 'date_only'
          ? v
          : t.dateOnly(v, this.ir.migration.timeZone, 'drop_with_flag', issues, f.column);
      case 'datetime':
        return last === 'datetime'
          ? v
          : (f.wallClock ? t.wallDateTime : t.dateTime)(
              v,
              this.ir.migration.timeZone,
              'drop_with_flag',
              issues,
              f.column,
            );
      case 'choice':
      case 'state':
      case 'status':
        if (last === 'map') return optionNumber(v as number | string | null);
        if (this.yields(f, 'number')) return v;
        return optionNumber(t.toInteger(v, issues, f.column));
      default:
        return this.yields(f, 'text') ? v : t.toText(v);
    }
  }

  /** Whether the chain (or constant) already yields a number, as the generator decides statically. */
  private numeric(f: IrField): boolean {
    return this.yields(f, 'number');
  }

  private yields(f: IrField, kind: 'text' | 'number' | 'boolean'): boolean {
    const last = f.steps.at(-1);
    if (!last) {
      if (f.source.kind === 'constant') return typeof f.source.value === (kind === 'text' ? 'string' : kind);
      return kind === 'text' && f.source.kind === 'template';
    }
    switch (last.kind) {
      case 'integer':
      case 'decimal':
        return kind === 'number';
      case 'boolean':
        return kind === 'boolean';
      case 'default':
        return kind === 'text' ? typeof last.value === 'string' : typeof last.value === kind;
      case 'coalesce':
      case 'map':
        return false;
      default:
        return kind === 'text';
    }
  }

  private lookups(m: IrMapping, scope: Scope, issues: Issues): PendingLookup[] {
    return m.lookups.map((l) => ({
      column: l.column,
      values: l.candidates.map((c) =>
        l.pick
          ? pickId(this.read(c.path, scope), l.pick.mode, l.pick.element, l.pick.orderBy, issues, l.column)
          : lookupId(this.read(c.path, scope), issues, l.column),
      ),
    }));
  }

  private owner(m: IrMapping, scope: Scope) {
    if (!m.owner) return undefined;
    const raw = this.read(m.owner.path, scope);
    return { kind: m.owner.kind, value: m.owner.kind === 'staff' ? idText(raw) : t.lowercase(t.trim(raw)) };
  }

  private state(m: IrMapping, scope: Scope, issues: Issues) {
    return m.state
      ? mapState(this.read(m.state.path, scope), this.stateMaps.get(m.state.map)!, issues)
      : undefined;
  }
}

interface Scope {
  readonly r: SourceRecord;
  readonly item: unknown;
}
