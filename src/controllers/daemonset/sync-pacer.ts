/**
 * The one throttle of a DaemonSet's status-only syncs. Every sync walks all nodes and pods, so back-to-back status
 * refreshes while thousands of pods change would take all the time there is:
 * - after a sync that wrote no pods, the key rests for `restFactor` times as long as that sync took (its syncs then
 *   take at most 1 / (1 + restFactor) of the time); a key queued for any other change (the DaemonSet, a node, a pod
 *   created, deleted or stopped) does not rest;
 * - while the key's pod creations or deletions are in flight (their observations sync it again), its status is
 *   refreshed at most once per `statusOnlyIntervalMs`, whatever queued it.
 */
export class SyncPacer {
  private readonly restUntil = new Map<string, number>();
  private readonly urgent = new Set<string>();
  private readonly lastStatusOnly = new Map<string, number>();

  /** Creates a pacer; `restFactor` 0 never holds a key back. */
  constructor(private readonly restFactor = 4, private readonly statusOnlyIntervalMs = 1000) {}

  /** Marks `key` as queued for a change that must not wait. */
  markUrgent(key: string): void {
    this.urgent.add(key);
  }

  /**
   * Called when the queue hands out `key` at clock time `now`: the milliseconds it must still rest (requeue it that
   * much later), or 0 when it syncs now — which clears its urgency and rest.
   */
  admit(key: string, now: number): number {
    const until = this.restUntil.get(key);
    if (until !== undefined && now < until && !this.urgent.has(key)) return until - now;
    this.restUntil.delete(key);
    this.urgent.delete(key);
    return 0;
  }

  /** Records a sync of `key` that started at `started` and ended at `now`; `wroteNothing` when it wrote no pods. */
  synced(key: string, started: number, now: number, wroteNothing: boolean): void {
    const took = now - started;
    if (wroteNothing && took > 0 && this.restFactor > 0) this.restUntil.set(key, now + this.restFactor * took);
  }

  /**
   * Called at clock time `now` when a sync of `key` would only refresh status because writes are in flight: the
   * milliseconds until it may (requeue it that much later), or 0 when it runs now — which starts a new interval.
   */
  statusOnlyDelay(key: string, now: number): number {
    const last = this.lastStatusOnly.get(key);
    if (last !== undefined && now - last < this.statusOnlyIntervalMs) return last + this.statusOnlyIntervalMs - now;
    this.lastStatusOnly.set(key, now);
    return 0;
  }

  /** Forgets `key` (its DaemonSet is gone). */
  forget(key: string): void {
    this.restUntil.delete(key);
    this.urgent.delete(key);
    this.lastStatusOnly.delete(key);
  }
}
