/**
 * The SQLite schema of the revision log and its prepared statements, with typed row decoding.
 *
 * One row per revision: `kv_log(revision, key, value, create_revision, prev_revision, deleted)`. A PUT row holds
 * the key's new value; a DELETE row (`deleted = 1`) holds an empty value and points at the deleted version
 * through `prev_revision`. Updates and deletes point at the version they replaced; creates point at 0.
 * `kv_meta` holds the compacted revision.
 *
 * Event reads walk the revision (rowid) range; the unary `+` keeps the planner off the key index there, which
 * would otherwise sort every history row of the prefix for each catch-up chunk.
 */
import type Sqlite from "better-sqlite3";
import type { KeyValue, WatchEvent } from "./backend.js";
import { prefixEnd } from "./ordered.js";

const schema = `
CREATE TABLE IF NOT EXISTS kv_log (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_log_key ON kv_log (key);
CREATE TABLE IF NOT EXISTS kv_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Upper bound above every TEXT key (SQLite orders every BLOB after every TEXT value). */
const aboveAllKeys = Buffer.from([0xff]);

/** The latest version of a key: [revision, createRevision, deleted (0|1), value]. */
export type VersionRow = [number, number, number, string];

/** An event row: [revision, key, createRevision, prevRevision, deleted, value, replaced version's value]. */
type EventRow = [number, string, number, number, number, string, string | null];
type Bound = string | Buffer;

/** Typed access to the revision log of one open database. */
export class SqliteLog {
  private readonly latest: Sqlite.Statement<[string, number], VersionRow>;
  private readonly insert: Sqlite.Statement<[number, string, string, number, number, number]>;
  private readonly listKeys: Sqlite.Statement<[string, Bound, number], [string, number]>;
  private readonly rowAt: Sqlite.Statement<[number], [string, number, number]>;
  private readonly events: Sqlite.Statement<[number, string, Bound, number], EventRow>;
  private readonly deleteReplaced: Sqlite.Statement<[number, number]>;
  private readonly deleteTombstones: Sqlite.Statement<[number, number]>;
  private readonly setMeta: Sqlite.Statement<[string, number]>;
  private readonly getMeta: Sqlite.Statement<[string]>;
  private readonly maxRevision: Sqlite.Statement<[]>;

  constructor(db: Sqlite.Database) {
    db.exec(schema);
    this.latest = db.prepare<[string, number], VersionRow>(
      "SELECT revision, create_revision, deleted, value FROM kv_log WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1").raw();
    this.insert = db.prepare<[number, string, string, number, number, number]>(
      "INSERT INTO kv_log (revision, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)");
    this.listKeys = db.prepare<[string, Bound, number], [string, number]>(
      "SELECT key, max(revision) FROM kv_log WHERE key >= ? AND key < ? AND revision <= ? GROUP BY key ORDER BY key").raw();
    this.rowAt = db.prepare<[number], [string, number, number]>("SELECT value, create_revision, deleted FROM kv_log WHERE revision = ?").raw();
    this.events = db.prepare<[number, string, Bound, number], EventRow>(
      `SELECT l.revision, l.key, l.create_revision, l.prev_revision, l.deleted, l.value, p.value
       FROM kv_log l LEFT JOIN kv_log p ON p.revision = l.prev_revision
       WHERE l.revision > ? AND +l.key >= ? AND +l.key < ? ORDER BY l.revision LIMIT ?`).raw();
    this.deleteReplaced = db.prepare<[number, number]>(
      "DELETE FROM kv_log WHERE revision IN (SELECT prev_revision FROM kv_log WHERE revision > ? AND revision <= ? AND prev_revision > 0)");
    this.deleteTombstones = db.prepare<[number, number]>("DELETE FROM kv_log WHERE revision > ? AND revision <= ? AND deleted = 1");
    this.setMeta = db.prepare<[string, number]>(
      "INSERT INTO kv_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
    this.getMeta = db.prepare<[string]>("SELECT value FROM kv_meta WHERE name = ?").pluck();
    this.maxRevision = db.prepare<[]>("SELECT max(revision) FROM kv_log").pluck();
  }

  /** The key's latest version at or below `revision`, deleted or not. */
  versionAt(key: string, revision: number): VersionRow | undefined {
    return this.latest.get(key, revision);
  }

  /** Appends one row to the log. */
  append(revision: number, key: string, value: string, createRevision: number, prevRevision: number, deleted: boolean): void {
    this.insert.run(revision, key, value, createRevision, prevRevision, deleted ? 1 : 0);
  }

  /** Live keys under `prefix` from `startKey` on, in key order, as of `revision`; at most `limit` (+ whether more remain). */
  list(prefix: string, startKey: string, revision: number, limit: number): { kvs: KeyValue[]; more: boolean } {
    const kvs: KeyValue[] = [];
    let more = false;
    for (const [key, modRevision] of this.listKeys.iterate(startKey, prefixEnd(prefix) ?? aboveAllKeys, revision)) {
      const row = this.rowAt.get(modRevision);
      if (row === undefined || row[2] !== 0) continue;
      const [value, createRevision] = row;
      if (kvs.length === limit) { more = true; break; }
      kvs.push({ key, value, createRevision, modRevision });
    }
    return { kvs, more };
  }

  /** Events under `prefix` with revision > `after`, oldest first, at most `limit`. */
  readEvents(prefix: string, after: number, limit: number): WatchEvent[] {
    return this.events.all(after, prefix, prefixEnd(prefix) ?? aboveAllKeys, limit).map(([modRevision, key, createRevision, prevRevision, deleted, value, prevValue]) => {
      if (deleted !== 0) {
        const old = prevValue ?? "";
        return {
          type: "DELETE",
          kv: { key, value: old, createRevision, modRevision },
          prevKv: { key, value: old, createRevision, modRevision: prevRevision },
        };
      }
      const kv: KeyValue = { key, value, createRevision, modRevision };
      if (prevRevision === 0 || prevValue === null) return { type: "PUT", kv };
      return { type: "PUT", kv, prevKv: { key, value: prevValue, createRevision, modRevision: prevRevision } };
    });
  }

  /** Removes history superseded at or below `to`, given history at or below `from` was already compacted. */
  compact(from: number, to: number): void {
    this.deleteReplaced.run(from, to);
    this.deleteTombstones.run(from, to);
    this.setMeta.run("compacted", to);
  }

  /** The compacted revision recorded in the database (0 if never compacted). */
  compactedRevision(): number {
    const value = this.getMeta.get("compacted");
    return typeof value === "number" ? value : 0;
  }

  /** The highest revision ever committed (rows may have been compacted away, the recorded compaction may not). */
  lastRevision(): number {
    const max = this.maxRevision.get();
    return Math.max(typeof max === "number" ? max : 0, this.compactedRevision());
  }
}
