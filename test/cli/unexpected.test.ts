import { describe, expect, it } from 'vitest';
import { unexpected } from '../../cli/main.ts';

describe('an error of no known kind', () => {
  const error = new SyntaxError('Unexpected token \'<\', "<p>Ngaio Turner, 1992-09-03"... is not valid JSON');

  it('is named with the command and where it was thrown, without its message, which may quote record values', () => {
    const text = unexpected(error, 'run', false);
    expect(text).toMatch(
      /^error: flitstack run stopped on an unexpected SyntaxError: this is a bug in flitstack\n/,
    );
    expect(text).toContain('FLITSTACK_DEBUG=1');
    expect(text).toMatch(/\n\s+at .*unexpected\.test\.ts/);
    expect(text).not.toContain('Ngaio');
  });

  it('is printed whole, message included, with FLITSTACK_DEBUG=1', () => {
    expect(unexpected(error, 'run', true)).toContain('Ngaio Turner');
  });

  it('names what was thrown when it is no Error', () => {
    expect(unexpected('boom', '', false)).toBe(
      'error: flitstack stopped on an unexpected string: this is a bug in flitstack\n' +
        "  hint: what was journaled before it stays (runs and rollbacks resume where they stopped); report the command and the lines below. The error's message is left out, since it may quote record values; FLITSTACK_DEBUG=1 prints it\n",
    );
  });
});
