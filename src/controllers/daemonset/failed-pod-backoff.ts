/** Per-key exponential backoff for deleting failed daemon pods, so the controller does not fight a kubelet in a hot loop. */
import type { Clock } from "../../util/clock.js";

/** Initial failed-pod backoff (1 s). */
export const failedPodBackoffInitialMs = 1000;
/** Maximum failed-pod backoff (15 min). */
export const failedPodBackoffMaxMs = 15 * 60 * 1000;

interface Entry { backoffMs: number; lastUpdate: number }

/**
 * Backoff entries keyed by `<ds uid>/<observedGeneration>/<node>`: each `next` doubles the delay (from the initial
 * delay up to the maximum); an entry untouched for twice the maximum starts over.
 */
export class FailedPodBackoff {
  private readonly entries = new Map<string, Entry>();

  /** Creates an empty backoff table on `clock`. */
  constructor(private readonly clock: Clock, private readonly initialMs = failedPodBackoffInitialMs, private readonly maxMs = failedPodBackoffMaxMs) {}

  /** The backoff key of a DaemonSet's node. */
  static key(dsUid: string, observedGeneration: number, nodeName: string): string {
    return `${dsUid}/${observedGeneration}/${nodeName}`;
  }

  /** Whether the key is still inside the delay set by its last `next`. */
  isInBackOffSinceUpdate(key: string, now = this.clock.now()): boolean {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** The key's current delay in ms (0 without an entry). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records one more failure: the delay starts at the initial value and doubles up to the maximum. */
  next(key: string, now = this.clock.now()): void {
    const e = this.entries.get(key);
    if (!e || this.expired(e, now)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: now });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = now;
  }

  /** Drops entries untouched for more than twice the maximum delay. */
  gc(now = this.clock.now()): void {
    for (const [k, e] of this.entries) if (this.expired(e, now)) this.entries.delete(k);
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastUpdate > 2 * this.maxMs;
  }
}
