import { describe, expect, it } from 'vitest';
import { normalizeTimestamp } from '../../../runtime/journal/progress.ts';
import { machineTimeZone } from '../../support/time-zone.ts';

describe('journal timestamps', () => {
  const setZone = machineTimeZone();

  it('read a date-time without offset as UTC, as PracticeHub means it, whatever the machine zone', () => {
    setZone('Asia/Tokyo');
    expect(normalizeTimestamp('2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(normalizeTimestamp('2024-05-01T10:00:00+02:00')).toBe('2024-05-01T08:00:00.000Z');
    expect(normalizeTimestamp('2024-05-01T08:00:00Z')).toBe('2024-05-01T08:00:00.000Z');
    expect(normalizeTimestamp('not a time')).toBeNull();
  });
});
