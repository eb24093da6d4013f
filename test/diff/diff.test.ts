import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSpecDir } from '../../cli/spec-files.ts';
import { diffIr, diffSides, isEmptyDiff } from '../../compiler/diff/diff.ts';
import { renderMarkdown } from '../../compiler/diff/render-md.ts';
import type { DiffSide } from '../../compiler/diff/side.ts';
import type { Ir, IrMapping } from '../../compiler/ir/types.ts';
import { createSchemaValidators, type SchemaValidators } from '../../compiler/validate/schemas.ts';
import { ROOT } from '../support/tmp.ts';
import { built, caseSide } from './support.ts';

let validators: SchemaValidators;
let shipped: DiffSide;
beforeAll(() => {
  validators = createSchemaValidators();
  shipped = built(readSpecDir('spec', ROOT), validators);
});

/** The IR with every order-free list permuted by `order` (fields, lookups, entries, options, tables). */
function permuted(ir: Ir, order: <T>(list: readonly T[]) => T[]): Ir {
  const mapping = (m: IrMapping): IrMapping => ({
    ...m,
    fields: order(m.fields),
    lookups: order(m.lookups),
    where: order(m.where),
  });
  return {
    ...ir,
    mappings: ir.mappings.map(mapping),
    valueMaps: order(ir.valueMaps).map((v) => ({ ...v, entries: order(v.entries) })),
    plan: {
      ...ir.plan,
      tables: order(ir.plan.tables).map((t) => ({
        ...t,
        columns: order(t.columns).map((c) => ({ ...c, options: order(c.options) })),
      })),
      flags: order(ir.plan.flags),
      connectionRoles: order(ir.plan.connectionRoles),
    },
  };
}

describe('diffIr', () => {
  it('finds no change between the shipped spec and itself', () => {
    const diff = diffSides(shipped, shipped);
    expect(isEmptyDiff(diff)).toBe(true);
    expect(diff.risks).toEqual([]);
  });

  it('finds no change when order-free lists are permuted in any order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), (seed) => {
        let state = seed;
        const random = () => {
          state = (state * 48271) % 2147483647;
          return state / 2147483647;
        };
        const shuffle = <T>(list: readonly T[]): T[] => {
          const out = [...list];
          for (let i = out.length - 1; i > 0; i -= 1) {
            const j = Math.floor(random() * (i + 1));
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        return isEmptyDiff(diffIr(shipped.ir, permuted(shipped.ir, shuffle)));
      }),
      { numRuns: 50 },
    );
  });

  it('sees one changed step anywhere in the shipped spec, and only there', () => {
    const mappings = shipped.ir.mappings.filter((m) => m.fields.some((f) => f.steps.length > 0));
    for (const target of mappings) {
      const index = target.fields.findIndex((f) => f.steps.length > 0);
      const head: Ir = {
        ...shipped.ir,
        mappings: shipped.ir.mappings.map((m) =>
          m === target
            ? {
                ...m,
                fields: m.fields.map((f, i) =>
                  i === index ? { ...f, steps: [...f.steps, { kind: 'trim' as const }] } : f,
                ),
              }
            : m,
        ),
      };
      const diff = diffIr(shipped.ir, head);
      expect(diff.mappings.map((m) => m.mapping)).toEqual([target.name]);
      expect(diff.mappings[0]!.changes).toEqual([
        expect.objectContaining({ kind: 'chain', column: target.fields[index]!.column }),
      ]);
    }
  });

  it('is the mirror image when the sides swap: added ↔ removed, before ↔ after', () => {
    const base = built(caseSide('custom-table-added', 'base'), validators);
    const head = built(caseSide('custom-table-added', 'head'), validators);
    const forward = diffSides(base, head);
    const backward = diffSides(head, base);
    expect(forward.mappings.map((m) => [m.mapping, !m.before, !m.after])).toEqual([['visit', true, false]]);
    expect(backward.mappings.map((m) => [m.mapping, !m.before, !m.after])).toEqual([['visit', false, true]]);
    expect(backward.schema.customTables).toEqual({ before: 1, after: 0 });
    expect(backward.risks).toEqual([{ kind: 'mapping-removed', mapping: 'visit', table: 'fs_visit' }]);
  });
});

describe('a mapping file renamed', () => {
  /** The shipped spec with objects/payment.yaml under another name, its text edited by `edit`. */
  function renamed(edit: (text: string) => string = (t) => t): DiffSide {
    const input = readSpecDir('spec', ROOT);
    const files = new Map(input.files);
    const text = files.get('objects/payment.yaml')!;
    files.delete('objects/payment.yaml');
    files.set('objects/payments.yaml', edit(text));
    return built({ ...input, files }, validators);
  }

  it('is a rename, not a removal, when source, table and key stay: the rows are found by their key', () => {
    const diff = diffSides(shipped, renamed());
    expect(diff.risks).toEqual([
      expect.objectContaining({
        kind: 'mapping-renamed',
        before: 'payment',
        after: 'payments',
        table: 'fs_payment',
      }),
    ]);
    const markdown = renderMarkdown(diff, { base: 'main', head: 'branch' });
    expect(markdown).toContain('**Mapping `payment` renamed `payments`.**');
    // The load order lists the two names only: the steps after them keep their place.
    const order = markdown.slice(markdown.indexOf('### Load order'));
    expect(order.split('\n').filter((l) => l.startsWith('| `'))).toEqual([
      '| `payments` | – | step 10 (after `patient`, `appointment`) |',
      '| `payment` | step 10 (after `patient`, `appointment`) | – |',
    ]);
  });

  it('is a removal when the key changes with it: the rows loaded stay behind', () => {
    const diff = diffSides(
      shipped,
      renamed((t) => t.replace('prefix: payment-', 'prefix: pay-')),
    );
    expect(diff.risks).toEqual([{ kind: 'mapping-removed', mapping: 'payment', table: 'fs_payment' }]);
  });
});

describe('a where condition changed', () => {
  it('is a risk note: rows of records it now leaves out stay, and no run updates them', () => {
    const input = readSpecDir('spec', ROOT);
    const files = new Map(input.files);
    const file = 'objects/referral-source.yaml';
    files.set(file, files.get(file)!.replace('in: [physician, external_clinic]', 'in: [physician]'));
    const diff = diffSides(shipped, built({ ...input, files }, validators));
    expect(diff.risks).toEqual([
      {
        kind: 'where-changed',
        mapping: 'referral-source',
        table: 'account',
        before: 'type in ["external_clinic", "physician"]',
        after: 'type in ["physician"]',
      },
    ]);
  });
});

describe('the licensing limit in the diff', () => {
  it('shows the per-table flag when a change pushes contact from 15 to 16 custom columns', () => {
    const base = built(caseSide('custom-columns-16', 'base'), validators);
    const head = built(caseSide('custom-columns-16', 'head'), validators);
    expect(base.ir.plan.flags).toEqual([]);
    const diff = diffSides(base, head);
    expect(diff.schema.tables.find((t) => t.table === 'contact')?.count).toEqual({ before: 15, after: 16 });
    expect(diff.schema.flags).toEqual([
      {
        flag: 'custom-columns-per-table',
        table: 'contact',
        before: undefined,
        after: { count: 16, limit: 15, blocking: true, acknowledged: undefined },
      },
    ]);
    expect(diff.risks).toEqual([
      { kind: 'flag-blocking', flag: 'custom-columns-per-table', table: 'contact', count: 16, limit: 15 },
    ]);
    const md = renderMarkdown(diff, { base: 'main', head: 'pr' });
    expect(md).toContain('- Licensing flag appears: custom columns on `contact`, 16/15, **blocking**.');
    expect(md).toContain(
      '<summary><code>contact</code>: 15/15 → <b>16/15</b> custom columns, 1 column to create</summary>',
    );
    // And back: the flag disappears, which is no risk.
    const back = diffSides(head, base);
    expect(back.schema.flags[0]?.after).toBeUndefined();
    expect(back.risks).toEqual([]);
    expect(renderMarkdown(back, { base: 'pr', head: 'main' })).toContain(
      '- Licensing flag disappears: custom columns on `contact` (was 16/15, **blocking**).',
    );
  });

  it('treats an acknowledged flag that loses its acknowledgement as newly blocking', () => {
    const ack = (ir: Ir, acknowledged: string | undefined): Ir => ({
      ...ir,
      plan: {
        ...ir.plan,
        flags: ir.plan.flags.map((f) => ({ ...f, acknowledged, blocking: acknowledged === undefined })),
      },
    });
    expect(shipped.ir.plan.flags.map((f) => f.blocking)).toEqual([false]);
    const diff = diffIr(shipped.ir, ack(shipped.ir, undefined));
    expect(diff.risks.map((r) => r.kind)).toEqual(['flag-blocking']);
    expect(diff.schema.flags[0]?.before?.acknowledged).toContain('accepted by the clinic group');
  });

  it('shows what the migration leaves out, field by field with the reason, whatever the YAML order', () => {
    const leftOut = (...entries: Ir['leftOut']): Ir => ({ ...shipped.ir, leftOut: entries });
    const occupation = { resource: 'patients', field: 'occupation', reason: 'Sales has no use for it.' };
    const invoices = { resource: 'invoices', field: undefined, reason: 'Billing stays in PracticeHub.' };
    const base = leftOut(occupation, invoices);
    expect(isEmptyDiff(diffIr(base, leftOut(invoices, occupation)))).toBe(true);
    const head = leftOut({ ...occupation, reason: 'Sales has no use for it (practice manager, May).' });
    expect(diffIr(base, head).settings).toEqual([
      {
        name: 'left out: invoices (the whole resource)',
        before: 'Billing stays in PracticeHub.',
        after: undefined,
      },
      {
        name: 'left out: patients.occupation',
        before: 'Sales has no use for it.',
        after: 'Sales has no use for it (practice manager, May).',
      },
    ]);
  });
});
