import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archiveSegment, writeArchive } from '../../../runtime/run/archive.ts';
import { tempDir } from '../../support/tmp.ts';

const ARCHIVE = {
  name: [{ text: 'training/' }, { path: ['staff_id'] }, { text: '.csv' }],
  columns: [['staff_id'], ['course'], ['completed_on']],
  urlColumn: 'fs_traininglogurl',
};
const BASE = 'https://files.clinic.test/archive/';

describe('archive files', () => {
  it('writes a CSV only its owner may read, in directories only its owner may enter', () => {
    const dir = join(tempDir(), 'archive');
    const url = writeArchive(ARCHIVE, { dir, baseUrl: BASE }, [
      { staff_id: '42', course: 'Fire safety', completed_on: '2024-03-05' },
      { staff_id: '42', course: '=HYPERLINK("x")', completed_on: '2024-04-01' },
    ]);
    const [name] = readdirSync(join(dir, 'training'));
    expect(name).toMatch(/^42\.[0-9a-f]{8}\.csv$/);
    const path = join(dir, 'training', name!);
    expect(url).toBe(`${BASE}training/${name}`);
    expect(readFileSync(path, 'utf8')).toBe(
      `staff_id,course,completed_on\r\n42,Fire safety,2024-03-05\r\n42,"'=HYPERLINK(""x"")",2024-04-01\r\n`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'training')).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('names each version of a log apart, so a rewritten log leaves the earlier one as it was', () => {
    const dir = join(tempDir(), 'archive');
    const earlier = [{ staff_id: '42', course: 'Infection Prevention', completed_on: '2017-12-15' }];
    const later = [...earlier, { staff_id: '42', course: 'Manual Handling', completed_on: '2010-01-01' }];
    const first = writeArchive(ARCHIVE, { dir, baseUrl: BASE }, earlier);
    const second = writeArchive(ARCHIVE, { dir, baseUrl: BASE }, later);
    expect(second).not.toBe(first);
    // The same records give the same name on every run, a resumed one included.
    expect(writeArchive(ARCHIVE, { dir, baseUrl: BASE }, earlier)).toBe(first);
    const read = (url: string) => readFileSync(join(dir, url.slice(BASE.length)), 'utf8');
    expect(read(first)).toBe('staff_id,course,completed_on\r\n42,Infection Prevention,2017-12-15\r\n');
    expect(read(second)).toContain('Manual Handling');
  });

  it.each([
    ['AB/12', 'AB 12'],
    ['AB12', 'ab12'],
    ['x'.repeat(130), `${'x'.repeat(120)}y`],
    ['', 'file'],
    ['a~1', 'a_1'],
  ])('keeps the logs of groups %j and %j apart', (a, b) => {
    const dir = join(tempDir(), 'archive');
    const log = (staff_id: string) =>
      writeArchive(ARCHIVE, { dir, baseUrl: BASE }, [{ staff_id, course: 'Fire safety', completed_on: '' }]);
    const urls = [log(a), log(b)];
    expect(urls[0]!.toLowerCase()).not.toBe(urls[1]!.toLowerCase());
    expect(readdirSync(join(dir, 'training'))).toHaveLength(2);
    // Deterministic: a later run names the same group's log the same.
    expect(log(a)).toBe(urls[0]);
  });

  it.each([
    ['42', '42'],
    ['staff.7', 'staff.7'],
    ['AB/12', /^AB_12~[0-9a-f]{8}$/],
    ['Ab12', /^Ab12~[0-9a-f]{8}$/],
    ['../../etc', /^[^.].*~[0-9a-f]{8}$/],
  ])('names the group %j as one path segment', (value, expected) => {
    const segment = archiveSegment(value);
    if (typeof expected === 'string') expect(segment).toBe(expected);
    else expect(segment).toMatch(expected);
    expect(segment).not.toContain('/');
  });
});
