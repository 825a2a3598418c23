import type { WorkQueue } from "./workqueue.js";
import { reportTo } from "../util/report.js";

/** What a reconcile asks for beyond success: a rate-limited retry, or a plain re-run after a delay. */
export interface ReconcileResult {
  /** Retry through the queue's rate limiter (ignored when requeueAfterMs > 0). */
  requeue?: boolean;
  /** Reconcile the key again after this many milliseconds, with its retry history cleared. */
  requeueAfterMs?: number;
}

/** Brings the world in line with the desired state of one key; throwing means "retry with backoff". */
export interface Reconciler<K = string> {
  /** Reconciles `key`; `signal` aborts when the controller stops. */
  reconcile(key: K, signal: AbortSignal): Promise<ReconcileResult | void>;
}

/** Options of runReconciler. */
export interface RunReconcilerOptions<K = string> {
  /** Controller name, passed to onError. */
  name: string;
  /** Queue of keys; runReconciler shuts it down when `signal` aborts. */
  queue: WorkQueue<K>;
  reconciler: Reconciler<K>;
  /** Number of concurrent workers (default 1). */
  workers?: number;
  /** Stops the workers. */
  signal: AbortSignal;
  /** Receives reconcile failures (errors thrown while the signal is not aborted); default: ignore. */
  onError?: (error: unknown, key: K, name: string) => void;
}

/**
 * Runs `workers` loops that take keys from the queue and reconcile them. Success forgets the key's retry
 * history (and re-adds it after requeueAfterMs if asked); an error or `requeue` re-adds it rate-limited.
 * One key is never reconciled by two workers at once. Resolves once `signal` aborted, the queue is shut
 * down and every in-flight reconcile has settled.
 */
export async function runReconciler<K = string>(options: RunReconcilerOptions<K>): Promise<void> {
  const { queue, signal } = options;
  const workers = Math.max(1, Math.floor(options.workers ?? 1));
  const stop = (): void => queue.shutDown();
  if (signal.aborted) {
    stop();
    return;
  }
  signal.addEventListener("abort", stop, { once: true });
  try {
    const loops: Promise<void>[] = [];
    for (let i = 0; i < workers; i++) loops.push(worker(options));
    await Promise.all(loops);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

async function worker<K>(options: RunReconcilerOptions<K>): Promise<void> {
  const { queue, signal } = options;
  for (;;) {
    const key = await queue.get(signal);
    if (key === undefined) return;
    try {
      await processOne(options, key);
    } finally {
      queue.done(key);
    }
  }
}

async function processOne<K>(options: RunReconcilerOptions<K>, key: K): Promise<void> {
  const { queue, signal } = options;
  let result: ReconcileResult | void;
  try {
    result = await options.reconciler.reconcile(key, signal);
  } catch (error) {
    if (signal.aborted) return;
    report(options, error, key);
    queue.addRateLimited(key);
    return;
  }
  if (result && result.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
    queue.forget(key);
    queue.addAfter(key, result.requeueAfterMs);
  } else if (result?.requeue) {
    queue.addRateLimited(key);
  } else {
    queue.forget(key);
  }
}

function report<K>(options: RunReconcilerOptions<K>, error: unknown, key: K): void {
  reportTo(options.onError, error, key, options.name);
}
