/** Creations and deletions a controller is waiting to see in its caches, so it does not act twice on stale data. */
import type { Clock } from "../../util/clock.js";

/** How long unobserved expectations hold back a sync before they are considered lost (5 minutes). */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Record { adds: number; dels: number; setAt: number }

/**
 * Per-key counts of pod creations and deletions in flight. A key is satisfied when it has no record, when every
 * expected event was observed, or when the record is older than the TTL.
 */
export class ControllerExpectations {
  private readonly records = new Map<string, Record>();
  private sets = 0;

  /** Creates an empty table on `clock`, with expectations expiring after `ttlMs`. */
  constructor(private readonly clock: Clock, private readonly ttlMs = expectationsTimeoutMs) {}

  /** Replaces the key's expectations with `adds` creations and `dels` deletions, stamped now. */
  set(key: string, adds: number, dels: number): void {
    this.records.set(key, { adds, dels, setAt: this.clock.now() });
    this.sets++;
  }

  /** How many times `set` was called on any key; a change tells that creations or deletions were issued meanwhile. */
  get setCount(): number {
    return this.sets;
  }

  /** Lowers the key's outstanding expectations (e.g. for creations that were never attempted). */
  lower(key: string, adds: number, dels: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.adds -= adds;
    r.dels -= dels;
  }

  /** One expected creation was observed (or will never happen). */
  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  /** One expected deletion was observed (or will never happen). */
  deletionObserved(key: string): void {
    this.lower(key, 0, 1);
  }

  /** Whether the key may be synced: no record, everything observed, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.dels <= 0) return true;
    return this.clock.now() - r.setAt > this.ttlMs;
  }

  /** The outstanding counts of a key (undefined without a record). */
  pending(key: string): { adds: number; dels: number } | undefined {
    const r = this.records.get(key);
    return r ? { adds: r.adds, dels: r.dels } : undefined;
  }

  /** Forgets the key (its DaemonSet is gone). */
  delete(key: string): void {
    this.records.delete(key);
  }
}
