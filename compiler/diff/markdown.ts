import { markdownText } from '../emit/plan/schema-plan.ts';
import type { Marks } from './explain.ts';

export { markdownText };

const IDENTIFIER = /^[A-Za-z0-9_.@-]+$/;

/**
 * A name (column, table, mapping, option key) as a code span. Only plain identifiers go into code
 * spans, where nothing can be escaped; anything else is shown as escaped text.
 */
export function mdName(name: string): string {
  return IDENTIFIER.test(name) ? `\`${name}\`` : markdownText(name);
}

/** A label the user typed (a git ref, a directory) as a code span, or escaped text if it cannot be one. */
export function mdLabel(label: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters cannot sit in a code span
  return /^[^`|\u0000-\u001f\u007f\u2028\u2029]+$/.test(label) ? `\`${label}\`` : markdownText(label);
}

/**
 * Text inside raw HTML (a `<summary>` line, where Markdown is not parsed): markup characters, control
 * characters and line separators become numeric character references, so no tag, entity or line
 * break can be formed.
 */
export function htmlText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is encoded
  return text.replace(/[&<>"'\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `&#${c.codePointAt(0)};`);
}

/** Markdown marks for risk notes and other sentences. */
export const MARKDOWN: Marks = { name: mdName, text: markdownText };

/** A GitHub table; cells are Markdown already escaped. An empty cell is shown as a dash. */
export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cell = (c: string) => (c === '' ? '–' : c);
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** A collapsible section: HTML summary (escaped here), Markdown body with the blank lines GitHub needs. */
export function mdDetails(summaryHtml: string, body: readonly string[]): string[] {
  return ['<details>', `<summary>${summaryHtml}</summary>`, '', ...body, '', '</details>', ''];
}

/** `n thing` / `n things`. */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;
