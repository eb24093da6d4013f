/**
 * Edit distance where swapping two neighbouring letters counts as one edit (optimal string alignment,
 * a restricted Damerau-Levenshtein): typing slips such as `form` for `from` are one edit, not two.
 * Bounded: returns `limit + 1` as soon as the distance is known to exceed it.
 */
export function editDistance(a: string, b: string, limit = 64): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, beforePrevious[j - 2]! + 1);
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    // A row's minimum exceeds the one before it by at most 1, so once a row is past the limit the row
    // before was at least at it, and no later row (swaps included) can come back under it.
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The closest candidate to `word` ("did you mean"), or undefined when nothing is close enough.
 * Close enough: at most a third of the word's length in edits (at least 1, at most 4), or the same
 * letters ignoring case, underscores and hyphens.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const limit = Math.min(4, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    if (squash(candidate) === squash(word)) return candidate;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase(), limit);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** " Did you mean 'x'?" or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` Did you mean '${match}'?`;
}
