import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { CompactedError, type KeyValue } from "../../storage/backend.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { WatchCache, type CacheEvent, type WatchCacheOptions } from "./watch-cache.js";

const prefix = "/registry/core/pods/";

function decode(kv: KeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

function value(namespace: string, name: string, nodeName = ""): string {
  return JSON.stringify({ metadata: { namespace, name }, spec: { nodeName } });
}

async function setup(t: { after: (fn: () => Promise<void>) => void }, options: Partial<WatchCacheOptions> = {}): Promise<{ backend: MemoryBackend; cache: WatchCache; stop: AbortController }> {
  const backend = new MemoryBackend();
  const stop = new AbortController();
  const cache = new WatchCache({
    backend, prefix, decode,
    indexers: {
      namespace: (o) => o.metadata?.namespace ?? "",
      nodeName: (o) => String((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ""),
    },
    ...options,
  });
  t.after(async () => { stop.abort(); await backend.close(); });
  return { backend, cache, stop };
}

async function collect(sub: { next(): Promise<CacheEvent | undefined> }, count: number): Promise<CacheEvent[]> {
  const out: CacheEvent[] = [];
  while (out.length < count) {
    const e = await sub.next();
    if (e === undefined) break;
    out.push(e);
  }
  return out;
}

describe("WatchCache", () => {
  test("primes from the backend and follows it", async (t) => {
    const { backend, cache, stop } = await setup(t);
    await backend.create(`${prefix}a/p1`, value("a", "p1", "n1"));
    await backend.create("/registry/core/nodes/n1", "{}");
    await cache.start(stop.signal);
    assert.equal(cache.revision, 2);
    assert.deepEqual(cache.list().items.map((i) => i.key), [`${prefix}a/p1`]);
    const w = await backend.create(`${prefix}b/p2`, value("b", "p2", "n2"));
    await cache.waitUntilFresh(w.revision);
    assert.equal(cache.revision, w.revision);
    assert.equal(cache.get(`${prefix}b/p2`)?.metadata?.resourceVersion, String(w.revision));
    assert.deepEqual(cache.list({ name: "namespace", value: "b" }).items.map((i) => i.key), [`${prefix}b/p2`]);
    assert.deepEqual(cache.list({ name: "nodeName", value: "n1" }).items.map((i) => i.key), [`${prefix}a/p1`]);
    const u = await backend.update(`${prefix}a/p1`, value("a", "p1", "n2"), 1);
    await cache.waitUntilFresh(u.revision);
    assert.deepEqual(cache.list({ name: "nodeName", value: "n1" }).items, []);
    assert.deepEqual(cache.list({ name: "nodeName", value: "n2" }).items.map((i) => i.key), [`${prefix}a/p1`, `${prefix}b/p2`]);
    const d = await backend.delete(`${prefix}b/p2`);
    await cache.waitUntilFresh(d.revision);
    assert.equal(cache.size, 1);
    assert.deepEqual(cache.list({ name: "namespace", value: "b" }).items, []);
    assert.deepEqual(cache.list(undefined, `${prefix}a/`).items.map((i) => i.key), [`${prefix}a/p1`]);
  });

  test("scan lists lazily in key order from a start key, within a prefix or an index value", async (t) => {
    const { backend, cache, stop } = await setup(t);
    for (const [ns, name, node] of [["a", "p1", "n1"], ["a", "p2", "n2"], ["b", "p1", "n1"], ["b", "p3", "n1"], ["c", "p1", "n2"]] as const) {
      await backend.create(`${prefix}${ns}/${name}`, value(ns, name, node));
    }
    await cache.start(stop.signal);
    const keys = (index?: { name: string; value: string }, keyPrefix?: string, start?: string): string[] =>
      [...cache.scan(index, keyPrefix, start).items].map((i) => i.key.slice(prefix.length));
    const cases: [string, string[], string[]][] = [
      ["everything", keys(), ["a/p1", "a/p2", "b/p1", "b/p3", "c/p1"]],
      ["from a start key", keys(undefined, undefined, `${prefix}b/p1`), ["b/p1", "b/p3", "c/p1"]],
      ["from between keys", keys(undefined, undefined, `${prefix}a/p1\u0000`), ["a/p2", "b/p1", "b/p3", "c/p1"]],
      ["within a prefix", keys(undefined, `${prefix}b/`), ["b/p1", "b/p3"]],
      ["within a prefix from a start key", keys(undefined, `${prefix}b/`, `${prefix}b/p2`), ["b/p3"]],
      ["an index value", keys({ name: "nodeName", value: "n1" }), ["a/p1", "b/p1", "b/p3"]],
      ["an index value from a start key", keys({ name: "nodeName", value: "n1" }, undefined, `${prefix}b/`), ["b/p1", "b/p3"]],
      ["past the end", keys(undefined, undefined, `${prefix}z`), []],
    ];
    for (const [name, actual, expected] of cases) assert.deepEqual(actual, expected, name);
    assert.equal(cache.scan().revision, cache.revision);
  });

  test("subscriptions replay from a revision, then get live events; DELETED carries the last state", async (t) => {
    const { backend, cache, stop } = await setup(t);
    await cache.start(stop.signal);
    const r1 = await backend.create(`${prefix}a/p1`, value("a", "p1"));
    await backend.update(`${prefix}a/p1`, value("a", "p1", "n1"), r1.revision);
    await cache.waitUntilFresh(await backend.currentRevision());
    const sub = cache.subscribe({ afterRevision: r1.revision });
    const d = await backend.delete(`${prefix}a/p1`);
    const events = await collect(sub, 2);
    assert.deepEqual(events.map((e) => e.type), ["MODIFIED", "DELETED"]);
    const deleted = events[1] as CacheEvent;
    assert.equal(deleted.revision, d.revision);
    assert.equal(deleted.object.metadata?.resourceVersion, String(d.revision));
    assert.equal((deleted.object.spec as { nodeName: string }).nodeName, "n1");
    assert.equal(deleted.prevObject?.metadata?.resourceVersion, String(d.revision - 1));
    assert.equal(sub.revision, d.revision);
    sub.close();
    assert.equal(await sub.next(), undefined);
    assert.equal(cache.subscriberCount, 0);
  });

  test("filters are applied per subscriber and the cache revision advances bookmarks", async (t) => {
    const { backend, cache, stop } = await setup(t);
    await cache.start(stop.signal);
    const onlyB = cache.subscribe({ afterRevision: cache.revision, filter: (e) => e.object.metadata?.namespace === "b" });
    const all = cache.subscribe({ afterRevision: cache.revision });
    await backend.create(`${prefix}a/x`, value("a", "x"));
    const last = await backend.create(`${prefix}b/y`, value("b", "y"));
    assert.deepEqual((await collect(onlyB, 1)).map((e) => e.key), [`${prefix}b/y`]);
    assert.deepEqual((await collect(all, 2)).map((e) => e.key), [`${prefix}a/x`, `${prefix}b/y`]);
    assert.equal(onlyB.revision, last.revision);
  });

  test("events replayed from the ring equal the live ones: objects, previous states, stored values", async (t) => {
    const { backend, cache, stop } = await setup(t);
    await cache.start(stop.signal);
    const start = cache.revision;
    const live = cache.subscribe({ afterRevision: start });
    const r1 = await backend.create(`${prefix}a/p1`, value("a", "p1"));
    const r2 = await backend.update(`${prefix}a/p1`, value("a", "p1", "n1"), r1.revision);
    await backend.create(`${prefix}b/p2`, value("b", "p2"));
    await backend.update(`${prefix}a/p1`, value("a", "p1", "n2"), r2.revision);
    await backend.delete(`${prefix}a/p1`);
    const seen = await collect(live, 5);
    const replayed = await collect(cache.subscribe({ afterRevision: start }), 5);
    assert.deepEqual(seen.map((e) => e.type), ["ADDED", "MODIFIED", "ADDED", "MODIFIED", "DELETED"]);
    assert.deepEqual(replayed, seen);
    for (const [i, e] of replayed.entries()) {
      assert.equal(cache.storedValueOf(e.object), cache.storedValueOf((seen[i] as CacheEvent).object), `stored value of event ${i}`);
      if (e.prevObject !== undefined) assert.ok(cache.storedValueOf(e.prevObject) !== undefined, `stored value of event ${i}'s previous state`);
    }
    const fromMiddle = await collect(cache.subscribe({ afterRevision: r2.revision, filter: (e) => e.key.endsWith("/p1") }), 2);
    assert.deepEqual(fromMiddle, [seen[3], seen[4]]);
  });

  test("superseded versions are not kept decoded: the ring holds their stored text", async (t) => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const { backend, cache, stop } = await setup(t);
    await cache.start(stop.signal);
    const r1 = await backend.create(`${prefix}a/p1`, value("a", "p1"));
    await cache.waitUntilFresh(r1.revision);
    const first = new WeakRef(cache.get(`${prefix}a/p1`) as KubeObject);
    const r2 = await backend.update(`${prefix}a/p1`, value("a", "p1", "n1"), r1.revision);
    await cache.waitUntilFresh(r2.revision);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(first.deref(), undefined, "the first version is collectable once superseded");
    const [added] = await collect(cache.subscribe({ afterRevision: 0 }), 1);
    assert.equal(added?.object.metadata?.resourceVersion, String(r1.revision), "yet a watch from before it still replays it");
    assert.equal((added?.object.spec as { nodeName: string }).nodeName, "");
  });

  test("revisions older than the ring expire with 410", async (t) => {
    const { backend, cache, stop } = await setup(t, { bufferSize: 3 });
    await cache.start(stop.signal);
    const start = cache.revision;
    for (let i = 0; i < 5; i++) await backend.create(`${prefix}a/p${i}`, value("a", `p${i}`));
    await cache.waitUntilFresh(await backend.currentRevision());
    assert.throws(() => cache.subscribe({ afterRevision: start }), (e: unknown) =>
      e instanceof StatusError && e.code === 410 && e.message === `too old resource version: ${start} (${cache.oldestRevision})`);
    const ok = cache.subscribe({ afterRevision: cache.oldestRevision });
    assert.equal((await collect(ok, 3)).length, 3);
    ok.close();
  });

  test("a subscriber that falls too far behind is closed instead of buffering", async (t) => {
    const { backend, cache, stop } = await setup(t, { maxWatcherLag: 2 });
    await cache.start(stop.signal);
    const slow = cache.subscribe({ afterRevision: cache.revision });
    for (let i = 0; i < 5; i++) await backend.create(`${prefix}a/p${i}`, value("a", `p${i}`));
    await cache.waitUntilFresh(await backend.currentRevision());
    assert.equal(slow.lagged, true);
    assert.equal(await slow.next(), undefined);
  });

  test("stopping rejects waiters and ends subscriptions", async (t) => {
    const { cache, stop } = await setup(t);
    await cache.start(stop.signal);
    const waiting = cache.waitUntilFresh(cache.revision + 10);
    const sub = cache.subscribe({ afterRevision: cache.revision });
    const next = sub.next();
    stop.abort();
    await assert.rejects(waiting);
    assert.equal(await next, undefined);
    assert.equal(cache.stopped, true);
  });

  test("falling behind compaction re-primes the cache and ends subscribers", async (t) => {
    const backend = new MemoryBackend({ backlogLimit: 1 });
    const stop = new AbortController();
    t.after(async () => { stop.abort(); await backend.close(); });
    const errors: unknown[] = [];
    const cache = new WatchCache({ backend, prefix, decode, onError: (e) => errors.push(e) });
    await backend.create(`${prefix}a/old`, value("a", "old"));
    await cache.start(stop.signal);
    const sub = cache.subscribe({ afterRevision: cache.revision });
    // Commit several events and compact them away before the cache's watch gets to run.
    const writes = [0, 1, 2].map((i) => backend.create(`${prefix}a/p${i}`, value("a", `p${i}`)));
    const compacted = backend.compact(4);
    await Promise.all([...writes, compacted]);
    await cache.waitUntilFresh(4);
    assert.equal(await sub.next(), undefined, "subscribers are ended by the reset");
    assert.equal(cache.size, 4);
    assert.ok(errors.some((e) => e instanceof CompactedError), "the watch hit compaction");
    assert.throws(() => cache.subscribe({ afterRevision: 1 }), (e: unknown) => e instanceof StatusError && e.code === 410);
    const r = await backend.create(`${prefix}a/new`, value("a", "new"));
    await cache.waitUntilFresh(r.revision);
    assert.equal(cache.size, 5);
  });
});
