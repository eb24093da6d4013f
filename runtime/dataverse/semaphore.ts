/**
 * A counting semaphore whose size can change while requests are in flight: lowering it lets the
 * in-flight requests finish and holds new ones back until the count drops below the new size.
 */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private size: number) {
    if (!(size >= 1)) throw new RangeError(`a semaphore needs a size of at least 1, got ${size}`);
  }

  /** The current size. */
  get limit(): number {
    return this.size;
  }

  /** Permits held now. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a permit. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Changes the size (at least 1) and wakes waiters when it grew. */
  resize(size: number): void {
    this.size = Math.max(1, Math.floor(size));
    this.drain();
  }

  /** Waits for a permit; the returned function gives it back (calling it twice is harmless). */
  async acquire(): Promise<() => void> {
    if (this.active < this.size && this.waiters.length === 0) {
      this.active += 1;
    } else {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.drain();
    };
  }

  private drain(): void {
    while (this.active < this.size && this.waiters.length > 0) {
      this.active += 1;
      this.waiters.shift()!();
    }
  }
}
