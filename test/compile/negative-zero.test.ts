import { expect, it } from 'vitest';
import { clinicWith } from './clinic-with.ts';

it('reads a constant written -0 as 0, in the generated code and the interpreter alike', async () => {
  const transform = await clinicWith([
    '  - { to: fs_score, value: -0, custom: { type: decimal, precision: 2, label: Score } }',
    '  - { to: fs_count, value: -0.0, custom: { type: integer, label: Count } }',
  ]);
  for (const outcome of transform({ id: '1', name: 'A' })) {
    if (outcome.kind !== 'rows') throw new Error(JSON.stringify(outcome));
    const { fs_score, fs_count } = outcome.rows[0]!.payload;
    expect([Object.is(fs_score, 0), Object.is(fs_count, 0)]).toEqual([true, true]);
  }
});
