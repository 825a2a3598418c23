/**
 * The conformance suite every storage Backend must pass (node:test). A backend's test file calls
 * `backendConformance("name", open)`; `open` returns a fresh, empty backend per test.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ClosedError, ConflictError, FutureRevisionError, KeyExistsError, NotFoundError, type Backend, type KeyValue,
} from "./backend.js";
import { withBackend, type OpenBackend } from "./conformance-support.js";
import { watchConformance } from "./conformance-watch.js";

export type { OpenBackend, OpenedBackend } from "./conformance-support.js";

const options = { timeout: 20_000 };

/** Defines the node:test suites every Backend must pass, each test on a fresh backend from `open`. */
export function backendConformance(name: string, open: OpenBackend): void {
  void describe(`${name}: key-value`, () => keyValueConformance(open));
  void describe(`${name}: list`, () => listConformance(open));
  void describe(`${name}: watch and compaction`, () => watchConformance(open));
  void describe(`${name}: restart`, () => restartConformance(open));
}

function keyValueConformance(open: OpenBackend): void {
  void test("create assigns the next revision and get reads it back", options, () => withBackend(open, async ({ backend, base }) => {
    assert.equal(await backend.currentRevision(), base);
    const a = await backend.create("/r/a", "A");
    const b = await backend.create("/r/b", "B");
    assert.equal(a.revision, base + 1);
    assert.equal(b.revision, base + 2);
    assert.deepEqual(a.kv, { key: "/r/a", value: "A", createRevision: base + 1, modRevision: base + 1 });
    assert.deepEqual(await backend.get("/r/a"), { revision: base + 2, kv: a.kv });
    assert.deepEqual(await backend.get("/r/missing"), { revision: base + 2, kv: undefined });
    assert.equal(await backend.currentRevision(), base + 2);
  }));

  void test("create fails with KeyExistsError on an existing key and succeeds again after delete", options, () => withBackend(open, async ({ backend, base }) => {
    await backend.create("/r/a", "A");
    await assert.rejects(backend.create("/r/a", "again"), KeyExistsError);
    assert.equal((await backend.get("/r/a")).kv?.value, "A");
    await backend.delete("/r/a");
    const again = await backend.create("/r/a", "A2");
    assert.equal(again.kv.createRevision, again.revision);
    assert.equal(again.revision, base + 3, "a failed write consumes no revision");
  }));

  void test("update is a compare-and-swap on modRevision", options, () => withBackend(open, async ({ backend }) => {
    const created = await backend.create("/r/a", "v1");
    const updated = await backend.update("/r/a", "v2", created.revision);
    assert.deepEqual(updated.kv, { key: "/r/a", value: "v2", createRevision: created.revision, modRevision: updated.revision });
    const conflict = await backend.update("/r/a", "v3", created.revision).catch((e: unknown) => e);
    assert.ok(conflict instanceof ConflictError);
    assert.deepEqual(conflict.current, updated.kv);
    await assert.rejects(backend.update("/r/missing", "x", 1), NotFoundError);
    await backend.delete("/r/a");
    await assert.rejects(backend.update("/r/a", "x", updated.revision), NotFoundError);
  }));

  void test("concurrent updates with the same expected revision: exactly one wins", options, () => withBackend(open, async ({ backend }) => {
    const created = await backend.create("/r/a", "v0");
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => backend.update("/r/a", `v${i + 1}`, created.revision)));
    const winners = results.filter((r) => r.status === "fulfilled");
    assert.equal(winners.length, 1);
    const winner = winners[0]!.value;
    for (const r of results) {
      if (r.status === "fulfilled") continue;
      assert.ok(r.reason instanceof ConflictError, String(r.reason));
      assert.deepEqual(r.reason.current, winner.kv);
    }
    assert.deepEqual((await backend.get("/r/a")).kv, winner.kv);
    assert.equal(await backend.currentRevision(), created.revision + 1);
  }));

  void test("concurrent creates of one key: exactly one wins", options, () => withBackend(open, async ({ backend }) => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => backend.create("/r/a", `v${i}`)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof KeyExistsError);
  }));

  void test("delete with and without compare-and-swap returns the deleted value", options, () => withBackend(open, async ({ backend }) => {
    const a = await backend.create("/r/a", "A");
    const b = await backend.create("/r/b", "B");
    const conflict = await backend.delete("/r/a", a.revision + 100).catch((e: unknown) => e);
    assert.ok(conflict instanceof ConflictError);
    assert.deepEqual(conflict.current, a.kv);
    assert.deepEqual((await backend.get("/r/a")).kv, a.kv);
    const deleted = await backend.delete("/r/a", a.revision);
    assert.deepEqual(deleted, { revision: b.revision + 1, kv: a.kv });
    assert.equal((await backend.get("/r/a")).kv, undefined);
    await assert.rejects(backend.delete("/r/a"), NotFoundError);
    await assert.rejects(backend.delete("/r/a", a.revision), NotFoundError);
    assert.deepEqual((await backend.delete("/r/b")).kv, b.kv);
    assert.equal(await backend.currentRevision(), b.revision + 2);
  }));

  void test("revisions stay consecutive and increasing across concurrent creates, updates and deletes", options, () => withBackend(open, async ({ backend, base }) => {
    const writes: Promise<number>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push((async () => {
        const c = await backend.create(`/r/${i}`, "a");
        const u = await backend.update(`/r/${i}`, "b", c.revision);
        const d = await backend.delete(`/r/${i}`, u.revision);
        assert.ok(c.revision < u.revision && u.revision < d.revision);
        return d.revision;
      })());
    }
    await Promise.all(writes);
    assert.equal(await backend.currentRevision(), base + 60);
    const seq: number[] = [];
    for (const op of ["x", "y", "z"]) {
      const c = await backend.create(`/s/${op}`, op);
      seq.push(c.revision, (await backend.update(`/s/${op}`, op + op, c.revision)).revision);
    }
    seq.push((await backend.delete("/s/x")).revision);
    assert.deepEqual(seq, [61, 62, 63, 64, 65, 66, 67].map((n) => base + n));
  }));

  void test("get at a revision reads the key as it was then", options, () => withBackend(open, async ({ backend }) => {
    const v1 = await backend.create("/r/a", "v1");
    const v2 = await backend.update("/r/a", "v2", v1.revision);
    const other = await backend.create("/r/b", "B");
    const gone = await backend.delete("/r/a");
    const v3 = await backend.create("/r/a", "v3");
    const cases: [number, KeyValue | undefined][] = [
      [v1.revision, v1.kv], [v2.revision, v2.kv], [other.revision, v2.kv], [gone.revision, undefined], [v3.revision, v3.kv],
    ];
    for (const [revision, kv] of cases) {
      assert.deepEqual(await backend.get("/r/a", revision), { revision, kv }, `at revision ${revision}`);
    }
    assert.deepEqual(await backend.get("/r/b", v1.revision), { revision: v1.revision, kv: undefined });
    await assert.rejects(backend.get("/r/a", v3.revision + 1), FutureRevisionError);
  }));

  void test("calls after close reject with ClosedError", options, () => withBackend(open, async ({ backend }) => {
    await backend.create("/r/a", "A");
    await backend.close();
    const calls: (() => Promise<unknown>)[] = [
      () => backend.get("/r/a"), () => backend.create("/r/b", "B"), () => backend.update("/r/a", "x", 1),
      () => backend.delete("/r/a"), () => backend.list("/r/"), () => backend.currentRevision(),
      () => backend.compact(1), () => backend.compactedRevision(),
      async () => { for await (const _ of backend.watch("/r/", 0, new AbortController().signal)) break; },
    ];
    for (const call of calls) await assert.rejects(call(), ClosedError);
  }));
}

async function seed(backend: Backend, keys: string[]): Promise<Map<string, KeyValue>> {
  const kvs = new Map<string, KeyValue>();
  for (const key of keys) kvs.set(key, (await backend.create(key, `value of ${key}`)).kv);
  return kvs;
}

function listConformance(open: OpenBackend): void {
  void test("list returns the live keys under the prefix in key order", options, () => withBackend(open, async ({ backend }) => {
    const kvs = await seed(backend, ["/reg/pods/ns2/a", "/reg/pods/ns1/b", "/reg/podsx", "/reg/pod", "/reg/pods/ns1/a", "/reg/pods/ns1/gone"]);
    await backend.delete("/reg/pods/ns1/gone");
    const result = await backend.list("/reg/pods/");
    assert.deepEqual(result.kvs.map((kv) => kv.key), ["/reg/pods/ns1/a", "/reg/pods/ns1/b", "/reg/pods/ns2/a"]);
    assert.deepEqual(result.kvs[0], kvs.get("/reg/pods/ns1/a"));
    assert.equal(result.revision, await backend.currentRevision());
    assert.equal(result.more, false);
    assert.deepEqual((await backend.list("/reg/pods/ns1/")).kvs.map((kv) => kv.key), ["/reg/pods/ns1/a", "/reg/pods/ns1/b"]);
    assert.deepEqual((await backend.list("/nothing/")).kvs, []);
    assert.equal((await backend.list("")).kvs.length, 5, "the empty prefix lists every key");
  }));

  void test("list paginates with limit and startKey at one revision while writes happen in between", options, () => withBackend(open, async ({ backend }) => {
    const keys = Array.from({ length: 10 }, (_, i) => `/p/k${i}`);
    const original = await seed(backend, keys);
    const seen: KeyValue[] = [];
    let page = await backend.list("/p/", { limit: 3 });
    const revision = page.revision;
    for (let round = 0; ; round++) {
      seen.push(...page.kvs);
      if (!page.more) break;
      assert.equal(page.kvs.length, 3);
      await backend.create(`/p/k${round}x`, "inserted");
      await backend.delete(`/p/k${9 - round}`);
      const next = await backend.update("/p/k5", `changed ${round}`, (await backend.get("/p/k5")).kv!.modRevision);
      assert.ok(next.revision > revision);
      page = await backend.list("/p/", { limit: 3, revision, startKey: `${seen[seen.length - 1]!.key}\0` });
      assert.equal(page.revision, revision);
    }
    assert.deepEqual(seen, keys.map((k) => original.get(k)));
  }));

  void test("list with a limit equal to the number of keys reports no more", options, () => withBackend(open, async ({ backend }) => {
    await seed(backend, ["/p/a", "/p/b", "/p/c"]);
    await backend.delete("/p/c");
    const page = await backend.list("/p/", { limit: 2 });
    assert.deepEqual([page.kvs.length, page.more], [2, false]);
    const first = await backend.list("/p/", { limit: 1 });
    assert.deepEqual([first.kvs.map((kv) => kv.key), first.more], [["/p/a"], true]);
    const rest = await backend.list("/p/", { startKey: "/p/b" });
    assert.deepEqual(rest.kvs.map((kv) => kv.key), ["/p/b"]);
  }));

  void test("list at an older revision shows the state of then", options, () => withBackend(open, async ({ backend }) => {
    const kvs = await seed(backend, ["/p/a", "/p/b"]);
    const then = await backend.currentRevision();
    await backend.update("/p/a", "new", kvs.get("/p/a")!.modRevision);
    await backend.delete("/p/b");
    await backend.create("/p/c", "C");
    assert.deepEqual((await backend.list("/p/", { revision: then })).kvs, [kvs.get("/p/a"), kvs.get("/p/b")]);
    assert.deepEqual((await backend.list("/p/")).kvs.map((kv) => [kv.key, kv.value]), [["/p/a", "new"], ["/p/c", "C"]]);
    await assert.rejects(backend.list("/p/", { revision: then + 100 }), FutureRevisionError);
  }));
}

function restartConformance(open: OpenBackend): void {
  void test("after reopen every acknowledged write is present and revisions continue upward", options, async (t) => {
    await withBackend(open, async (store) => {
      if (store.reopen === undefined) { t.skip("backend does not persist"); return; }
      const acked = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const c = await store.backend.create(`/d/${i}`, `v${i}`);
        if (i % 5 === 0) return (await store.backend.delete(`/d/${i}`, c.revision)).revision;
        return (await store.backend.update(`/d/${i}`, `w${i}`, c.revision)).revision;
      }));
      const before = await store.backend.list("/d/");
      const revision = await store.backend.currentRevision();
      assert.equal(revision, Math.max(...acked));
      await store.backend.compact(revision - 10);
      const reopened = await store.reopen();
      assert.equal(await reopened.currentRevision(), revision);
      assert.equal(await reopened.compactedRevision(), revision - 10);
      assert.deepEqual(await reopened.list("/d/"), before);
      const next = await reopened.create("/d/new", "x");
      assert.equal(next.revision, revision + 1);
      const second = await store.reopen();
      assert.deepEqual((await second.get("/d/new")).kv, next.kv);
      assert.equal(await second.currentRevision(), revision + 1);
    });
  });
}
