/** What a PracticeHubClient has done so far (stats()). */
export interface PracticeHubClientStats {
  /** HTTP requests sent, probes and downloads included. */
  readonly requests: number;
  /** Of those, probes (filter and projection checks): at most one of each kind per resource. */
  readonly probes: number;
  /** Requests by outcome. `reset` covers dropped connections and bodies cut short; `timeout` no answer in time. */
  readonly outcomes: {
    readonly ok: number;
    readonly throttled: number;
    readonly serverError: number;
    readonly clientError: number;
    readonly reset: number;
    readonly timeout: number;
  };
  /** Requests that repeated an earlier one after a 429 or a transient failure. */
  readonly retried: number;
  /** Seconds spent waiting: for a pacer slot, on Retry-After, and in backoff before retries. */
  readonly waitedSeconds: { readonly pacer: number; readonly retryAfter: number; readonly backoff: number };
  /** Response body bytes received. */
  readonly bytesReceived: number;
  /** List pages delivered and the records on them. */
  readonly pages: number;
  readonly records: number;
  /** Download links refreshed after they expired. */
  readonly linksRefreshed: number;
}

/** How one request ended. */
export type Outcome = keyof PracticeHubClientStats['outcomes'];

/** Mutable counters behind PracticeHubClientStats, one per client. */
export class StatsRecorder {
  private requests = 0;
  private probes = 0;
  private retried = 0;
  private readonly outcomes = { ok: 0, throttled: 0, serverError: 0, clientError: 0, reset: 0, timeout: 0 };
  private readonly waitedMs = { pacer: 0, retryAfter: 0, backoff: 0 };
  private bytes = 0;
  private pages = 0;
  private records = 0;
  private linksRefreshed = 0;

  sent(probe: boolean, retry: boolean): void {
    this.requests += 1;
    if (probe) this.probes += 1;
    if (retry) this.retried += 1;
  }

  ended(outcome: Outcome): void {
    this.outcomes[outcome] += 1;
  }

  waited(kind: keyof PracticeHubClientStats['waitedSeconds'], ms: number): void {
    this.waitedMs[kind] += ms;
  }

  received(bytes: number): void {
    this.bytes += bytes;
  }

  page(records: number): void {
    this.pages += 1;
    this.records += records;
  }

  linkRefreshed(): void {
    this.linksRefreshed += 1;
  }

  snapshot(): PracticeHubClientStats {
    const seconds = (ms: number): number => Math.round(ms) / 1000;
    return {
      requests: this.requests,
      probes: this.probes,
      outcomes: { ...this.outcomes },
      retried: this.retried,
      waitedSeconds: {
        pacer: seconds(this.waitedMs.pacer),
        retryAfter: seconds(this.waitedMs.retryAfter),
        backoff: seconds(this.waitedMs.backoff),
      },
      bytesReceived: this.bytes,
      pages: this.pages,
      records: this.records,
      linksRefreshed: this.linksRefreshed,
    };
  }
}
