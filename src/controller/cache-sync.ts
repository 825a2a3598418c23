/** Something whose cache fills from an initial list: an informer. */
export interface SyncedCache {
  /** Resolves true once the cache holds the initial list, false when `signal` aborted first. */
  waitForSync(signal: AbortSignal): Promise<boolean>;
}

/**
 * Waits until every cache is synced, as a controller must before its workers start. Resolves true when they
 * are; otherwise (`signal` aborted, or a cache gave up) shuts `queue` down, so nothing waits on it, and resolves false.
 */
export async function waitForCacheSync(caches: readonly SyncedCache[], signal: AbortSignal, queue: { shutDown(): void }): Promise<boolean> {
  const synced = await Promise.all(caches.map((c) => c.waitForSync(signal)));
  if (!signal.aborted && synced.every(Boolean)) return true;
  queue.shutDown();
  return false;
}
