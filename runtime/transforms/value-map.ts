import { flag, refuse } from './issues.ts';
import { asText, isEmpty } from './text.ts';
import type { DropPolicy, Issues } from './types.ts';

/** A value map from source values to choice option values (or labels), as the compiler emits it. */
export interface ValueMap {
  readonly name: string;
  /** Source value as text → target value; null maps the source value to "no value" on purpose. */
  readonly entries: ReadonlyMap<string, number | string | null>;
  /** Used, with a flag, for a source value that has no entry. */
  readonly defaultValue?: number | string;
  /** What happens to a source value with no entry when there is no default. */
  readonly unmapped: DropPolicy;
  readonly caseSensitive: boolean;
}

/** A key as a map that ignores case reads it: trimmed and lower-cased. */
export function foldKey(key: string): string {
  return key.trim().toLowerCase();
}

// Case-folded entries per map, built on first use. A WeakMap keyed by the (immutable) map object: it
// holds nothing a test could observe and goes away with the map.
const FOLDED = new WeakMap<ValueMap, ReadonlyMap<string, number | string | null>>();

function folded(map: ValueMap): ReadonlyMap<string, number | string | null> {
  let entries = FOLDED.get(map);
  if (!entries) {
    const built = new Map<string, number | string | null>();
    // When two keys fold to the same text the first one wins, as in the spec file's order.
    for (const [key, value] of map.entries) {
      const k = foldKey(key);
      if (!built.has(k)) built.set(k, value);
    }
    entries = built;
    FOLDED.set(map, entries);
  }
  return entries;
}

const UNMAPPED = { rejection: 'unmapped_value', flag: 'unmapped_value_dropped' } as const;

/**
 * The entries a lookup reads: the map's own when it is case-sensitive, else its folded ones. Keys are
 * the source value's text (numbers and booleans by their text form, "1", "true"), trimmed: a trailing
 * space ("CASH ") is a typing slip, not another value. Case is folded unless the map is case-sensitive.
 */
function entriesOf(map: ValueMap): ReadonlyMap<string, number | string | null> {
  return map.caseSensitive ? map.entries : folded(map);
}

/**
 * Looks a source value's text up in map entries keyed as value maps key them: as written when the map
 * is case-sensitive (the text is also tried trimmed), else folded (foldKey; `entries` must be keyed so).
 * Also what state maps use. `undefined` when there is no entry.
 */
export function lookupText<V>(
  entries: ReadonlyMap<string, V>,
  caseSensitive: boolean,
  text: string,
): V | undefined {
  const hit = entries.get(text);
  // Folding is idempotent, so text that is a folded key is its own folded form: most values are.
  if (hit !== undefined) return hit;
  if (!caseSensitive) return entries.get(foldKey(text));
  const trimmed = text.trim();
  return trimmed === text ? undefined : entries.get(trimmed);
}

/**
 * Maps one value through a value map. Empty → null. An entry mapped to null → null, no flag. No
 * entry → the map's default with `unmapped_value_defaulted`, or else its `unmapped` policy.
 */
export function mapValue(v: unknown, map: ValueMap, issues: Issues, column: string): number | string | null {
  if (isEmpty(v)) return null;
  return mapNonEmpty(v, map, entriesOf(map), issues, column);
}

/** mapValue for a value that is not empty, with the map's entries (entriesOf) looked up by the caller. */
function mapNonEmpty(
  v: unknown,
  map: ValueMap,
  entries: ReadonlyMap<string, number | string | null>,
  issues: Issues,
  column: string,
): number | string | null {
  const text = asText(v);
  const hit = text === null ? undefined : lookupText(entries, map.caseSensitive, text);
  return hit === undefined ? unmapped(map, issues, column) : hit;
}

/** A value with no entry: the map's default, with a flag, or else its `unmapped` policy. */
function unmapped(map: ValueMap, issues: Issues, column: string): number | string | null {
  if (map.defaultValue !== undefined) {
    flag(issues, column, 'unmapped_value_defaulted', `value not in map '${map.name}'; default used`);
    return map.defaultValue;
  }
  return refuse(issues, column, map.unmapped, UNMAPPED, `value not in map '${map.name}'`);
}

// "You can select only 150 options for a single column"
// (learn.microsoft.com/power-apps/developer/data-platform/multi-select-picklist).
const MAX_CHOICES = 150;
const SHORT_LIST = 16;

/**
 * Maps each element of a list through a value map (a single value counts as a list of one). Elements
 * follow mapValue's rules one by one; null results are left out, duplicates removed, first order kept.
 * - as 'choices': the Web API form of a choices (multi-select) column, the option values as one string
 *   separated by commas in ascending order, "100000000,100000002" ("set the values by passing a string containing
 *   comma-separated number values", multi-select-picklist page above). At most 150 are kept, with a
 *   `truncated` flag.
 * - as 'text': the mapped values joined by `delimiter`.
 * No value left → null (the Web API clears a choices column with null).
 */
export function multiMap(
  values: unknown,
  map: ValueMap,
  as: 'choices' | 'text',
  delimiter: string,
  issues: Issues,
  column: string,
): string | null {
  if (isEmpty(values)) return null;
  const list: readonly unknown[] = Array.isArray(values) ? values : [values];
  let entries: ReadonlyMap<string, number | string | null> | undefined; // looked up once, on first use
  // Values are told apart by their text form, the form written. While all of them are numbers other
  // than NaN (option values: nearly always), the numbers stand in for their text, converted once at
  // the end: distinct numbers print distinct text (the shortest that reads back as the same number),
  // 0 and -0 both print "0" and are ===, and each reads back from its text as itself or, for -0, as
  // 0, which orders the same. The first value of another kind turns the numbers kept into text.
  let numbers: number[] | undefined = list.length > SHORT_LIST ? undefined : [];
  // Short lists (all real ones) look for duplicates in `out`; a Set only for long ones.
  const seen = numbers ? undefined : new Set<string>();
  let out: string[] = [];
  for (const element of list) {
    if (isEmpty(element)) continue;
    entries ??= entriesOf(map);
    const mapped = mapNonEmpty(element, map, entries, issues, column);
    if (mapped === null) continue;
    if (numbers) {
      if (typeof mapped === 'number' && !Number.isNaN(mapped)) {
        if (!numbers.includes(mapped)) numbers.push(mapped);
        continue;
      }
      out = numbers.map(String);
      numbers = undefined;
    }
    const text = String(mapped);
    if (seen ? seen.has(text) : out.includes(text)) continue;
    seen?.add(text);
    out.push(text);
  }
  if (numbers) return joinNumbers(numbers, as, delimiter);
  if (out.length === 0) return null;
  if (as === 'choices') {
    // A choices column holds a set: ascending option values give one form per set, so an unchanged
    // set compares (and hashes) equal to what Dataverse returns.
    sortNumerically(out);
    if (out.length > MAX_CHOICES) {
      flag(
        issues,
        column,
        'truncated',
        `kept ${MAX_CHOICES} of ${out.length} choices, the most a column holds`,
      );
      out.length = MAX_CHOICES;
    }
    return out.length === 1 ? out[0]! : out.join(',');
  }
  return out.length === 1 ? out[0]! : out.join(delimiter);
}

/**
 * multiMap's result for a short list of distinct numbers (none NaN): as sortNumerically and join would
 * give it for their text. Short lists stay under the 150 cap.
 */
function joinNumbers(numbers: number[], as: 'choices' | 'text', delimiter: string): string | null {
  if (numbers.length === 0) return null;
  if (numbers.length === 1) return String(numbers[0]);
  if (as === 'text') return joined(numbers, delimiter);
  // Insertion, as sortNumerically does for short lists of numbers.
  for (let i = 1; i < numbers.length; i += 1) {
    const n = numbers[i]!;
    let j = i - 1;
    for (; j >= 0 && numbers[j]! > n; j -= 1) numbers[j + 1] = numbers[j]!;
    numbers[j + 1] = n;
  }
  return joined(numbers, ',');
}

/** `numbers.join(delimiter)` for a short list, built by concatenation: join's set-up costs more here. */
function joined(numbers: readonly number[], delimiter: string): string {
  let text = String(numbers[0]);
  for (let i = 1; i < numbers.length; i += 1) text += delimiter + String(numbers[i]);
  return text;
}

/**
 * Sorts option values (as text) in ascending numeric order, keeping the order of equals as
 * Array.prototype.sort does: by insertion for short lists, where sort's set-up costs more than the work.
 */
function sortNumerically(out: string[]): void {
  // Text that is not a number compares as NaN, where insertion and sort part ways: sort decides then.
  if (out.length > SHORT_LIST || out.some((text) => Number.isNaN(Number(text)))) {
    out.sort((a, b) => Number(a) - Number(b));
    return;
  }
  for (let i = 1; i < out.length; i += 1) {
    const text = out[i]!;
    const n = Number(text);
    let j = i - 1;
    for (; j >= 0 && Number(out[j]) > n; j -= 1) out[j + 1] = out[j]!;
    out[j + 1] = text;
  }
}
