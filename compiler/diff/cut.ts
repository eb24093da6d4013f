import { plural } from './markdown.ts';

/** Lines that open a section or a table and show nothing alone. */
const HEAD = /^(<details>|<summary>.*|\| (--- \| )*--- \||)$/;
const SEPARATOR = /^\| (--- \| )*--- \|$/;

/** The depth of `<details>` sections open after each line; spec text cannot write these lines (`<` is escaped). */
function depths(lines: readonly string[]): number[] {
  let depth = 0;
  return lines.map((line) => {
    if (line === '<details>') depth += 1;
    else if (line === '</details>') depth -= 1;
    return depth;
  });
}

/**
 * The Markdown of a diff cut to at most `maxBytes` UTF-8 bytes, for a place that holds no more (a
 * pull-request comment holds 65,536 characters). Whole blocks are kept, up to a blank line outside any
 * `<details>`, so no section is left open and no table or list is split; a last line says what is left
 * out. Only a block too long to ever fit (over half the budget) is cut inside, after a whole line,
 * with the sections open there closed. Markdown that fits is returned as it is.
 */
export function cutMarkdown(markdown: string, maxBytes: number): string {
  if (Buffer.byteLength(markdown, 'utf8') <= maxBytes) return markdown;
  const lines = markdown.replace(/\n$/, '').split('\n');
  const depth = depths(lines);
  // before[at]: the bytes of the first `at` lines with their line breaks; sections[at]: the collapsed
  // sections from line `at` on.
  const before = [0];
  for (const line of lines) before.push(before.at(-1)! + Buffer.byteLength(line, 'utf8') + 1);
  const sections = new Array<number>(lines.length + 1).fill(0);
  for (let i = lines.length - 1; i >= 0; i -= 1)
    sections[i] = sections[i + 1]! + (lines[i] === '<details>' && depth[i] === 1 ? 1 : 0);
  const headings = lines.flatMap((line, i) => (line.startsWith('### ') ? [{ i, name: line.slice(4) }] : []));

  /** The end of a diff cut before line `at`: the sections open there closed, and what is left out. */
  const end = (at: number): string[] => {
    const open = depth[at - 1] ?? 0;
    const what = [
      open > 0 ? 'the rest of this section' : '',
      sections[at] ? plural(sections[at]!, 'collapsed section') : '',
      ...headings.filter((h) => h.i >= at).map((h) => h.name),
    ].filter(Boolean);
    const closing = Array.from({ length: open }, () => ['', '</details>']).flat();
    const blank = (closing.length ? closing.at(-1) : lines[at - 1]) === '' ? [] : [''];
    return [
      ...closing,
      ...blank,
      `*The diff is cut here to keep within ${maxBytes} bytes; not shown: ${what.join(', ')}. \`flitstack diff\` prints it whole.*`,
    ];
  };
  const size = (at: number) => before[at]! + Buffer.byteLength(`${end(at).join('\n')}\n`, 'utf8');
  const fits = (at: number) => size(at) <= maxBytes;

  // A block starts after a blank line at the top level; the title always fits the smallest budget.
  const starts = lines.map((_, at) => at).filter((at) => lines[at - 1] === '' && depth[at - 1] === 0);
  const best = starts.filter(fits).at(-1) ?? 1;
  const next = starts.find((at) => at > best) ?? lines.length;
  let at = best;
  if (before[next]! - before[best]! > maxBytes / 2) while (at + 1 < next && fits(at + 1)) at += 1;
  // A section cut inside keeps at least one line of its content: not its opening, summary or table head.
  while (at > best && (HEAD.test(lines[at - 1]!) || SEPARATOR.test(lines[at] ?? ''))) at -= 1;
  return `${[...lines.slice(0, at), ...end(at)].join('\n')}\n`;
}
