import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../compiler/diagnostics/suggest.ts';

/** Optimal string alignment distance without bounds, written from its definition to check the bounded one. */
function reference(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('editDistance: a swap of neighbouring letters is one edit', () => {
  it.each([
    ['form', 'from', 1],
    ['titel', 'title', 1],
    ['Lodnon', 'London', 1],
    ['ab', 'ba', 1],
    ['abc', 'ca', 3],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('%s → %s: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });

  it('stops past the limit, and agrees with the unbounded distance within it', () => {
    const words = [
      'from',
      'form',
      'fromm',
      'title',
      'titel',
      'tilte',
      'trim',
      'tirm',
      'abcdef',
      'badcfe',
      'x',
    ];
    for (const a of words) {
      for (const b of words) {
        for (const limit of [0, 1, 2, 3]) {
          const exact = reference(a, b);
          const bounded = editDistance(a, b, limit);
          if (exact <= limit) expect(bounded, `${a}/${b} limit ${limit}`).toBe(exact);
          else expect(bounded, `${a}/${b} limit ${limit}`).toBeGreaterThan(limit);
        }
      }
    }
  });
});

describe('closest: "did you mean" finds swapped letters in short words', () => {
  it.each([
    ['form', ['to', 'from', 'value', 'template'], 'from'],
    ['titel', ['title', 'table', 'total'], 'title'],
    ['tirm', ['trim', 'truncate'], 'trim'],
    ['Europe/Lodnon', ['Europe/London', 'Europe/Lisbon'], 'Europe/London'],
    ['form', ['to', 'value'], undefined],
  ])('%s → %s', (word, candidates, expected) => {
    expect(closest(word, candidates)).toBe(expected);
  });
});
