import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { backendConformance } from "./conformance.js";
import { SqliteBackend, type SqliteBackendOptions } from "./sqlite-backend.js";
import type { WatchEvent } from "./backend.js";

type Tuning = Omit<SqliteBackendOptions, "path">;

async function openTemp(tuning: Tuning = {}) {
  const dir = await mkdtemp(join(tmpdir(), "everynode-sqlite-"));
  const path = join(dir, "store.db");
  let backend = SqliteBackend.open({ path, ...tuning });
  return {
    path,
    backend,
    reopen: async () => {
      await backend.close();
      backend = SqliteBackend.open({ path, ...tuning });
      return backend;
    },
    cleanup: async () => {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

backendConformance("SqliteBackend", () => openTemp());
backendConformance("SqliteBackend NORMAL with tiny watch backlog and compaction steps", () =>
  openTemp({ synchronous: "NORMAL", backlogLimit: 2, catchUpBatch: 3, compactionStep: 2 }));

void describe("SqliteBackend specifics", () => {
  void test("writes issued in one tick commit as one transaction and reach a watcher as one batch", async () => {
    const store = await openTemp();
    try {
      const controller = new AbortController();
      const batches: WatchEvent[][] = [];
      const watching = (async () => {
        for await (const batch of store.backend.watch("/g/", 0, controller.signal)) {
          batches.push(batch);
          if (batches.flat().length >= 10) break;
        }
      })();
      await new Promise((resolve) => setImmediate(resolve));
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.backend.create(`/g/${i}`, "v")));
      await watching;
      assert.deepEqual(results.map((r) => r.revision), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assert.deepEqual(batches.map((b) => b.length), [10]);
    } finally {
      await store.cleanup();
    }
  });

  void test("writes to one key in one batch each see the version the previous one left", async () => {
    const store = await openTemp();
    try {
      const controller = new AbortController();
      const events: WatchEvent[] = [];
      const watching = (async () => {
        for await (const batch of store.backend.watch("/k", 0, controller.signal)) {
          events.push(...batch);
          if (events.length >= 4) break;
        }
      })();
      await new Promise((resolve) => setImmediate(resolve));
      const [created, updated, deleted, again] = await Promise.all([
        store.backend.create("/k", "1"), store.backend.update("/k", "2", 1), store.backend.delete("/k", 2), store.backend.create("/k", "3"),
      ]);
      await watching;
      const v1 = { key: "/k", value: "1", createRevision: 1, modRevision: 1 };
      const v2 = { key: "/k", value: "2", createRevision: 1, modRevision: 2 };
      const v4 = { key: "/k", value: "3", createRevision: 4, modRevision: 4 };
      assert.deepEqual([created, updated, deleted, again], [{ revision: 1, kv: v1 }, { revision: 2, kv: v2 }, { revision: 3, kv: v2 }, { revision: 4, kv: v4 }]);
      assert.deepEqual(events, [
        { type: "PUT", kv: v1 },
        { type: "PUT", kv: v2, prevKv: v1 },
        { type: "DELETE", kv: { ...v2, modRevision: 3 }, prevKv: v2 },
        { type: "PUT", kv: v4 },
      ]);
    } finally {
      await store.cleanup();
    }
  });

  void test("a batch that fails leaves the versions its writes replaced in place for later writes", async () => {
    const store = await openTemp();
    try {
      const a = await store.backend.create("/a", "1");
      const log = (store.backend as unknown as { log: { append: (...args: unknown[]) => void } }).log;
      const append = log.append;
      log.append = function (this: unknown, ...args: unknown[]) {
        if (args[1] === "/boom") throw new Error("disk trouble");
        append.apply(this, args);
      };
      const failed = await Promise.allSettled([store.backend.update("/a", "2", a.revision), store.backend.create("/boom", "x")]);
      assert.deepEqual(failed.map((r) => r.status), ["rejected", "rejected"]);
      log.append = append;
      const u = await store.backend.update("/a", "3", a.revision);
      assert.deepEqual(u, { revision: a.revision + 1, kv: { key: "/a", value: "3", createRevision: a.revision, modRevision: a.revision + 1 } });
      const controller = new AbortController();
      for await (const batch of store.backend.watch("/a", a.revision, controller.signal)) {
        assert.deepEqual(batch, [{ type: "PUT", kv: u.kv, prevKv: a.kv }]);
        break;
      }
    } finally {
      await store.cleanup();
    }
  });

  void test("a second open of the same file fails while the first holds it", async () => {
    const store = await openTemp();
    try {
      await store.backend.create("/a", "1");
      assert.throws(() => SqliteBackend.open({ path: store.path, busyTimeoutMs: 10 }), /locked|busy/i);
    } finally {
      await store.cleanup();
    }
  });

  void test("revisions continue after compaction removed the newest rows, and history replays after reopen", async () => {
    const store = await openTemp();
    try {
      const a = await store.backend.create("/a", "1");
      const u = await store.backend.update("/a", "2", a.revision);
      const d = await store.backend.delete("/a");
      const reopened = await store.reopen();
      const controller = new AbortController();
      const events: WatchEvent[] = [];
      for await (const batch of reopened.watch("/", 0, controller.signal)) {
        events.push(...batch);
        if (events.length >= 3) break;
      }
      assert.deepEqual(events, [
        { type: "PUT", kv: a.kv },
        { type: "PUT", kv: u.kv, prevKv: a.kv },
        { type: "DELETE", kv: { ...u.kv, modRevision: d.revision }, prevKv: u.kv },
      ]);
      await reopened.compact(d.revision);
      const again = await store.reopen();
      assert.equal(await again.currentRevision(), d.revision);
      assert.equal(await again.compactedRevision(), d.revision);
      assert.equal((await again.create("/a", "3")).revision, d.revision + 1);
    } finally {
      await store.cleanup();
    }
  });

  void test("compaction removes superseded rows and tombstones from the file", async () => {
    const store = await openTemp({ compactionStep: 3 });
    try {
      let a = await store.backend.create("/a", "0");
      for (let i = 1; i <= 3; i++) a = await store.backend.update("/a", String(i), a.revision);
      await store.backend.create("/b", "b");
      await store.backend.delete("/b");
      const c = await store.backend.create("/c", "c");
      const late = await store.backend.update("/c", "c2", c.revision);
      await store.backend.compact(c.revision);
      await store.backend.close();
      const db = new Database(store.path, { readonly: true });
      try {
        const rows = db.prepare("SELECT revision FROM kv_log ORDER BY revision").pluck().all();
        assert.deepEqual(rows, [a.revision, c.revision, late.revision]);
      } finally {
        db.close();
      }
    } finally {
      await store.cleanup();
    }
  });

  void test("reads by key and range at earlier revisions work after reopen, and a key index left by older stores is dropped", async () => {
    const store = await openTemp();
    try {
      const a1 = await store.backend.create("/r/a", "a1");
      const b = await store.backend.create("/r/b", "b");
      const a2 = await store.backend.update("/r/a", "a2", a1.revision);
      const gone = await store.backend.delete("/r/b");
      await store.backend.create("/s", "s");
      await store.backend.close();
      const db = new Database(store.path);
      db.exec("CREATE INDEX kv_log_key ON kv_log (key)");
      db.close();
      const reopened = await store.reopen();
      assert.equal((await reopened.get("/r/a", a1.revision)).kv?.value, "a1");
      assert.equal((await reopened.get("/r/a")).kv?.value, "a2");
      assert.equal((await reopened.get("/r/b", gone.revision)).kv, undefined);
      assert.deepEqual((await reopened.list("/r/", { revision: b.revision })).kvs.map((kv) => kv.value), ["a1", "b"]);
      assert.deepEqual((await reopened.list("/r/")).kvs, [a2.kv]);
      const page = await reopened.list("/r/", { revision: b.revision, limit: 1 });
      assert.deepEqual([page.kvs.map((kv) => kv.key), page.more], [["/r/a"], true]);
      const u = await reopened.update("/r/a", "a3", a2.revision);
      assert.deepEqual(u.kv, { key: "/r/a", value: "a3", createRevision: a1.revision, modRevision: u.revision });
      await reopened.close();
      const check = new Database(store.path, { readonly: true });
      try {
        assert.equal(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'kv_log_key'").pluck().get(), 0);
      } finally {
        check.close();
      }
    } finally {
      await store.cleanup();
    }
  });

  void test("rejects an unknown synchronous mode", () => {
    assert.throws(() => SqliteBackend.open({ path: ":memory:", synchronous: "OFF" as "FULL" }), /synchronous/);
  });
});
