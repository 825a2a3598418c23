import { type Clock, realClock, sleep } from "../util/clock.js";
import type { Backend } from "./backend.js";

/** How often history is compacted. */
export interface CompactorOptions {
  /** Each round compacts to the revision current one interval earlier (upstream kube-apiserver: 5 min). */
  intervalMs?: number;
  clock?: Clock;
  /** Receives compaction failures (default: ignore; the next round retries). */
  onError?: (error: unknown) => void;
}

/**
 * Keeps the store's history bounded like kube-apiserver does: every interval, compacts to the revision that was
 * current one interval ago, so watchers and continue tokens get at least one interval of history (older ones get
 * 410 Gone). Resolves when `signal` aborts.
 */
export async function runCompactor(backend: Backend, options: CompactorOptions, signal: AbortSignal): Promise<void> {
  const clock = options.clock ?? realClock();
  const interval = options.intervalMs ?? 5 * 60_000;
  let previous: number | undefined;
  while (!signal.aborted) {
    await sleep(clock, interval, signal);
    if (signal.aborted) break;
    try {
      if (previous !== undefined && previous > (await backend.compactedRevision())) await backend.compact(previous);
      previous = await backend.currentRevision();
    } catch (error) {
      if (signal.aborted) break;
      options.onError?.(error);
    }
  }
}
