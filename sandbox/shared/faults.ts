import type { ServerResponse } from 'node:http';
import { createRng, type Rng } from './rng.ts';

/**
 * Fault injection shared by both sandbox servers: seeded, so a failing test replays the same faults.
 * Spec string form (CLI `--faults`): `429=0.1,5xx=0.02,reset=0.01,slow=0.05@1500,storm=200x20,seed=7`
 * - `429=p`: answer 429 with Retry-After for a share p of requests;
 * - `5xx=p`: answer 500, 502 or 503;
 * - `reset=p`: send headers and part of the body, then destroy the connection;
 * - `slow=p@ms`: hold the first byte for `ms` milliseconds;
 * - `storm=NxM`: after every N requests, answer the next M with 429 (a 429 storm);
 * - `part=p` (Dataverse only): answer a share p of the writes inside a `$batch` with a transient failure of
 *   their own, the batch itself answering as usual (see `PartFault`).
 */
export interface FaultConfig {
  readonly seed: number;
  readonly rate429: number;
  readonly rate5xx: number;
  readonly rateReset: number;
  readonly rateSlow: number;
  readonly slowMs: number;
  readonly storm: { readonly every: number; readonly length: number } | null;
  /** Retry-After (seconds) sent with injected 429s. */
  readonly retryAfterSeconds: number;
  /** Share of the write parts of a Dataverse `$batch` answered with a `PartFault`. */
  readonly ratePart: number;
}

export type Fault =
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number }
  | { readonly kind: 'server-error'; readonly status: 500 | 502 | 503 }
  | { readonly kind: 'reset' }
  | { readonly kind: 'slow'; readonly delayMs: number };

/**
 * A transient failure of one write inside a Dataverse `$batch`: each part runs in a database transaction
 * of its own (ExecuteMultiple, which $batch is equivalent to: "each message request in the input collection
 * is processed in a separate database transaction", PA`org-service/execute-multiple-requests`), so one
 * part can meet a deadlock or a SQL timeout while the others go through ("Troubleshoot Dataverse bulk
 * operation errors" gives both: -2147204784, SQL number 1205, and -2147204783); or a service behind the
 * web server can be unavailable for it. Sent again, the part goes through.
 */
export type PartFault =
  | { readonly kind: 'deadlock' }
  | { readonly kind: 'sql-timeout' }
  | { readonly kind: 'unavailable'; readonly status: 502 | 503 };

export const NO_FAULTS: FaultConfig = {
  seed: 1,
  rate429: 0,
  rate5xx: 0,
  rateReset: 0,
  rateSlow: 0,
  slowMs: 0,
  storm: null,
  retryAfterSeconds: 1,
  ratePart: 0,
};

/** Parses the `--faults` string form; throws an Error naming the bad part. */
export function parseFaults(text: string): FaultConfig {
  const config: { -readonly [K in keyof FaultConfig]: FaultConfig[K] } = { ...NO_FAULTS };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value = ''] = part.split('=', 2) as [string, string | undefined];
    const probability = (): number => {
      const p = Number(value.split('@')[0]);
      if (!Number.isFinite(p) || p < 0 || p > 1) {
        throw new Error(`fault '${part}': the probability must be a number from 0 to 1`);
      }
      return p;
    };
    switch (name) {
      case '429':
        config.rate429 = probability();
        break;
      case '5xx':
        config.rate5xx = probability();
        break;
      case 'reset':
        config.rateReset = probability();
        break;
      case 'slow': {
        config.rateSlow = probability();
        const ms = Number(value.split('@')[1] ?? '1000');
        if (!Number.isInteger(ms) || ms < 0)
          throw new Error(`fault '${part}': write slow=<p>@<milliseconds>`);
        config.slowMs = ms;
        break;
      }
      case 'storm': {
        const match = /^(\d+)x(\d+)$/.exec(value);
        if (!match) throw new Error(`fault '${part}': write storm=<every>x<length>, e.g. storm=200x20`);
        config.storm = { every: Number(match[1]), length: Number(match[2]) };
        break;
      }
      case 'part':
        config.ratePart = probability();
        break;
      case 'seed':
        config.seed = Number(value);
        if (!Number.isInteger(config.seed)) throw new Error(`fault '${part}': the seed must be an integer`);
        break;
      case 'retry-after':
        config.retryAfterSeconds = Number(value);
        if (!Number.isInteger(config.retryAfterSeconds) || config.retryAfterSeconds < 0) {
          throw new Error(`fault '${part}': retry-after is whole seconds`);
        }
        break;
      default:
        throw new Error(
          `unknown fault '${name}' in '${text}': use 429, 5xx, reset, slow, storm, part, seed, retry-after`,
        );
    }
  }
  return config;
}

/** Decides, request by request, which fault (if any) to inject. Holds its own seeded state. */
export class FaultInjector {
  private readonly rng: Rng;
  /** Its own stream, so that part faults leave the faults of whole requests as they were. */
  private readonly partRng: Rng;
  private count = 0;
  private stormLeft = 0;
  /** How many faults of each kind were injected (for tests and benches). */
  readonly injected = { throttle: 0, 'server-error': 0, reset: 0, slow: 0 };
  /** How many `$batch` parts were answered with a PartFault. */
  partsInjected = 0;

  constructor(readonly config: FaultConfig = NO_FAULTS) {
    this.rng = createRng(config.seed);
    this.partRng = createRng(config.seed ^ 0x5bd1e995);
  }

  /** The fault for the next write part of a `$batch`, or null. */
  nextPart(): PartFault | null {
    if (this.config.ratePart <= 0 || !this.partRng.chance(this.config.ratePart)) return null;
    this.partsInjected += 1;
    const kinds: PartFault[] = [
      { kind: 'deadlock' },
      { kind: 'sql-timeout' },
      { kind: 'unavailable', status: 502 },
      { kind: 'unavailable', status: 503 },
    ];
    return this.partRng.pick(kinds);
  }

  /** The fault for the next request, or null. */
  next(): Fault | null {
    const fault = this.pick();
    if (fault) this.injected[fault.kind] += 1;
    return fault;
  }

  private pick(): Fault | null {
    const c = this.config;
    this.count += 1;
    if (c.storm) {
      if (this.stormLeft > 0) {
        this.stormLeft -= 1;
        return { kind: 'throttle', retryAfterSeconds: c.retryAfterSeconds };
      }
      if (this.count % c.storm.every === 0) {
        this.stormLeft = c.storm.length - 1;
        return { kind: 'throttle', retryAfterSeconds: c.retryAfterSeconds };
      }
    }
    const roll = this.rng.next();
    let edge = c.rate429;
    if (roll < edge) return { kind: 'throttle', retryAfterSeconds: c.retryAfterSeconds };
    edge += c.rate5xx;
    if (roll < edge) {
      const statuses = [500, 502, 503] as const;
      return { kind: 'server-error', status: statuses[this.rng.int(0, 2)]! };
    }
    edge += c.rateReset;
    if (roll < edge) return { kind: 'reset' };
    edge += c.rateSlow;
    if (roll < edge) return { kind: 'slow', delayMs: c.slowMs };
    return null;
  }
}

/** Sends headers and a fragment of a body, then kills the socket: the client sees a reset mid-body. */
export function resetMidBody(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': '4096' });
  res.write('{"data":[{"id":"', () => {
    res.socket?.destroy();
  });
}
