import { afterEach } from 'vitest';

/**
 * Lets the tests of the calling describe block set the machine's time zone (Node reads TZ again when
 * it is assigned), restored after each test. Returns the setter.
 */
export function machineTimeZone(): (zone: string) => void {
  const zone = process.env.TZ;
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });
  return (next) => {
    process.env.TZ = next;
  };
}
