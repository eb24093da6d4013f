/**
 * Rows as text columns two spaces apart, each as wide as its widest cell (header included): columns
 * for which `right(i)` holds are right-aligned (counts), the others left-aligned; no trailing spaces.
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  right: (column: number) => boolean,
): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    `${row
      .map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()}\n`;
  return cells.map(line).join('');
}
