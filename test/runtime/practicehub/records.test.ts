import { describe, expect, it } from 'vitest';
import { isUpdatedSince } from '../../../runtime/practicehub/records.ts';
import { machineTimeZone } from '../../support/time-zone.ts';

describe('the client-side updated= filter', () => {
  const setZone = machineTimeZone();

  it('reads a date-time without offset as UTC, as the API does, whatever the machine time zone', () => {
    setZone('Europe/Madrid');
    const record = { id: '1', updated_at: '2024-01-31T09:30:00Z' };
    expect(isUpdatedSince(record, '2024-01-31T10:00:00')).toBe(false);
    expect(isUpdatedSince(record, '2024-01-31T09:30:00')).toBe(true);
    expect(isUpdatedSince(record, '2024-01-31T10:00:00+01:00')).toBe(true);
    expect(isUpdatedSince(record, '2024-01-31')).toBe(true);
    expect(isUpdatedSince({ id: '2', updated_at: '2024-01-31T09:30:00' }, '2024-01-31T09:45:00Z')).toBe(
      false,
    );
  });

  it('keeps a record without a readable updated_at', () => {
    expect(isUpdatedSince({ id: '1' }, '2024-01-31T00:00:00Z')).toBe(true);
    expect(isUpdatedSince({ id: '1', updated_at: 'soon' }, '2024-01-31T00:00:00Z')).toBe(true);
  });
});
