/** The watch and compaction part of the backend conformance suite (see conformance.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CompactedError, FutureRevisionError, type Backend, type WatchEvent,
} from "./backend.js";
import { collectUntil, revisionOf, tick, withBackend, type OpenBackend } from "./conformance-support.js";

const options = { timeout: 20_000 };

interface Written { type: WatchEvent["type"]; key: string; value: string; prevRevision: number | undefined }

/** Runs `loops` concurrent writer loops (create, update, maybe delete per key) and records every write by revision. */
async function writeConcurrently(
  backend: Backend, prefix: string, loops: number, keysPerLoop: number, log: Map<number, Written>,
): Promise<void> {
  const round = log.size;
  await Promise.all(Array.from({ length: loops }, async (_, loop) => {
    for (let i = 0; i < keysPerLoop; i++) {
      const key = `${prefix}${loop}-${i}-${round}`;
      const c = await backend.create(key, `c${i}`);
      log.set(c.revision, { type: "PUT", key, value: `c${i}`, prevRevision: undefined });
      const u = await backend.update(key, `u${i}`, c.revision);
      log.set(u.revision, { type: "PUT", key, value: `u${i}`, prevRevision: c.revision });
      if (i % 3 === 0) {
        const d = await backend.delete(key, u.revision);
        log.set(d.revision, { type: "DELETE", key, value: `u${i}`, prevRevision: u.revision });
      }
      if (i % 4 === 0) await tick();
    }
  }));
}

/** Writes `key` as the last write of a test, so a watcher knows it has seen everything before it. */
async function writeSentinel(backend: Backend, key: string, log: Map<number, Written>): Promise<void> {
  const result = await backend.create(key, "end");
  log.set(result.revision, { type: "PUT", key, value: "end", prevRevision: undefined });
}

/** A collectUntil condition: the last event seen is the write of `key`. */
function endsWith(key: string): (events: WatchEvent[]) => boolean {
  return (events) => events.at(-1)?.kv.key === key;
}

/** Asserts `events` are exactly the writes under `prefix` after `after`, in order, with matching contents. */
function assertExactStream(events: WatchEvent[], log: Map<number, Written>, prefix: string, after: number): void {
  const expected = [...log.entries()].filter(([rev, w]) => rev > after && w.key.startsWith(prefix)).map(([rev]) => rev).sort((a, b) => a - b);
  assert.deepEqual(events.map(revisionOf), expected, "every event once, in order");
  for (const event of events) {
    const w = log.get(revisionOf(event))!;
    assert.deepEqual([event.type, event.kv.key, event.kv.value], [w.type, w.key, w.value]);
    assert.equal(event.prevKv?.modRevision, w.prevRevision);
    if (event.type === "DELETE") assert.equal(event.prevKv?.value, w.value);
  }
}

/** Defines the watch and compaction conformance tests. */
export function watchConformance(open: OpenBackend): void {
  void test("watch from an old revision delivers every event in order, without gap or duplicate, while writes continue", options, () => withBackend(open, async ({ backend, base }) => {
    const log = new Map<number, Written>();
    await writeConcurrently(backend, "/w/", 2, 5, log);
    const after = base + 7;
    const writing = Promise.all([writeConcurrently(backend, "/w/", 4, 25, log), writeConcurrently(backend, "/other/", 2, 10, log)]);
    const slow = collectUntil(backend, "/w/", after, endsWith("/w/~end"), { onBatch: tick });
    const fast = collectUntil(backend, "", base, endsWith("/w/~end"));
    await writing;
    await writeSentinel(backend, "/w/~end", log);
    assertExactStream(await slow, log, "/w/", after);
    assertExactStream(await fast, log, "", base);
  }));

  void test("watch events carry kv and prevKv", options, () => withBackend(open, async ({ backend, base }) => {
    const c = await backend.create("/e/a", "v1");
    const u = await backend.update("/e/a", "v2", c.revision);
    const d = await backend.delete("/e/a");
    const events = await collectUntil(backend, "/e/", base, (e) => e.length >= 3);
    assert.deepEqual(events, [
      { type: "PUT", kv: c.kv },
      { type: "PUT", kv: u.kv, prevKv: c.kv },
      { type: "DELETE", kv: { ...u.kv, modRevision: d.revision }, prevKv: u.kv },
    ]);
  }));

  void test("several watchers each receive their own complete stream", options, () => withBackend(open, async ({ backend, base }) => {
    const log = new Map<number, Written>();
    const watchers = [
      { prefix: "/m/", after: base }, { prefix: "/m/1-", after: base }, { prefix: "/m/", after: base + 3 }, { prefix: "/n/", after: base },
    ].map(({ prefix, after }) => ({ prefix, after, events: collectUntil(backend, prefix, after, endsWith(`${prefix}~end`)) }));
    await writeConcurrently(backend, "/m/", 3, 6, log);
    await writeConcurrently(backend, "/n/", 1, 3, log);
    for (const key of ["/m/1-~end", "/m/~end", "/n/~end"]) await writeSentinel(backend, key, log);
    for (const w of watchers) assertExactStream(await w.events, log, w.prefix, w.after);
  }));

  void test("aborting the signal ends the watch iterator", options, () => withBackend(open, async ({ backend, base }) => {
    await backend.create("/a/x", "1");
    const controller = new AbortController();
    const batches: WatchEvent[][] = [];
    const done = (async () => {
      for await (const batch of backend.watch("/a/", base, controller.signal)) {
        batches.push(batch);
        controller.abort();
      }
    })();
    await done;
    assert.deepEqual(batches.flat().map((e) => e.kv.key), ["/a/x"]);
    const idle = new AbortController();
    const waiting = (async () => { for await (const _ of backend.watch("/a/", base + 1, idle.signal)) assert.fail("no event expected"); })();
    await tick();
    idle.abort();
    await waiting;
    const iterator = backend.watch("/a/", base, AbortSignal.abort())[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, true, "an aborted signal ends the watch at once");
  }));

  void test("closing the backend ends its watches", options, () => withBackend(open, async ({ backend, base }) => {
    const waiting = (async () => {
      let count = 0;
      for await (const batch of backend.watch("/c/", base, new AbortController().signal)) count += batch.length;
      return count;
    })();
    await backend.create("/c/a", "1");
    await tick();
    await backend.close();
    assert.equal(await waiting, 1);
  }));

  void test("watch from a revision ahead of the store delivers only later events", options, () => withBackend(open, async ({ backend }) => {
    const base = (await backend.create("/f/a", "1")).revision;
    const events = collectUntil(backend, "/f/", base + 2, (e) => e.length > 0);
    await backend.create("/f/b", "2");
    await backend.create("/f/c", "3");
    await backend.create("/f/d", "4");
    assert.deepEqual((await events).map((e) => e.kv.key), ["/f/d"]);
  }));

  void test("compaction discards older history, keeps current values, and serves newer reads", options, () => withBackend(open, async ({ backend }) => {
    const a1 = await backend.create("/k/a", "a1");
    const b1 = await backend.create("/k/b", "b1");
    const a2 = await backend.update("/k/a", "a2", a1.revision);
    await backend.delete("/k/b");
    const c1 = await backend.create("/k/c", "c1");
    const a3 = await backend.update("/k/a", "a3", a2.revision);
    const at = c1.revision;
    assert.equal(await backend.compact(at), at);
    assert.equal(await backend.compactedRevision(), at);
    await assert.rejects(backend.get("/k/a", b1.revision), CompactedError);
    await assert.rejects(backend.list("/k/", { revision: at - 1 }), CompactedError);
    await assert.rejects(collectUntil(backend, "/k/", at - 1, () => false), CompactedError);
    assert.deepEqual((await backend.list("/k/", { revision: at })).kvs, [a2.kv, c1.kv]);
    assert.deepEqual((await backend.get("/k/a", at)).kv, a2.kv);
    assert.deepEqual((await backend.list("/k/")).kvs, [a3.kv, c1.kv]);
    assert.equal((await backend.get("/k/b")).kv, undefined);
    const events = await collectUntil(backend, "/k/", at, (e) => e.length >= 1);
    assert.deepEqual(events, [{ type: "PUT", kv: a3.kv, prevKv: a2.kv }]);
    assert.equal(await backend.compact(at - 2), at, "compacting to an older revision changes nothing");
    await assert.rejects(backend.compact(a3.revision + 1), FutureRevisionError);
    const d = await backend.delete("/k/a");
    assert.equal(await backend.compact(d.revision), d.revision);
    assert.deepEqual((await backend.list("/k/")).kvs, [c1.kv]);
    assert.deepEqual((await backend.list("/k/", { revision: d.revision })).kvs, [c1.kv]);
    const again = await backend.create("/k/a", "a4");
    assert.equal(again.revision, d.revision + 1);
  }));

  void test("a watch that starts before compaction and lags behind still gets a gap-free stream or CompactedError", options, () => withBackend(open, async ({ backend, base }) => {
    const log = new Map<number, Written>();
    await writeConcurrently(backend, "/l/", 2, 4, log);
    const events = collectUntil(backend, "/l/", base, endsWith("/l/~end"), { onBatch: tick });
    await writeConcurrently(backend, "/l/", 4, 10, log);
    await backend.compact(Math.max(...log.keys()) - 5);
    await writeSentinel(backend, "/l/~end", log);
    const outcome = await events.then((e) => e, (e: unknown) => e);
    if (outcome instanceof CompactedError) return;
    assert.ok(Array.isArray(outcome));
    assertExactStream(outcome, log, "/l/", base);
  }));
}
