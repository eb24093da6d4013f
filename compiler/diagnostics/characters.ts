/**
 * Characters that a name cannot hold but that read as one it can: letters of other scripts drawn like
 * Latin ones, dashes, and spaces or marks that show as nothing. Text pasted from a document or a chat
 * brings them in, and a message that quotes the name shows it unchanged, so it must say which one.
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  і: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  ѕ: 's',
  т: 't',
  у: 'y',
  х: 'x',
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ı: 'i',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\uff3f': '_',
};

/** Spaces and marks that show as a space or as nothing. */
const INVISIBLE = /[\u00a0\u00ad\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/u;

/** U+XXXX of a character. */
function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A character a name cannot hold: where it is, what it is, and what to do about it. */
export interface StrangeCharacter {
  /** UTF-16 index in the text. */
  readonly index: number;
  readonly words: string;
  readonly fix: string;
}

/** The first character of `text` outside printable ASCII, with words that say what it is and what to do. */
export function strangeCharacter(text: string): StrangeCharacter | undefined {
  let index = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || code > 0x7e) return { index, ...describe(ch, code) };
    index += ch.length;
  }
  return undefined;
}

function describe(ch: string, code: number): { words: string; fix: string } {
  const like = LOOKALIKES[ch];
  if (like)
    return {
      words: `'${ch}' (${codePoint(ch)}), which looks like '${like}' but is another character`,
      fix: `retype it as '${like}' with the keyboard (text pasted from a document or chat brings such characters)`,
    };
  if (INVISIBLE.test(ch))
    return {
      words: `${ch === '\u00a0' ? 'a non-breaking space' : 'an invisible character'} (${codePoint(ch)})`,
      fix: 'delete it, or type a plain space where a space belongs',
    };
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f))
    return { words: `a control character (${codePoint(ch)})`, fix: 'delete it' };
  if (code >= 0xd800 && code <= 0xdfff)
    return {
      words: `half of a character (${codePoint(ch)}, a surrogate without its pair: text cut inside an emoji or other character)`,
      fix: 'delete it, or write the whole character',
    };
  return {
    words: `'${ch}' (${codePoint(ch)}), which is not plain ASCII`,
    fix: 'write it with plain ASCII letters (é as e, ß as ss)',
  };
}

// Control characters other than the line feed, which a terminal would act on instead of showing (a bell,
// a carriage return that overwrites the line), and halves of surrogate pairs, which print as U+FFFD.
// Line feeds stay: messages and hints may span lines. (With the u flag, a surrogate range matches only
// a surrogate without its pair.)
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ud800-\udfff]/u;
const NOT_SHOWN = new RegExp(`${INVISIBLE.source}|${CONTROL.source}`, 'gu');

/**
 * Text as a message quotes it: spaces and marks that would not show, control characters other than
 * the line feed, and halves of surrogate pairs are written as <U+XXXX>.
 */
export function visible(text: string): string {
  return text.replace(NOT_SHOWN, (ch) => `<${codePoint(ch)}>`);
}
