/**
 * Orders two texts by their UTF-16 code units: the same order on every machine, where localeCompare
 * follows the locale (LANG) of the machine it runs on, so that the same spec gives the same generated
 * bytes, lock and reports everywhere.
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
