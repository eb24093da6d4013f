import { describe, expect, it } from 'vitest';
import { canonicalJson, hashPayload } from '../../../runtime/journal/index.ts';
import { created, guid, openTemp, progressAfter } from './helpers.ts';

const start = { kind: 'run', specHash: 's', codeHash: 'c' } as const;

describe('deferred lookups', () => {
  it('are added, listed by status, resolved and counted', () => {
    const { journal } = openTemp({ chunkSize: 2 });
    const run = journal.startRun(start);
    journal.deferred.add(
      run.id,
      Array.from({ length: 5 }, (_, i) => ({
        mapping: 'account',
        key: `cl-${i}`,
        column: 'parentaccountid',
        candidates: [String(100 + i), null],
      })),
    );
    const all = [...journal.deferred.list(run.id)];
    expect(all.map((d) => [d.key, d.status, d.candidates])).toEqual([
      ['cl-0', 'pending', ['100', null]],
      ['cl-1', 'pending', ['101', null]],
      ['cl-2', 'pending', ['102', null]],
      ['cl-3', 'pending', ['103', null]],
      ['cl-4', 'pending', ['104', null]],
    ]);
    journal.deferred.resolve(all[0]!.id, { status: 'bound', targetId: guid(100) });
    journal.deferred.resolve(all[3]!.id, {
      status: 'unresolved',
      error: { code: 'lookup_unresolved', message: 'no clinic 103 in the crosswalk' },
    });
    expect(journal.deferred.counts(run.id)).toEqual({ pending: 3, bound: 1, unresolved: 1, failed: 0 });
    expect([...journal.deferred.list(run.id, { status: 'pending' })].map((d) => d.key)).toEqual([
      'cl-1',
      'cl-2',
      'cl-4',
    ]);
    expect([...journal.deferred.list(run.id, { status: 'unresolved' })][0]).toMatchObject({
      error: { code: 'lookup_unresolved', message: 'no clinic 103 in the crosswalk' },
      targetId: null,
    });
    expect([...journal.deferred.list(run.id, { status: 'bound', mapping: 'account' })][0]?.targetId).toBe(
      guid(100),
    );
    expect([...journal.deferred.list(run.id, { mapping: 'contact' })]).toEqual([]);
    expect(() => journal.deferred.resolve(999, { status: 'bound', targetId: guid(1) })).toThrow(
      /does not exist/,
    );
  });

  it('keep one entry per row and column, with the newest candidates', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    const lookup = { mapping: 'account', key: 'cl-1', column: 'parentaccountid', candidates: ['1'] };
    journal.deferred.add(run.id, [lookup]);
    journal.deferred.add(run.id, [{ ...lookup, candidates: ['2'] }]);
    expect([...journal.deferred.list(run.id)].map((d) => d.candidates)).toEqual([['2']]);
  });
});

describe('matches', () => {
  it('map source ids to matched rows, replaceable and removable', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.matches.set(run.id, [
      { mapping: 'user', sourceId: '1', targetId: guid(1) },
      { mapping: 'user', sourceId: '2', targetId: guid(2) },
    ]);
    journal.matches.set(run.id, [{ mapping: 'user', sourceId: '2', targetId: guid(22) }]);
    expect(journal.matches.get('user', '1')).toBe(guid(1));
    expect(journal.matches.get('staff_contact', '1')).toBeUndefined();
    expect(journal.matches.getMany('user', ['1', '2', '3'])).toEqual(
      new Map([
        ['1', guid(1)],
        ['2', guid(22)],
      ]),
    );
    journal.matches.remove('user', ['1']);
    expect(journal.matches.get('user', '1')).toBeUndefined();
  });
});

describe('staging', () => {
  it('returns groups in key order with records in staging order, across chunks and pages', () => {
    const { journal } = openTemp({ chunkSize: 2 });
    const run = journal.startRun(start);
    journal.staging.add(run.id, 'policy', [
      { groupKey: 'p-2', record: { id: 5, v: 'b' } },
      { groupKey: 'p-1', record: { id: 1 } },
      { groupKey: 'p-2', record: { id: 6, v: 'a' } },
    ]);
    journal.staging.add(run.id, 'policy', [
      { groupKey: 'p-1', record: { id: 2 } },
      { groupKey: 'p-10', record: { id: 9 } },
      { groupKey: 'p-2', record: { id: 7 } },
    ]);
    journal.staging.add(run.id, 'other', [{ groupKey: 'p-1', record: { id: 99 } }]);
    expect([...journal.staging.iterate(run.id, 'policy')]).toEqual([
      { groupKey: 'p-1', records: [{ id: 1 }, { id: 2 }] },
      { groupKey: 'p-10', records: [{ id: 9 }] },
      { groupKey: 'p-2', records: [{ id: 5, v: 'b' }, { id: 6, v: 'a' }, { id: 7 }] },
    ]);
    expect(journal.staging.count(run.id, 'policy')).toBe(6);
    expect(journal.staging.clear(run.id, 'policy')).toBe(6);
    expect([...journal.staging.iterate(run.id, 'policy')]).toEqual([]);
    expect(journal.staging.count(run.id, 'other')).toBe(1);
    expect(journal.staging.clear(run.id)).toBe(1);
  });

  it('is journaled with its page or not at all', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    expect(() =>
      journal.atomic(() => {
        journal.staging.add(run.id, 'policy', [{ groupKey: 'g', record: { id: 1 } }]);
        journal.deferred.add(run.id, [{ mapping: 'a', key: 'k', column: 'c', candidates: ['1'] }]);
        journal.recordPage(run.id, 'policies', 2, [], [], progressAfter(2, 1));
        journal.recordPage(run.id, 'policies', 2, [], [], progressAfter(2, 1));
      }),
    ).toThrow(/does not follow/);
    expect(journal.staging.count(run.id, 'policy')).toBe(0);
    expect(journal.deferred.counts(run.id).pending).toBe(0);
    expect(journal.progress(run.id, 'policies')).toBeUndefined();
    journal.atomic(() => {
      journal.staging.add(run.id, 'policy', [{ groupKey: 'g', record: { id: 1 } }]);
      journal.recordPage(run.id, 'policies', 1, [], [], progressAfter(1, 1));
    });
    expect(journal.staging.count(run.id, 'policy')).toBe(1);
  });
});

describe('staff directory', () => {
  it('keeps the latest email of each staff id, null when there is none', () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.atomic(() => {
      journal.staff.set(run.id, [
        { staffId: '1', email: 'ana@clinic.example' },
        { staffId: '2', email: null },
      ]);
      journal.recordPage(run.id, 'practitioners', 1, [created('user', 1)], [], progressAfter(1, 2));
    });
    journal.staff.set(run.id, [{ staffId: '1', email: 'ana.b@clinic.example' }]);
    expect(journal.staff.get('1')).toBe('ana.b@clinic.example');
    expect(journal.staff.get('2')).toBeNull();
    expect(journal.staff.get('3')).toBeUndefined();
    expect(journal.staff.getMany(['1', '2', '3'])).toEqual(
      new Map([
        ['1', 'ana.b@clinic.example'],
        ['2', null],
      ]),
    );
  });
});

describe('payload hash', () => {
  it('ignores key order and undefined members, and sees every value change', () => {
    const a = { firstname: 'Ana', address: { city: 'Leeds', line1: '1 Road' }, tags: [1, 2] };
    const b = {
      tags: [1, 2],
      address: { line1: '1 Road', city: 'Leeds' },
      firstname: 'Ana',
      gone: undefined,
    };
    expect(canonicalJson(b)).toBe(
      '{"address":{"city":"Leeds","line1":"1 Road"},"firstname":"Ana","tags":[1,2]}',
    );
    expect(hashPayload(a)).toBe(hashPayload(b));
    expect(hashPayload(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPayload({ ...a, tags: [2, 1] })).not.toBe(hashPayload(a));
    expect(hashPayload({ ...a, firstname: 'Ann' })).not.toBe(hashPayload(a));
    expect(hashPayload({ x: null })).not.toBe(hashPayload({}));
    expect(canonicalJson({ d: new Date(Date.UTC(2024, 0, 1)) })).toBe('{"d":"2024-01-01T00:00:00.000Z"}');
  });
});
