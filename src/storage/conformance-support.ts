/** Shared plumbing of the backend conformance suite (opening backends, draining watches). */
import type { Backend, WatchEvent } from "./backend.js";

/** One backend under test: `reopen` (optional) closes it and opens a new one on the same storage. */
export interface OpenedBackend {
  backend: Backend;
  /**
   * The revision the empty store starts at (default 0). A store shared with other tests (one etcd for a whole
   * file, each test under its own key prefix) starts at the revision it had when the test began.
   */
  baseRevision?: number;
  reopen?: () => Promise<Backend>;
  cleanup: () => Promise<void>;
}

/** Opens a fresh, empty backend for one test. */
export type OpenBackend = () => Promise<OpenedBackend>;

/** The backend handle a test body works with; `reopen` swaps `backend` for the reopened one. */
export interface TestStore {
  backend: Backend;
  /** The revision the store started at; the suite's revisions count from it. */
  base: number;
  reopen: (() => Promise<Backend>) | undefined;
}

/** Runs `body` on a fresh backend, always closing it and cleaning up afterwards. */
export async function withBackend(open: OpenBackend, body: (store: TestStore) => Promise<void>): Promise<void> {
  const opened = await open();
  const store: TestStore = { backend: opened.backend, base: opened.baseRevision ?? 0, reopen: undefined };
  if (opened.reopen !== undefined) {
    const reopen = opened.reopen;
    store.reopen = async () => {
      store.backend = await reopen();
      return store.backend;
    };
  }
  try {
    await body(store);
  } finally {
    await store.backend.close().catch(() => undefined);
    await opened.cleanup();
  }
}

/**
 * Reads a watch until `done(events)` holds or `timeoutMs` passes (then returns what arrived, so the test's
 * assertions fail instead of hanging). `onBatch` may slow the consumer down.
 */
export async function collectUntil(
  backend: Backend, prefix: string, afterRevision: number, done: (events: WatchEvent[]) => boolean,
  options: { timeoutMs?: number; onBatch?: () => Promise<void> } = {},
): Promise<WatchEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 5000);
  const events: WatchEvent[] = [];
  try {
    if (done(events)) return events;
    for await (const batch of backend.watch(prefix, afterRevision, controller.signal)) {
      events.push(...batch);
      if (done(events)) break;
      if (options.onBatch !== undefined) await options.onBatch();
    }
    return events;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Yields to the event loop once (lets queued writes commit). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The revision an event happened at. */
export function revisionOf(event: WatchEvent): number {
  return event.kv.modRevision;
}
