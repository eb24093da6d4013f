import { ZoneClock } from '../../../runtime/transforms/time-zone.ts';
import type { PendingDiagnostic } from '../../diagnostics/diagnostic.ts';
import { didYouMean } from '../../diagnostics/suggest.ts';
import { finding, type Rule } from '../rule.ts';

/** Whether the runtime knows the zone: the date steps build their ZoneClock from it, which throws otherwise. */
function knownZone(zone: string): boolean {
  try {
    new ZoneClock(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * FS141: a time zone the runtime does not know, in target.time_zone or a date_only/datetime step.
 * The schemas only check the name's form; an unknown zone would pass every check and stop the run at
 * its first date.
 */
export const timeZones: Rule = (ctx) => {
  const zones: { zone: string; file: string; pointer: string }[] = [];
  const m = ctx.migration;
  if (m) zones.push({ zone: m.timeZone, file: m.file, pointer: '/target/time_zone' });
  for (const o of ctx.objects) {
    for (const f of o.fields) {
      for (const step of f.transform) {
        const zone = step.params.time_zone;
        if ((step.name === 'date_only' || step.name === 'datetime') && typeof zone === 'string')
          zones.push({ zone, file: o.file, pointer: `${step.pointer}/${step.name}/time_zone` });
      }
    }
  }
  const out: PendingDiagnostic[] = [];
  for (const { zone, file, pointer } of zones) {
    if (knownZone(zone)) continue;
    out.push(
      finding(
        'FS141',
        'error',
        file,
        pointer,
        `unknown time zone '${zone}'.${didYouMean(zone, ['UTC', ...Intl.supportedValuesOf('timeZone')])}`,
        'write an IANA time zone name, Area/City as in Europe/London or America/New_York, or UTC',
      ),
    );
  }
  return out;
};
