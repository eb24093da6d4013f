import { appointmentCore } from './appointments.ts';
import { type GenContext, HISTORY_START_MS, type PhRecord, REFERENCE_MS, rngFor } from './context.ts';
import { idOf } from './ids.ts';
import { MESS, UNKNOWN_METHODS } from './mess.ts';
import { patientBefore } from './patients.ts';
import type { ResourceDef } from './resource.ts';
import { DAY, HOUR, isoSeconds, lastUpdated, MINUTE, spreadCreated } from './time.ts';

interface PaymentCore {
  readonly created: number;
  readonly updated: number;
  readonly patient: number;
  readonly appointment: number | null;
}

/** Payment n pays an appointment of the same stretch of history, unless it is a package or the visit did not happen. */
function paymentCore(ctx: GenContext, n: number): PaymentCore {
  const rng = rngFor(ctx, 'payments', n, 0);
  const total = ctx.counts.appointments;
  const a = Math.min(total - 1, Math.floor(((n + rng.next()) / ctx.counts.payments) * total));
  const appt = appointmentCore(ctx, a);
  if (n % 15 !== 0 && appt.status !== 'cancelled' && appt.ends < REFERENCE_MS - HOUR) {
    const created = Math.min(REFERENCE_MS - MINUTE, appt.ends + rng.int(1, 120) * MINUTE);
    return { created, updated: lastUpdated(created, rng, 0.1), patient: appt.patient, appointment: a };
  }
  const created = spreadCreated(
    n,
    ctx.counts.payments,
    HISTORY_START_MS + 14 * DAY,
    REFERENCE_MS - HOUR,
    rng,
  );
  return {
    created,
    updated: lastUpdated(created, rng, 0.1),
    patient: patientBefore(ctx, created, rng),
    appointment: null,
  };
}

const KNOWN_METHODS = ['card', 'card', 'card', 'cash', 'bank_transfer', 'insurance', 'voucher'];

function record(ctx: GenContext, n: number): PhRecord {
  const core = paymentCore(ctx, n);
  const rng = rngFor(ctx, 'payments', n);
  const method = MESS.payments.unknownMethod(n) ? rng.pick(UNKNOWN_METHODS) : rng.pick(KNOWN_METHODS);
  const roll = rng.next();
  const status = roll < 0.85 ? 'paid' : roll < 0.92 ? 'pending' : roll < 0.97 ? 'failed' : 'refunded';
  const settled = status === 'paid' || status === 'refunded';
  const currency = rng.pick(['GBP', 'GBP', 'GBP', 'GBP', 'GBP', 'EUR', 'EUR', 'USD', 'AUD']);
  return {
    id: idOf(ctx, 'payments', n),
    patient_id: idOf(ctx, 'patients', core.patient),
    appointment_id: core.appointment === null ? null : idOf(ctx, 'appointments', core.appointment),
    amount: core.appointment === null ? rng.int(150, 900) : rng.int(50, 240) / 2,
    currency,
    method,
    status,
    paid_at: settled
      ? isoSeconds(Math.min(REFERENCE_MS - 1000, core.created + rng.int(0, 3 * 24 * 60) * MINUTE))
      : null,
    reference:
      method === 'card' ? `ch_${rng.int(1e8, 9e8).toString(36)}${rng.int(1e8, 9e8).toString(36)}` : null,
    created_at: isoSeconds(core.created),
    updated_at: isoSeconds(core.updated),
    deleted_at: null,
  };
}

/** Payments; some carry method codes outside the documented enum (`cheque`, `crypto`, `giftcard`, ...). */
export const payments: ResourceDef = { name: 'payments', stamps: paymentCore, record };
