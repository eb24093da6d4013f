/**
 * Bench: the transform steps on the PracticeHub sandbox's own patient and appointment data (scale 1,
 * messy cases included), in CPU ns per call, and a 25-field contact mapping written with one call per
 * step (as the interpreter runs steps; the generated code runs a field's leading text steps as one
 * cleanText call), in records per second on one core. The target is ≥ 200,000 records/s.
 * Run: npx tsx bench/transforms.ts [--ms 300]
 */

import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import * as t from '../runtime/transforms/index.ts';
import type { PhRecord } from '../sandbox/practicehub/index.ts';
import { startPracticeHubSandbox } from '../sandbox/practicehub/index.ts';
import { carePlan, contact, contactMethods } from './transforms-contact.ts';

const RECORDS_PER_SECOND_TARGET = 200_000;

const msArg = process.argv.indexOf('--ms');
const budgetMs = msArg > 0 ? Number(process.argv[msArg + 1]) : 300;
const out = (s: string): boolean => process.stdout.write(`${s}\n`);

async function sandboxRecords(): Promise<{ patients: PhRecord[]; appointments: PhRecord[] }> {
  const sandbox = await startPracticeHubSandbox({ scale: 1 });
  try {
    return { patients: [...sandbox.records('patients')], appointments: [...sandbox.records('appointments')] };
  } finally {
    await sandbox.close();
  }
}

/** CPU time this process has used, in ns (user + system): unlike wall time, other processes on a
 * shared machine do not add to it. */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

// One Issues for every call, emptied after each round as the pipeline empties it after each record.
const issues = t.newIssues();
const reset = () => {
  issues.flags.length = 0;
  issues.rejections.length = 0;
};

/** Runs `fn` over the inputs in rounds for the budget, in five slices; CPU ns per call of the fastest slice. */
function nsPerCall<T>(few: readonly T[], fn: (input: T) => unknown): number {
  // Rounds of at least 2,000 calls, so that reading the clock between rounds costs nothing in comparison.
  let inputs = few;
  while (inputs.length < 2000) inputs = inputs.concat(few);
  let sink = 0;
  const round = () => {
    for (const input of inputs) sink += fn(input) === null ? 1 : 0;
    reset();
  };
  for (let i = 0; i < 3; i += 1) round(); // warm up the JIT
  const slice = (budgetMs / 5) * 1e6;
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 5; k += 1) {
    let calls = 0;
    const start = cpuNs();
    let elapsed = 0;
    while (elapsed < slice) {
      round();
      calls += inputs.length;
      elapsed = cpuNs() - start;
    }
    best = Math.min(best, elapsed / calls);
  }
  if (sink < 0) out('unreachable'); // keeps the results observable
  return best;
}

const field = (r: PhRecord, name: string): unknown => r[name];
const custom = (r: PhRecord, name: string): unknown =>
  (r.custom_properties as Record<string, unknown> | null)?.[name];
const column = (rs: readonly PhRecord[], name: string): unknown[] => rs.map((r) => field(r, name));

const { patients, appointments } = await sandboxRecords();
const P = (name: string): unknown[] => column(patients, name);
const C = (name: string): unknown[] => patients.map((r) => custom(r, name));
const starts = column(appointments, 'starts_at');
const wall = starts.map((v) => (typeof v === 'string' ? v.replace('Z', '') : v));
const phones = [...P('phone_home'), ...P('phone_mobile')].filter((p) => p !== null);
const L = 'Europe/London';
const D = 'drop_with_flag';

// [step (input), inputs, call]
const steps: [string, readonly unknown[], (v: never) => unknown][] = [
  ['trim (first_name)', P('first_name'), t.trim],
  ['lowercase (email)', P('email'), t.lowercase],
  ['uppercase (postcode)', P('postcode'), t.uppercase],
  ['titlecase (last_name)', P('last_name'), t.titlecase],
  ['collapseWhitespace (address_line_1)', P('address_line_1'), t.collapseWhitespace],
  ['stripControl (first_name)', P('first_name'), t.stripControl],
  ['nullIfEmpty (last_name)', P('last_name'), t.nullIfEmpty],
  ['email (email, 100)', P('email'), (v: unknown) => t.email(v, D, 100, issues, 'c')],
  [
    'phone (phone_home/mobile, GB)',
    phones,
    (v: unknown) => t.phone(v, 'GB', 'keep_with_flag', 50, issues, 'c'),
  ],
  [
    'phone, libphonenumber-js parse alone',
    phones,
    (v: string) => parsePhoneNumberFromString(v, { defaultCountry: 'GB', extract: false })?.isPossible(),
  ],
  ['toBoolean (allergy_flag)', C('allergy_flag'), (v: unknown) => t.toBoolean(v, issues, 'c')],
  [
    'toInteger (id text)',
    P('id').map((id) => String(id).slice(-6)),
    (v: unknown) => t.toInteger(v, issues, 'c'),
  ],
  ['toDecimal (pain_score, 2)', C('pain_score'), (v: unknown) => t.toDecimal(v, 2, issues, 'c')],
  [
    'toDecimal (decimal text, 2)',
    ['123.456', '0.5', '-12.005', '7'],
    (v: unknown) => t.toDecimal(v, 2, issues, 'c'),
  ],
  ['dateOnly (date_of_birth)', P('date_of_birth'), (v: unknown) => t.dateOnly(v, L, D, issues, 'c')],
  ['dateOnly (created_at Z, London)', P('created_at'), (v: unknown) => t.dateOnly(v, L, D, issues, 'c')],
  ['dateTime (starts_at Z)', starts, (v: unknown) => t.dateTime(v, L, D, issues, 'c')],
  ['dateTime (starts_at wall clock, London)', wall, (v: unknown) => t.dateTime(v, L, D, issues, 'c')],
  ['toText (id)', P('id'), t.toText],
  ['coalesce (preferred, first)', patients.map((r) => [r.preferred_name, r.first_name]), t.coalesce],
  [
    'join (address lines)',
    patients.map((r) => [r.address_line_1, r.address_line_2, r.city]),
    (v: unknown[]) => t.join(v, ', '),
  ],
  ['withDefault (country)', P('country'), (v: unknown) => t.withDefault(v, 'United Kingdom')],
  ['truncate (first_name, 50)', P('first_name'), (v: string | null) => t.truncate(v, 50, true, issues, 'c')],
  [
    'split (note body, 2000)',
    ['x '.repeat(400), 'y'.repeat(5000)],
    (v: string) => t.split(v, 2000, issues, 'c'),
  ],
  [
    'mapValue (care_plan_status)',
    C('care_plan_status'),
    (v: unknown) => t.mapValue(v, carePlan, issues, 'c'),
  ],
  [
    'multiMap (preferred_contact_method)',
    C('preferred_contact_method'),
    (v: unknown) => t.multiMap(v, contactMethods, 'choices', ',', issues, 'c'),
  ],
  ['templateValue (first_name)', P('first_name'), t.templateValue],
];

out(`transform steps on sandbox data (${patients.length} patients, ${appointments.length} appointments)`);
out(`${'step'.padEnd(42)}${'CPU ns/call'.padStart(12)}`);
for (const [name, inputs, call] of steps) {
  out(
    name.padEnd(42) +
      nsPerCall(inputs, call as (v: unknown) => unknown)
        .toFixed(0)
        .padStart(12),
  );
}

const mapped = nsPerCall(patients, (r) => {
  reset();
  return contact(r, issues);
});
const perSecond = Math.round(1e9 / mapped);
const verdict = perSecond >= RECORDS_PER_SECOND_TARGET ? 'met' : 'NOT met';
out('');
out(
  `contact mapping, 25 fields: ${mapped.toFixed(0)} ns/record = ${perSecond.toLocaleString('en-GB')} records/s`,
);
out(`target ${RECORDS_PER_SECOND_TARGET.toLocaleString('en-GB')} records/s: ${verdict}`);
