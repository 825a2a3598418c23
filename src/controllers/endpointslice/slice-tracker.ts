/** Remembers the EndpointSlice writes not yet seen by the informer, so a sync never acts on a stale cache. */
import type { EndpointSlice } from "../../api/types.js";

/** A write older than this is assumed observed (a relist may skip the exact version). */
const expiryMs = 30_000;

function revision(rv: string | undefined): bigint | undefined {
  return rv && /^[0-9]+$/.test(rv) ? BigInt(rv) : undefined;
}

/**
 * Per Service key, the slices written (name → resourceVersion the write returned, or "deleted") until the
 * informer delivers them. Resource versions are compared as the store's revisions (integers).
 */
export class SliceTracker {
  private readonly pending = new Map<string, Map<string, { rv: string; at: number }>>();

  /** Creates a tracker reading time from `now` (epoch ms). */
  constructor(private readonly now: () => number) {}

  /** Records a create or update that returned `slice`, or a delete (`deleted`). */
  expect(serviceKey: string, slice: EndpointSlice, deleted = false): void {
    const name = slice.metadata?.name ?? "";
    let m = this.pending.get(serviceKey);
    if (!m) this.pending.set(serviceKey, (m = new Map()));
    m.set(name, { rv: deleted ? "deleted" : (slice.metadata?.resourceVersion ?? ""), at: this.now() });
  }

  /** Marks what the informer delivered as seen; returns true when it was not an expected write of ours. */
  observe(serviceKey: string, slice: EndpointSlice, deleted: boolean): boolean {
    const m = this.pending.get(serviceKey);
    const name = slice.metadata?.name ?? "";
    const want = m?.get(name);
    if (!m || !want) return true;
    const seen = revision(slice.metadata?.resourceVersion);
    const expected = revision(want.rv);
    const caughtUp = deleted || (want.rv !== "deleted" && (seen !== undefined && expected !== undefined ? seen >= expected : slice.metadata?.resourceVersion === want.rv));
    if (!caughtUp) return false;
    m.delete(name);
    if (m.size === 0) this.pending.delete(serviceKey);
    return deleted ? want.rv !== "deleted" : slice.metadata?.resourceVersion !== want.rv;
  }

  /**
   * Whether writes for the Service are still unseen: `cached(name)` is the informer's copy of a slice; a write is
   * seen once the copy is at least as new (or gone, for a delete). Writes older than the expiry are dropped.
   */
  stale(serviceKey: string, cached: (name: string) => EndpointSlice | undefined): boolean {
    const m = this.pending.get(serviceKey);
    if (!m) return false;
    const now = this.now();
    for (const [name, w] of m) {
      const slice = cached(name);
      const rv = revision(slice?.metadata?.resourceVersion);
      const expected = revision(w.rv);
      const seen = w.rv === "deleted" ? !slice : rv !== undefined && expected !== undefined ? rv >= expected : slice?.metadata?.resourceVersion === w.rv;
      if (seen || now - w.at > expiryMs) m.delete(name);
    }
    if (m.size === 0) this.pending.delete(serviceKey);
    return m.size > 0;
  }

  /** Forgets a Service. */
  delete(serviceKey: string): void {
    this.pending.delete(serviceKey);
  }
}
