import { describe, expect, it } from 'vitest';
import { csvField, csvLine, LOG_COLUMNS } from '../../../runtime/journal/index.ts';
import { created, guid, openTemp, parseCsv, progressAfter } from './helpers.ts';

const start = { kind: 'run', specHash: 's', codeHash: 'c' } as const;

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1 555', "'+1 555"],
    ['-2,3', `"'-2,3"`],
    ['@cmd', "'@cmd"],
    [null, ''],
    [42, '42'],
    [false, 'false'],
    [[{ code: 'x' }], '"[{""code"":""x""}]"'],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('ends each record with CRLF', () => {
    expect(csvLine(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });
});

describe('exportLog', () => {
  function journalWithOddText() {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    journal.recordPage(
      run.id,
      'patients',
      1,
      [
        created('contact', 1, {
          flags: [{ column: 'description', code: 'truncated', detail: 'cut, "quoted"' }],
          preImage: { firstname: 'SECRET-PATIENT-NAME' },
          action: 'update',
        }),
        {
          mapping: 'contact',
          sourceId: '2',
          action: 'reject',
          reason: 'email "a,b"\nhas a line break',
          error: { code: '0x80040217', message: '=HYPERLINK("x")' },
        },
      ],
      [],
      progressAfter(1, 2),
    );
    return { journal, run };
  }

  it('writes CSV that reads back field for field, without pre-images', async () => {
    const { journal, run } = journalWithOddText();
    let out = '';
    const count = await journal.exportLog(run.id, 'csv', (chunk) => {
      out += chunk;
    });
    expect(count).toBe(2);
    expect(out).not.toContain('SECRET-PATIENT-NAME');
    const rows = parseCsv(out);
    expect(rows[0]).toEqual([...LOG_COLUMNS]);
    expect(rows).toHaveLength(3);
    const record = (i: number) => Object.fromEntries(LOG_COLUMNS.map((c, j) => [c, rows[i]![j]]));
    expect(record(1)).toMatchObject({
      id: '1',
      action: 'update',
      target_id: guid(1),
      flags: '[{"column":"description","code":"truncated","detail":"cut, \\"quoted\\""}]',
      has_pre_image: 'true',
      reason: '',
    });
    expect(record(2)).toMatchObject({
      action: 'reject',
      reason: 'email "a,b"\nhas a line break',
      error_code: '0x80040217',
      error_message: `'=HYPERLINK("x")`,
      has_pre_image: 'false',
    });
  });

  it('writes a JSON array, one entry per line', async () => {
    const { journal, run } = journalWithOddText();
    let out = '';
    await journal.exportLog(run.id, 'json', (chunk) => {
      out += chunk;
    });
    expect(out).not.toContain('SECRET-PATIENT-NAME');
    expect(out.split('\n')).toHaveLength(5);
    const entries = JSON.parse(out) as Record<string, unknown>[];
    expect(entries.map((e) => [e.id, e.action, e.reason])).toEqual([
      [1, 'update', null],
      [2, 'reject', 'email "a,b"\nhas a line break'],
    ]);
    expect(entries[1]!.error_message).toBe('=HYPERLINK("x")');
  });

  it('writes an empty log for a run without operations, and refuses an unknown run', async () => {
    const { journal } = openTemp();
    const run = journal.startRun(start);
    let json = '';
    let csv = '';
    const toJson = (chunk: string) => {
      json += chunk;
    };
    expect(await journal.exportLog(run.id, 'json', toJson)).toBe(0);
    await journal.exportLog(run.id, 'csv', (chunk) => {
      csv += chunk;
    });
    expect(JSON.parse(json)).toEqual([]);
    expect(csv).toBe(csvLine(LOG_COLUMNS));
    await expect(journal.exportLog(99, 'csv', () => {})).rejects.toThrow(/not in the journal/);
  });

  it('streams in pieces and waits for a slow writer', async () => {
    const { journal } = openTemp({ chunkSize: 100 });
    const run = journal.startRun(start);
    for (let page = 1; page <= 20; page += 1) {
      const ops = Array.from({ length: 100 }, (_, i) => created('contact', page * 1000 + i));
      journal.recordPage(run.id, 'patients', page, ops, [], progressAfter(page, 100));
    }
    const sizes: number[] = [];
    let pending = 0;
    let maxPending = 0;
    const count = await journal.exportLog(run.id, 'csv', async (chunk) => {
      pending += 1;
      maxPending = Math.max(maxPending, pending);
      sizes.push(chunk.length);
      await new Promise((resolve) => setTimeout(resolve, 1));
      pending -= 1;
    });
    expect(count).toBe(2000);
    expect(sizes.length).toBeGreaterThan(3);
    expect(Math.max(...sizes)).toBeLessThan(80 * 1024);
    expect(maxPending).toBe(1);
  });
});
