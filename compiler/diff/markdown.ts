import { markdownText as planText } from '../emit/plan/schema-plan.ts';
import type { Marks } from './explain.ts';

// GitHub makes `@name` a mention (it notifies the person or team), and `#123`, `GH-123` and
// `owner/repo#123` links to an issue or pull request, in the text of a comment outside code (GitHub
// Docs, "Autolinked references and URLs"). A backslash (`\@`, `\#`) and a character reference (`&#64;`,
// `&commat;`, `&#35;`) do not stop it, as GitHub finds them after rendering (github/cmark-gfm#181 "At
// sign and hash escaping is not possible", github/markup#1168); a code span does, but changes how the
// text reads. An empty HTML comment after the sign does (the workaround given in
// github/cmark-gfm#181): GitHub leaves it out of the page, so the text reads and copies as written.
// An `@` after a letter or digit (an email address) is no mention and is left as it is.
const REFERENCE = /(?<![A-Za-z0-9])@(?=[A-Za-z0-9])|#(?=[0-9])|(?<![A-Za-z0-9])GH-(?=[0-9])/gi;
const NO_REFERENCE = '<!-- -->';

/** Markdown text from spec strings: one line, HTML and Markdown syntax escaped, no mention nor issue link. */
export function markdownText(text: unknown): string {
  return planText(text).replace(REFERENCE, (c) => `${c}${NO_REFERENCE}`);
}

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
 * break can be formed; mentions and issue numbers are broken as in `markdownText`.
 */
export function htmlText(text: string): string {
  // One pass, so the `#` of the references written here is not taken for an issue number.
  return text.replace(
    new RegExp(`[&<>"'\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]|${REFERENCE.source}`, 'gi'),
    (c) => (c === '@' || c === '#' || c.length > 1 ? `${c}${NO_REFERENCE}` : `&#${c.codePointAt(0)};`),
  );
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
