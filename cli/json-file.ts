import { UsageError } from './errors.ts';

/**
 * The JSON in `text`, read from the file `shown` names. Text that does not parse is a usage error (exit
 * 2) saying where, when the parser tells, and `todo`, without the parser's own words: they quote the
 * text around where it stopped (`Unexpected token 'o', ..."t pain"}, oops]}" is not valid JSON`), and a
 * file given by mistake (a log with pre-images, a sample's report) holds patient data.
 */
export function parseJsonFile(text: string, shown: string, todo: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = /at position \d+(?: \(line \d+ column \d+\))?/.exec((error as Error).message)?.[0];
    throw new UsageError(`${shown} is not JSON${where ? ` (${where})` : ''}: ${todo}`);
  }
}
