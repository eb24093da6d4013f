import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeArchive } from '../../../runtime/run/archive.ts';
import { tempDir } from '../../support/tmp.ts';

const ARCHIVE = {
  name: [{ text: 'training/' }, { path: ['staff_id'] }, { text: '.csv' }],
  columns: [['staff_id'], ['course'], ['completed_on']],
  urlColumn: 'fs_traininglogurl',
};

describe('archive files', () => {
  it('writes a CSV only its owner may read, in directories only its owner may enter', () => {
    const dir = join(tempDir(), 'archive');
    const url = writeArchive(ARCHIVE, { dir, baseUrl: 'https://files.clinic.test/archive/' }, [
      { staff_id: '42', course: 'Fire safety', completed_on: '2024-03-05' },
      { staff_id: '42', course: '=HYPERLINK("x")', completed_on: '2024-04-01' },
    ]);
    const path = join(dir, 'training', '42.csv');
    expect(url).toBe('https://files.clinic.test/archive/training/42.csv');
    expect(readFileSync(path, 'utf8')).toBe(
      `staff_id,course,completed_on\r\n42,Fire safety,2024-03-05\r\n42,"'=HYPERLINK(""x"")",2024-04-01\r\n`,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'training')).mode & 0o777).toBe(0o700);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
