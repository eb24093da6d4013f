/**
 * Epoch ms of an ISO 8601 text, a date-time without offset read as UTC, as PracticeHub writes and
 * reads its timestamps and filters: Date.parse would read it in this machine's time zone. NaN when
 * the text is not a date.
 */
export function utcMs(text: string): number {
  const zoned = text.length <= 10 || /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  return Date.parse(zoned ? text : `${text}Z`);
}
