import type { ChoiceOptionSpec } from './spec.ts';

/**
 * The numeric value of a custom choice option. Pinned values win; otherwise the value is derived from
 * the option key alone (FNV-1a hash into the publisher's 10,000 values), so adding, removing or
 * reordering options never renumbers the others. Collisions are reported by the validator (FS125).
 */
export function optionValue(
  optionValuePrefix: number,
  option: Pick<ChoiceOptionSpec, 'key' | 'value'>,
): number {
  if (option.value !== undefined) return option.value;
  let hash = 0x811c9dc5;
  for (const ch of option.key) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return optionValuePrefix * 10000 + (hash % 10000);
}
