import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../cli/io.ts';
import { run } from '../../cli/main.ts';
import { ROOT } from '../support/tmp.ts';

async function help(...command: string[]): Promise<string> {
  const io = bufferIo(ROOT);
  const code = await run(['node', 'flitstack', ...command, '--help'], io);
  expect(code, command.join(' ')).toBe(0);
  return io.stdout();
}

/** The commands `--help` lists (the first word of each entry under "Commands:"), help itself left out. */
function commands(text: string): string[] {
  const section = text.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

/** Each option's entry of a help text, its wrapped lines joined. */
function optionEntries(text: string): string[] {
  const section = text.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return section.split(/\n(?= {2}-)/).map((entry) => entry.replace(/\s+/g, ' ').trim());
}

describe('flitstack --help', () => {
  it('states each default once, on every command and subcommand', async () => {
    const seen: string[] = [];
    const visit = async (command: string[]): Promise<void> => {
      const text = await help(...command);
      seen.push(command.join(' '));
      for (const entry of optionEntries(text))
        expect(entry.match(/\(default:/g)?.length ?? 0, `${command.join(' ')}: ${entry}`).toBeLessThan(2);
      for (const sub of commands(text)) await visit([...command, sub]);
    };
    await visit([]);
    expect(seen).toEqual(expect.arrayContaining(['sandbox', 'compile', 'run', 'schema apply']));
  });
});

describe('flitstack without a command', () => {
  it('prints help and exits 2 (usage) when a command or subcommand is missing; asked for, help exits 0', async () => {
    const exit = async (...args: string[]) => {
      const io = bufferIo(ROOT);
      const code = await run(['node', 'flitstack', ...args], io);
      return { code, text: io.stdout() + io.stderr() };
    };
    const none = await exit();
    expect(none.code).toBe(2);
    expect(none.text).toContain('Usage: flitstack');
    expect((await exit('schema')).code).toBe(2);
    expect((await exit('help')).code).toBe(0);
    expect((await exit('help', 'run')).code).toBe(0);
  });
});

describe('flitstack confirm --help', () => {
  it('names every reason confirm refuses, a file in generated/ that compile does not write included', async () => {
    const text = (await help('confirm')).replace(/\s+/g, ' ');
    expect(text).toContain(
      'refuses while proposed lines remain, the spec has errors, or generated/ is stale or holds a file compile does not write',
    );
    expect(text).toContain(
      '1 refused (proposed lines, errors, stale generated files, a file in generated/ compile does not write)',
    );
  });
});

describe('flitstack delta --help', () => {
  it('says that an --overlap without a unit is in seconds', async () => {
    const overlap = optionEntries(await help('delta')).find((e) => e.startsWith('--overlap'));
    expect(overlap).toContain('a number without a unit is seconds (90 is 90s)');
  });
});
