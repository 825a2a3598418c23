/**
 * An in-memory MVCC backend: one global revision, the history of every key kept until compaction, and
 * watch served from an in-memory event log. Meant for tests and for running without persistence.
 */
import {
  ClosedError, CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WriteResult,
} from "./backend.js";
import { resolveReadRevision } from "./read-revision.js";
import { KeyHistories } from "./key-histories.js";
import { firstIndex, prefixEnd } from "./ordered.js";
import { WatchHub, type EventHistory, type WatchHubOptions } from "./watch-hub.js";

/** Options of a MemoryBackend. */
export type MemoryBackendOptions = WatchHubOptions;

/** Revisioned in-memory store implementing the Backend contract (state is lost when the process ends). */
export class MemoryBackend implements Backend, EventHistory {
  private revision = 0;
  private compacted = 0;
  private closed = false;
  /** Per key, its events in revision order: all above the compacted revision, plus the latest at or below it when a PUT. */
  private readonly histories = new KeyHistories<WatchEvent>((e) => e.kv.modRevision, (e) => e.type === "PUT");
  /** Every event above the compacted revision, in revision order. */
  private log: WatchEvent[] = [];
  private readonly hub: WatchHub;

  constructor(options: MemoryBackendOptions = {}) {
    this.hub = new WatchHub(this, options);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string, revision?: number): Promise<{ revision: number; kv: KeyValue | undefined }> {
    const at = this.readRevision(revision);
    const version = this.histories.at(key, at);
    return { revision: at, kv: version?.type === "PUT" ? { ...version.kv } : undefined };
  }

  async create(key: string, value: string): Promise<WriteResult> {
    this.checkOpen();
    if (latestPut(this.histories.get(key)) !== undefined) throw new KeyExistsError(key);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.commit({ type: "PUT", kv });
    return { revision, kv: { ...kv } };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    this.checkOpen();
    const current = this.expectCurrent(key, expectedModRevision);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: current.createRevision, modRevision: revision };
    this.commit({ type: "PUT", kv, prevKv: current });
    return { revision, kv: { ...kv } };
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    this.checkOpen();
    const current = this.expectCurrent(key, expectedModRevision);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value: current.value, createRevision: current.createRevision, modRevision: revision };
    this.commit({ type: "DELETE", kv, prevKv: current });
    return { revision, kv: { ...current } };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const at = this.readRevision(options.revision);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const start = options.startKey !== undefined && options.startKey > prefix ? options.startKey : prefix;
    const kvs: KeyValue[] = [];
    for (const key of this.histories.keysBetween(start, prefixEnd(prefix))) {
      const version = this.histories.at(key, at);
      if (version?.type !== "PUT") continue;
      if (kvs.length === limit) return { revision: at, kvs, more: true };
      kvs.push({ ...version.kv });
    }
    return { revision: at, kvs, more: false };
  }

  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    return this.hub.watch(prefix, afterRevision, signal);
  }

  async compact(revision: number): Promise<number> {
    this.checkOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    if (revision <= this.compacted) return this.compacted;
    const cut = firstIndex(this.log, (e) => e.kv.modRevision > revision);
    const touched = new Set<string>();
    for (let i = 0; i < cut; i++) touched.add((this.log[i] as WatchEvent).kv.key);
    this.histories.compact(revision, touched);
    this.log = this.log.slice(cut);
    this.compacted = revision;
    return revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.close();
  }

  /** EventHistory: committed events under `prefix` after `after`, oldest first. */
  readEvents(prefix: string, after: number, limit: number): WatchEvent[] {
    if (this.closed) throw new ClosedError();
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const events: WatchEvent[] = [];
    for (let i = firstIndex(this.log, (e) => e.kv.modRevision > after); i < this.log.length && events.length < limit; i++) {
      const event = this.log[i] as WatchEvent;
      if (event.kv.key.startsWith(prefix)) events.push(event);
    }
    return events;
  }

  /** EventHistory: the latest committed revision. */
  committedRevision(): number {
    return this.revision;
  }

  private commit(event: WatchEvent): void {
    Object.freeze(event);
    Object.freeze(event.kv); // prevKv is the previous, already frozen version
    this.histories.push(event.kv.key, event);
    this.revision = event.kv.modRevision;
    this.log.push(event);
    this.hub.publish([event]);
  }

  private expectCurrent(key: string, expectedModRevision: number | undefined): KeyValue {
    const current = latestPut(this.histories.get(key));
    if (current === undefined) throw new NotFoundError(key);
    if (expectedModRevision !== undefined && current.modRevision !== expectedModRevision) {
      throw new ConflictError(key, { ...current });
    }
    return current;
  }

  private readRevision(revision: number | undefined): number {
    this.checkOpen();
    return resolveReadRevision(revision, this.revision, this.compacted);
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

/** The key's current value, if it exists. */
function latestPut(history: readonly WatchEvent[] | undefined): KeyValue | undefined {
  const last = history?.[history.length - 1];
  return last?.type === "PUT" ? last.kv : undefined;
}
