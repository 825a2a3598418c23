interface Waiter {
  revision: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Promises that settle once a revision is reached, or reject when waiting ends (stop, abort). */
export class RevisionWaiters {
  private waiters: Waiter[] = [];

  /** Resolves once `advance` reaches `revision`; rejects on `rejectAll` or when `signal` aborts (with its reason). */
  wait(revision: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { revision, resolve, reject };
      if (signal !== undefined) {
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const onAbort = (): void => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        waiter.resolve = () => { signal.removeEventListener("abort", onAbort); resolve(); };
        waiter.reject = (e) => { signal.removeEventListener("abort", onAbort); reject(e); };
      }
      this.waiters.push(waiter);
    });
  }

  /** Resolves every waiter for a revision at or below `revision`. */
  advance(revision: number): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= revision);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of ready) w.resolve();
  }

  /** Rejects every waiter with `reason`. */
  rejectAll(reason: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(reason);
  }
}
