/**
 * The embedded persistent backend: a revision log in one SQLite file (WAL mode), written with group commit.
 *
 * Writes issued in the same turn of the event loop are queued and applied in ONE transaction on the next
 * `setImmediate`, each with its own compare-and-swap check inside it; every write's promise settles only after
 * that transaction committed (durable per the `synchronous` mode). Reads see committed state only. Watchers
 * catch up from the log table, then follow in-process notifications published right after each commit.
 * The database is opened in exclusive locking mode: one process owns the store. Reads by key go through an
 * in-memory KeyIndex built from the log at open (see sqlite-log.ts).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  ClosedError, CompactedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError,
  type Backend, type KeyValue, type ListOptions, type ListResult, type WatchEvent, type WriteResult,
} from "./backend.js";
import { KeyIndex } from "./key-index.js";
import { prefixEnd } from "./ordered.js";
import { resolveReadRevision } from "./read-revision.js";
import { SqliteLog } from "./sqlite-log.js";
import { WatchHub, type EventHistory, type WatchHubOptions } from "./watch-hub.js";

/** Options of SqliteBackend.open. */
export interface SqliteBackendOptions extends WatchHubOptions {
  /** Database file (created with its directory if missing); ":memory:" for a throwaway store. */
  path: string;
  /** "FULL" (default): an acknowledged write survives power loss. "NORMAL": it survives a process crash only. */
  synchronous?: "NORMAL" | "FULL";
  /** How long opening waits for another process holding the database, in milliseconds (default 2000). */
  busyTimeoutMs?: number;
  /** Revisions compacted per transaction, so a large compaction does not block the event loop long (default 10000). */
  compactionStep?: number;
  /**
   * Create the store's tables when the file has none (default true). With false, a file that holds no store (empty,
   * or another database) is refused with a StoreUnusableError before anything is written to it.
   */
  create?: boolean;
}

/** The store file is held by another process (it is opened in exclusive locking mode). */
export class StoreLockedError extends Error {
  override readonly name = "StoreLockedError";
}

/** The store file cannot be used: it is not a SQLite database, is damaged, or holds no store where one was required. */
export class StoreUnusableError extends Error {
  override readonly name = "StoreUnusableError";
}

/**
 * SQLite's page cache per connection, in KiB. Kept moderate on purpose: a commit that split or merged a B-tree page
 * (most commits: index entries land on random leaves) ends by scanning the cache's whole hash table (SQLite renumbers
 * the split pages through the lock page's number, which leaves a page number beyond the database's size for
 * pcache1Truncate to sweep), so every commit costs time in proportion to this size. At 64 MiB that sweep was the
 * single largest native cost of a steady stream of small commits; reads mostly come from the watch caches and,
 * beyond this cache, from the operating system's.
 */
const pageCacheKiB = 16_384;

/** WAL pages (4 KiB each) written before SQLite checkpoints automatically. */
const walAutocheckpointPages = 10_000;

interface PendingWrite {
  kind: "create" | "update" | "delete";
  key: string;
  value: string;
  expected: number | undefined;
  resolve: (result: WriteResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = WriteResult | Error;
type ApplyBatch = (batch: PendingWrite[], outcomes: Outcome[], events: WatchEvent[]) => number;

/** Revisioned store persisted in SQLite, implementing the Backend contract; see the file comment. */
export class SqliteBackend implements Backend, EventHistory {
  private readonly log: SqliteLog;
  private readonly hub: WatchHub;
  private readonly applyBatch: ApplyBatch;
  private readonly compactionStep: number;
  private revision: number;
  private compacted: number;
  /**
   * Every version the log holds, by key (rebuilt from the log when a batch fails). The head of a live key written
   * since open is the kv of its last PUT event (shared with that event, read-only), so a write need not read the
   * version it replaces back from the file; a deletion clears it.
   */
  private index = new KeyIndex();
  private pending: PendingWrite[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private closed = false;

  /** Opens (or creates) the store at `options.path`; revisions continue from what the file holds. */
  static open(options: SqliteBackendOptions): SqliteBackend {
    const synchronous = options.synchronous ?? "FULL";
    if (synchronous !== "FULL" && synchronous !== "NORMAL") throw new Error(`unsupported synchronous mode ${String(synchronous)}`);
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 2000, fileMustExist: options.create === false });
    } catch (error) {
      throw describeOpenError(options.path, error);
    }
    try {
      db.pragma("locking_mode = EXCLUSIVE");
      if (options.create === false && db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kv_log'").get() === undefined) {
        throw new StoreUnusableError(`${options.path} holds no everynode store (it is empty or another database)`);
      }
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${synchronous}`);
      db.pragma("temp_store = MEMORY");
      db.pragma(`cache_size = -${pageCacheKiB}`);
      // Checkpoint (copy the WAL back into the database, with an fsync of both) every ~40 MB of log instead of SQLite's
      // default ~4 MB: under a steady stream of small commits the checkpoints' fsyncs dominated the cost of a write.
      db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
      db.exec("BEGIN IMMEDIATE; COMMIT");
      return new SqliteBackend(db, new SqliteLog(db), options);
    } catch (error) {
      db.close();
      throw describeOpenError(options.path, error);
    }
  }

  private constructor(private readonly db: Database.Database, log: SqliteLog, options: SqliteBackendOptions) {
    this.log = log;
    this.hub = new WatchHub(this, options);
    this.compactionStep = Math.max(1, options.compactionStep ?? 10_000);
    this.compacted = log.compactedRevision();
    this.revision = log.lastRevision();
    log.indexEntries(this.index);
    this.applyBatch = db.transaction<ApplyBatch>((batch, outcomes, events) => {
      let revision = this.revision;
      for (const write of batch) {
        const outcome = this.apply(write, revision + 1, events);
        if (!(outcome instanceof Error)) revision = outcome.revision;
        outcomes.push(outcome);
      }
      return revision;
    });
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async get(key: string, revision?: number): Promise<{ revision: number; kv: KeyValue | undefined }> {
    const at = this.readRevision(revision);
    const kv = this.liveVersion(key, at);
    return { revision: at, kv: kv === undefined ? undefined : { ...kv } };
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.enqueue("create", key, value, undefined);
  }

  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    return this.enqueue("update", key, value, expectedModRevision);
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.enqueue("delete", key, "", expectedModRevision);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const at = this.readRevision(options.revision);
    const limit = options.limit !== undefined && options.limit > 0 ? options.limit : Infinity;
    const start = options.startKey !== undefined && options.startKey > prefix ? options.startKey : prefix;
    const kvs: KeyValue[] = [];
    for (const key of this.index.keysBetween(start, prefixEnd(prefix))) {
      const kv = this.liveVersion(key, at);
      if (kv === undefined) continue;
      if (kvs.length === limit) return { revision: at, kvs, more: true };
      kvs.push({ ...kv });
    }
    return { revision: at, kvs, more: false };
  }

  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent[]> {
    return this.hub.watch(prefix, afterRevision, signal);
  }

  async compact(revision: number): Promise<number> {
    this.checkOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    while (this.compacted < revision) {
      const from = this.compacted;
      const to = Math.min(revision, from + this.compactionStep);
      this.db.transaction(() => this.log.compact(from, to))();
      this.compacted = to;
      this.index.compact(to);
      if (to < revision) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.checkOpen();
      }
    }
    return this.compacted;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.hub.close();
    this.db.close();
  }

  /** EventHistory: committed events under `prefix` after `after`, oldest first. */
  readEvents(prefix: string, after: number, limit: number): WatchEvent[] {
    if (!this.db.open) throw new ClosedError();
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    return this.log.readEvents(prefix, after, limit);
  }

  /** EventHistory: the latest committed revision. */
  committedRevision(): number {
    return this.revision;
  }

  private enqueue(kind: PendingWrite["kind"], key: string, value: string, expected: number | undefined): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new ClosedError());
    return new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ kind, key, value, expected, resolve, reject });
      this.flushTimer ??= setImmediate(this.flush);
    });
  }

  /** Commits every queued write in one transaction, then publishes the events and settles the promises. */
  private readonly flush = (): void => {
    if (this.flushTimer !== undefined) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const outcomes: Outcome[] = [];
    const events: WatchEvent[] = [];
    try {
      this.revision = this.applyBatch(batch, outcomes, events);
    } catch (error) {
      // The transaction rolled back: what this batch added to the index and its heads goes with it.
      this.index = new KeyIndex();
      this.log.indexEntries(this.index);
      for (const write of batch) write.reject(error);
      return;
    }
    this.hub.publish(events);
    batch.forEach((write, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome instanceof Error) write.reject(outcome);
      else write.resolve(outcome);
    });
  };

  /** Applies one write inside the batch transaction at `revision`; returns its result or the CAS error. */
  private apply(write: PendingWrite, revision: number, events: WatchEvent[]): Outcome {
    const { key, value } = write;
    // Every write keeps its key's head current: only keys not written since open need a lookup at a revision and a read.
    const entry = this.index.entry(key);
    const current = entry?.head ?? this.liveVersion(key, revision);
    if (write.kind === "create") {
      if (current !== undefined) return new KeyExistsError(key);
      this.log.append(revision, key, value, revision, 0, false);
      const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
      this.index.add(key, revision, false).head = kv;
      events.push({ type: "PUT", kv });
      return { revision, kv: { ...kv } };
    }
    if (current === undefined || entry === undefined) return new NotFoundError(key);
    if (write.expected !== undefined && write.expected !== current.modRevision) return new ConflictError(key, { ...current });
    if (write.kind === "update") {
      this.log.append(revision, key, value, current.createRevision, current.modRevision, false);
      const kv: KeyValue = { key, value, createRevision: current.createRevision, modRevision: revision };
      this.index.addTo(entry, revision, false);
      entry.head = kv;
      events.push({ type: "PUT", kv, prevKv: current });
      return { revision, kv: { ...kv } };
    }
    this.log.append(revision, key, "", current.createRevision, current.modRevision, true);
    this.index.addTo(entry, revision, true);
    entry.head = undefined;
    events.push({ type: "DELETE", kv: { key, value: current.value, createRevision: current.createRevision, modRevision: revision }, prevKv: current });
    return { revision, kv: { ...current } };
  }

  /** The key's live version at `revision` (shared: copy it before handing it out); undefined when absent or deleted. */
  private liveVersion(key: string, revision: number): KeyValue | undefined {
    const modRevision = this.index.liveAt(key, revision);
    if (modRevision === undefined) return undefined;
    const head = this.index.entry(key)?.head;
    if (head?.modRevision === modRevision) return head;
    const row = this.log.versionAt(modRevision);
    return row === undefined ? undefined : { key, value: row[0], createRevision: row[1], modRevision };
  }

  private readRevision(revision: number | undefined): number {
    this.checkOpen();
    return resolveReadRevision(revision, this.revision, this.compacted);
  }

  private checkOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}

/** The error of opening the store at `path`: SQLite's codes for a held lock or a damaged file as typed errors. */
function describeOpenError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") return new StoreLockedError(`${path} is in use by another process (${message})`);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT" || code === "SQLITE_CANTOPEN") return new StoreUnusableError(`${path} cannot be read: ${message}`);
  return error;
}
