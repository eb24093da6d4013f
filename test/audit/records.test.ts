import { describe, expect, it } from 'vitest';
import { meets } from '../../runtime/audit/records.ts';
import { valueAt } from '../../runtime/compare/sources.ts';
import type { JsonValue } from '../../runtime/practicehub/index.ts';

// Source fields may be named constructor or __proto__ (the source model's names allow them): a record
// without one holds no value for it, whatever every JavaScript object inherits under that name.
const bare = JSON.parse('{"id":"1","details":["a"]}') as JsonValue;
const full = JSON.parse('{"id":"2","constructor":"c","__proto__":"p","details":{"length":"3"}}') as JsonValue;

describe('reading source paths named as members of every object', () => {
  it("the audit's where checks find them empty on a record without them, and set on one with them", () => {
    for (const path of [['constructor'], ['__proto__'], ['details', 'length'], ['details', 'constructor']]) {
      expect(meets(bare, { kind: 'present', path, present: false }), path.join('.')).toBe(true);
    }
    expect(meets(full, { kind: 'present', path: ['constructor'], present: true })).toBe(true);
    expect(meets(full, { kind: 'in', path: ['__proto__'], values: ['p'] })).toBe(true);
  });

  it('the comparison shows them as missing on a record without them, and as held on one with them', () => {
    expect(valueAt(bare, ['constructor'])).toBeUndefined();
    expect(valueAt(bare, ['details', 'length'])).toBeUndefined();
    expect(valueAt(full, ['__proto__'])).toBe('p');
    expect(valueAt(full, ['details', 'length'])).toBe('3');
  });
});
