import type { Backend, ListOptions, ListResult, WatchEvent, WatchOptions, WriteResult, KeyValue } from "../storage/backend.js";

/** Receives the duration of one storage operation on objects of `type` (the resource of the key). */
export type StorageObserver = (operation: string, type: string, seconds: number) => void;

/** The resource a storage key belongs to: `/registry/<group>/<resource>/...` → `<resource>`. */
export function keyResource(key: string): string {
  let slash = -1;
  for (let i = 0; i < 3; i++) {
    slash = key.indexOf("/", slash + 1);
    if (slash < 0) return "";
  }
  const end = key.indexOf("/", slash + 1);
  return key.slice(slash + 1, end < 0 ? undefined : end);
}

/** A Backend that times every read and write of `inner` and reports it to `observe`; behaviour is unchanged. */
export class InstrumentedBackend implements Backend {
  /** Wraps `inner`. */
  constructor(private readonly inner: Backend, private readonly observe: StorageObserver) {}

  private async timed<T>(operation: string, key: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.observe(operation, keyResource(key), (performance.now() - start) / 1000);
    }
  }

  /** See Backend. */
  currentRevision(): Promise<number> { return this.inner.currentRevision(); }
  /** See Backend. */
  get(key: string, revision?: number): Promise<{ revision: number; kv: KeyValue | undefined }> { return this.timed("get", key, () => this.inner.get(key, revision)); }
  /** See Backend. */
  create(key: string, value: string): Promise<WriteResult> { return this.timed("create", key, () => this.inner.create(key, value)); }
  /** See Backend. */
  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> { return this.timed("update", key, () => this.inner.update(key, value, expectedModRevision)); }
  /** See Backend. */
  delete(key: string, expectedModRevision?: number): Promise<WriteResult> { return this.timed("delete", key, () => this.inner.delete(key, expectedModRevision)); }
  /** See Backend. */
  list(prefix: string, options?: ListOptions): Promise<ListResult> { return this.timed("list", prefix, () => this.inner.list(prefix, options)); }
  /** See Backend. */
  watch(prefix: string, afterRevision: number, signal: AbortSignal, options?: WatchOptions): AsyncIterable<WatchEvent[]> { return this.inner.watch(prefix, afterRevision, signal, options); }
  /** See Backend. */
  compact(revision: number): Promise<number> { return this.timed("compact", "", () => this.inner.compact(revision)); }
  /** See Backend. */
  compactedRevision(): Promise<number> { return this.inner.compactedRevision(); }
  /** See Backend. */
  close(): Promise<void> { return this.inner.close(); }
}
