import type { Rng } from '../../shared/rng.ts';

/* Clinical free text: SOAP-style notes built from sentence pools, so bodies read like notes and vary. */

const SUBJECTIVE: readonly string[] = [
  'Patient reports lower back pain, worse in the mornings, easing with movement.',
  'Reports neck stiffness after long days at the computer; headaches 2-3x per week.',
  'Pain rated 6/10 on arrival, down from 8/10 last visit.',
  'Feels "much better" since the last adjustment; sleeping through the night again.',
  'Sciatic symptoms down the left leg, tingling to the ankle when sitting > 30 min.',
  'Ran a half marathon on Sunday; right knee sore on stairs since.',
  'No new injuries. Compliant with home exercises about half of the days.',
  'Complains of shoulder pain when reaching overhead, onset gradual over 3 weeks.',
];
const OBJECTIVE: readonly string[] = [
  'Restricted lumbar flexion, approx. 60% of expected range.',
  'Palpable hypertonicity in the upper trapezius bilaterally, L > R.',
  'SLR positive on the left at 45°, negative on the right.',
  'Cervical rotation 70° right, 55° left; pain at end range.',
  'Gait normal. No neurological deficit on screening; reflexes 2+ and symmetrical.',
  "Tenderness over the right SI joint; Kemp's test positive on the right.",
  'Posture: anterior head carriage, rounded shoulders.',
];
const ASSESSMENT: readonly string[] = [
  'Mechanical low back pain, improving.',
  'Cervicogenic headache; responding to care.',
  'Lumbar radiculopathy, L5 distribution; monitor closely.',
  'Patellofemoral pain, overuse.',
  'Rotator cuff tendinopathy, right.',
  'Sacroiliac joint dysfunction, right.',
];
const PLAN: readonly string[] = [
  'Diversified adjustment to L4/L5 and the right SI joint. Soft tissue work to the glutes.',
  'Activator to C2-C5. Home exercises: chin tucks 3x10 daily.',
  'Review in one week; refer to GP if the leg symptoms progress.',
  'Ice 15 min after activity; reduce running volume by half for two weeks.',
  'Continue the care plan: 2x per week for 3 weeks, then reassess.',
  'Discussed ergonomics at work; advised a standing desk trial.',
  'Taped the right knee (kinesiology tape); shown self-release with a ball.',
];
/** Text that stresses writers: emoji, every kind of control character, line and paragraph separators. */
const ODD_LINES: readonly string[] = [
  'Pt sent a thank-you card 😊👍🏽 — very happy with progress.',
  'Copied from the old system:\u0000\u0001\u0002 [binary garbage removed]\u001b[0m',
  'Line one\u2028line two (pasted from a PDF)\u2029new paragraph.',
  'Column\tseparated\tvalues\tfrom\ta\tspreadsheet\u000b\u000c',
  'Bell character here ->\u0007<- and a form feed ->\u000c<-',
  'Family: 👨‍👩‍👧‍👦 all four now patients here. Flags: 🇬🇧🇮🇪',
];

const paragraph = (rng: Rng): string =>
  [
    `S: ${rng.pick(SUBJECTIVE)} ${rng.pick(SUBJECTIVE)}`,
    `O: ${rng.pick(OBJECTIVE)} ${rng.pick(OBJECTIVE)}`,
    `A: ${rng.pick(ASSESSMENT)}`,
    `P: ${rng.pick(PLAN)} ${rng.pick(PLAN)}`,
  ].join('\n');

/** An ordinary clinical note body, a few hundred to a few thousand characters. */
export function noteBody(rng: Rng, odd: boolean): string {
  const parts = [paragraph(rng)];
  const extra = rng.int(0, 4);
  for (let i = 0; i < extra; i += 1) parts.push(paragraph(rng));
  if (odd) parts.splice(1, 0, rng.pick(ODD_LINES), rng.pick(ODD_LINES));
  return parts.join('\n\n');
}

/**
 * A long note of exactly `length` characters: a full history pasted into one note, with dated
 * session headers, as happens when clinics migrate from paper or another system.
 */
export function longNoteBody(rng: Rng, length: number): string {
  const parts: string[] = ["Imported history (scanned and OCR'd):"];
  let size = parts[0]!.length;
  let session = 1;
  while (size < length) {
    const chunk = `\n\n--- Session ${session} ---\n${paragraph(rng)}`;
    parts.push(chunk);
    size += chunk.length;
    session += 1;
  }
  return parts.join('').slice(0, length);
}

/** A short free-text line for appointment or patient notes. */
export function shortNote(rng: Rng): string {
  return rng.pick([
    'Prefers morning appointments.',
    'Running late - called ahead.',
    'Needs ground floor room (mobility).',
    'Pays by card at each visit.',
    'Parking permit issued.',
    'Interpreter needed (Polish).',
    'Do not text - call only.',
    'Referred by Dr Patel, see letter on file.',
    'Pregnant - 24 weeks. Adjust table.',
    'Owes £45 from last visit.',
  ]);
}
