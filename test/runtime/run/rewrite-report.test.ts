import { describe, expect, it } from 'vitest';
import { RewriteReportError, reportedRows } from '../../../runtime/run/rewrite.ts';
import { openTemp } from '../journal/helpers.ts';

describe('the reconcile report a rewrite reads', () => {
  it('refuses a file that is not JSON without quoting what the file holds', () => {
    const { journal } = openTemp();
    const text = '{"run": {"id": 1}, "differences": [ Jane Example, 1970-01-01 ]';
    const read = () => reportedRows(text, journal, 'reconcile.json');
    expect(read).toThrow(RewriteReportError);
    expect(read).toThrow('reconcile.json is not JSON: run flitstack reconcile to write the report again');
    try {
      read();
    } catch (error) {
      expect((error as Error).message).not.toContain('Jane');
    }
  });
});
