/** Cancels a scheduled timer; calling it again, or after the timer fired, does nothing. */
export type Cancel = () => void;

/** A source of time and timers, injected wherever behaviour depends on time. */
export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; never decreases. */
  now(): number;
  /** Calls `fn` once, no earlier than `ms` milliseconds from now; returns a canceller. */
  setTimer(ms: number, fn: () => void): Cancel;
}

/** Node's setTimeout accepts at most this delay; longer timers are chained. */
const maxTimeoutMs = 2_147_483_647;

/** The wall clock: `Date.now()` and `setTimeout`, with delays beyond setTimeout's range chained. */
export function realClock(): Clock {
  return {
    now: () => Date.now(),
    setTimer(ms: number, fn: () => void): Cancel {
      const due = Date.now() + Math.max(0, ms);
      let handle: NodeJS.Timeout | undefined;
      const arm = (): void => {
        const left = due - Date.now();
        if (left > maxTimeoutMs) {
          handle = setTimeout(arm, maxTimeoutMs);
        } else {
          handle = setTimeout(() => { handle = undefined; fn(); }, Math.max(0, left));
        }
      };
      arm();
      return () => {
        if (handle !== undefined) clearTimeout(handle);
        handle = undefined;
      };
    },
  };
}

interface FakeTimer { due: number; seq: number; fn: () => void }

/** A manual clock for tests: time moves only through `advance`, which fires due timers in due-time order. */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  /** Starts the clock at `start` milliseconds. */
  constructor(start = 0) {
    this.current = start;
  }

  /** The current fake time in milliseconds. */
  now(): number {
    return this.current;
  }

  /** Schedules `fn` at now + max(0, ms); it fires during a later `advance` (or `advance(0)`). */
  setTimer(ms: number, fn: () => void): Cancel {
    const timer: FakeTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due (including timers scheduled by fired
   * timers) in order of due time, then of scheduling; `now()` reads each timer's due time while it runs.
   */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      const fired = next;
      this.timers = this.timers.filter((t) => t !== fired);
      this.current = Math.max(this.current, fired.due);
      fired.fn();
    }
    this.current = target;
  }

  /** Number of timers scheduled and not yet fired or cancelled. */
  pendingTimers(): number {
    return this.timers.length;
  }

  /** Due time of the earliest pending timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    let min: number | undefined;
    for (const t of this.timers) if (min === undefined || t.due < min) min = t.due;
    return min;
  }
}

/** Resolves after `ms` on `clock`, or as soon as `signal` aborts (it never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const onAbort = (): void => { cancel(); resolve(); };
    const cancel = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
