/**
 * The SQLite schema of the revision log and its prepared statements, with typed row decoding.
 *
 * One row per revision: `kv_log(revision, key, value, create_revision, prev_revision, deleted)`. A PUT row holds
 * the key's new value; a DELETE row (`deleted = 1`) holds an empty value and points at the deleted version
 * through `prev_revision`. Updates and deletes point at the version they replaced; creates point at 0.
 * `kv_meta` holds the compacted revision.
 *
 * The table is keyed by revision alone, so each commit appends to the end of one B-tree; reads by key go through
 * a KeyIndex kept in memory and built from `indexEntries` at open. (Stores written before kept an index on `key`:
 * it is dropped at open. The unary `+` in event reads kept the planner off it.)
 */
import type Sqlite from "better-sqlite3";
import type { KeyValue, WatchEvent } from "./backend.js";
import { prefixEnd } from "./ordered.js";
import type { KeyIndex } from "./key-index.js";

const schema = `
CREATE TABLE IF NOT EXISTS kv_log (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  deleted INTEGER NOT NULL
);
DROP INDEX IF EXISTS kv_log_key;
CREATE TABLE IF NOT EXISTS kv_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** Upper bound above every TEXT key (SQLite orders every BLOB after every TEXT value). */
const aboveAllKeys = Buffer.from([0xff]);

/** An event row: [revision, key, createRevision, prevRevision, deleted, value, replaced version's value]. */
type EventRow = [number, string, number, number, number, string, string | null];
type Bound = string | Buffer;

/** Typed access to the revision log of one open database. */
export class SqliteLog {
  private readonly insert: Sqlite.Statement<[number, string, string, number, number, number]>;
  private readonly indexRows: Sqlite.Statement<[], [number, string, number]>;
  private readonly rowAt: Sqlite.Statement<[number], [string, number]>;
  private readonly events: Sqlite.Statement<[number, string, Bound, number], EventRow>;
  private readonly deleteReplaced: Sqlite.Statement<[number, number]>;
  private readonly deleteTombstones: Sqlite.Statement<[number, number]>;
  private readonly setMeta: Sqlite.Statement<[string, number]>;
  private readonly getMeta: Sqlite.Statement<[string]>;
  private readonly maxRevision: Sqlite.Statement<[]>;

  constructor(db: Sqlite.Database) {
    db.exec(schema);
    this.insert = db.prepare<[number, string, string, number, number, number]>(
      "INSERT INTO kv_log (revision, key, value, create_revision, prev_revision, deleted) VALUES (?, ?, ?, ?, ?, ?)");
    this.indexRows = db.prepare<[], [number, string, number]>("SELECT revision, key, deleted FROM kv_log ORDER BY revision").raw();
    this.rowAt = db.prepare<[number], [string, number]>("SELECT value, create_revision FROM kv_log WHERE revision = ?").raw();
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

  /** Adds every version the log holds to `index`, oldest first. */
  indexEntries(index: KeyIndex): void {
    for (const [revision, key, deleted] of this.indexRows.iterate()) index.add(key, revision, deleted !== 0);
  }

  /** The value and create revision of the version written at `revision`; undefined when the log has no such row. */
  versionAt(revision: number): [value: string, createRevision: number] | undefined {
    return this.rowAt.get(revision);
  }

  /** Appends one row to the log. */
  append(revision: number, key: string, value: string, createRevision: number, prevRevision: number, deleted: boolean): void {
    this.insert.run(revision, key, value, createRevision, prevRevision, deleted ? 1 : 0);
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
