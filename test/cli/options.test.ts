import { describe, expect, it } from 'vitest';
import { durationSeconds } from '../../cli/actions/delta.ts';
import { UsageError } from '../../cli/errors.ts';
import { numberOption, rateOption, runOption } from '../../cli/options.ts';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('no usage error');
};

describe('numeric options of the CLI', () => {
  it('take plain digits only, naming the option and what it must be', () => {
    expect(numberOption('scale', '0.5')).toBe(0.5);
    expect(numberOption('seed', '0', { integer: true, zero: true })).toBe(0);
    expect(runOption(' 12 ')).toBe(12);
    expect(rateOption(undefined)).toBeUndefined();
    for (const text of ['', ' ', '0x10', '1e3', '-1', 'NaN', 'Infinity', '1.5.2'])
      expect(refusal(() => numberOption('scale', text))).toBe(
        `--scale must be a positive number, got '${text}'`,
      );
    expect(refusal(() => runOption('1.5'))).toBe("--run must be a positive whole number, got '1.5'");
    expect(refusal(() => runOption('0'))).toBe("--run must be a positive whole number, got '0'");
    expect(refusal(() => runOption('99999999999999999999'))).toContain('--run must be');
    expect(refusal(() => rateOption('0'))).toBe("--rate must be a positive number, got '0'");
  });

  it('hold a bound where one exists: a port is at most 65535', () => {
    const port = (text: string) =>
      numberOption('dataverse-port', text, { integer: true, zero: true, max: 65_535 });
    expect(port('65535')).toBe(65_535);
    expect(refusal(() => port('70000'))).toBe(
      "--dataverse-port must be a whole number up to 65535, got '70000'",
    );
  });

  it('read an overlap as a duration of at most ten years', () => {
    expect(durationSeconds('10m')).toBe(600);
    expect(durationSeconds('90')).toBe(90);
    expect(durationSeconds('1.5h')).toBe(5400);
    expect(refusal(() => durationSeconds('999999999d'))).toContain('at most 3650d');
    expect(refusal(() => durationSeconds('10 minutes'))).toContain('--overlap must be a duration');
  });
});
