import { expect, it } from 'vitest';
import { clinicWith } from './clinic-with.ts';

it('writes long decimal text into money and decimal columns as far as a number carries it, flagged, in the generated code and the interpreter alike', async () => {
  const transform = await clinicWith([
    '  - { to: fs_fee, from: name, transform: [{ decimal: { precision: 4 } }], custom: { type: money, precision: 4, label: Fee } }',
    '  - { to: fs_rate, from: name, transform: [{ decimal: { precision: 10 } }], custom: { type: decimal, precision: 10, label: Rate } }',
  ]);
  // [source text, money at 4 places, decimal at 10 places, flags]
  const cases: [string, number | null, number | null, [string, string][]][] = [
    [
      '12345678901.2345678901',
      12_345_678_901.2346,
      12_345_678_901.234568,
      [['fs_rate', 'decimal_digits_dropped']],
    ],
    // Beyond a decimal's ±100,000,000,000, within money's ±922,337,203,685,477.
    [
      '123456789012345.6789',
      123_456_789_012_345.7,
      null,
      [
        ['fs_fee', 'decimal_digits_dropped'],
        ['fs_rate', 'number_out_of_range_dropped'],
      ],
    ],
    [
      '922337203685478',
      null,
      null,
      [
        ['fs_fee', 'number_out_of_range_dropped'],
        ['fs_rate', 'number_out_of_range_dropped'],
      ],
    ],
  ];
  for (const [name, fee, rate, flags] of cases) {
    for (const outcome of transform({ id: '1', name })) {
      if (outcome.kind !== 'rows') throw new Error(JSON.stringify(outcome));
      const { payload } = outcome.rows[0]!;
      expect(JSON.parse(JSON.stringify([payload.fs_fee, payload.fs_rate]))).toEqual([fee, rate]);
      expect(outcome.flags.map((f) => [f.column, f.code])).toEqual(flags);
    }
  }
});
