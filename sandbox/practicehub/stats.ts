import type { FaultInjector } from '../shared/faults.ts';

/** What the sandbox has served, for tests and benches (GET /_sandbox/stats). Keys are masked. */
export interface PracticeHubStats {
  /** Per masked API key: requests that passed the rate limit, and 429s sent to it (limit or injected). */
  readonly requests: Readonly<
    Record<
      string,
      {
        readonly served: number;
        readonly throttled: number;
        /** When the first and the last request that passed the rate limit came (ms since the epoch). */
        readonly firstServedAt: number;
        readonly lastServedAt: number;
      }
    >
  >;
  /** 429s sent: by the rate limit, and injected by the fault configuration. */
  readonly throttled: { readonly rateLimit: number; readonly injected: number };
  /** Faults injected, by kind. */
  readonly faults: Readonly<Record<'throttle' | 'server-error' | 'reset' | 'slow', number>>;
  /** Requests refused before the rate limit (401 and 400 on keys and headers). */
  readonly refused: number;
  /** Response body bytes written. */
  readonly bytesSent: number;
}

/** Mutable counters behind PracticeHubStats, one instance per server. */
export class StatsRecorder {
  private readonly perKey = new Map<
    string,
    { served: number; throttled: number; firstServedAt: number; lastServedAt: number }
  >();
  private rateLimited = 0;
  private injected = 0;
  private refusedCount = 0;
  private bytes = 0;

  constructor(
    private readonly faults: FaultInjector,
    private readonly clock: () => number,
  ) {}

  private entry(key: string) {
    let e = this.perKey.get(key);
    if (!e) {
      e = { served: 0, throttled: 0, firstServedAt: 0, lastServedAt: 0 };
      this.perKey.set(key, e);
    }
    return e;
  }

  served(maskedKey: string): void {
    const e = this.entry(maskedKey);
    e.served += 1;
    e.lastServedAt = this.clock();
    if (e.served === 1) e.firstServedAt = e.lastServedAt;
  }

  throttled(maskedKey: string, injected: boolean): void {
    this.entry(maskedKey).throttled += 1;
    if (injected) this.injected += 1;
    else this.rateLimited += 1;
  }

  refused(): void {
    this.refusedCount += 1;
  }

  sent(bytes: number): void {
    this.bytes += bytes;
  }

  snapshot(): PracticeHubStats {
    return {
      requests: Object.fromEntries([...this.perKey].map(([k, v]) => [k, { ...v }])),
      throttled: { rateLimit: this.rateLimited, injected: this.injected },
      faults: { ...this.faults.injected },
      refused: this.refusedCount,
      bytesSent: this.bytes,
    };
  }
}
