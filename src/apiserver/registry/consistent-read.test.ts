import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { findResource, storageKey, type ResourceInfo } from "../../api/resources.js";
import type { Backend, ListOptions, WatchEvent, WatchOptions } from "../../storage/backend.js";
import { EtcdBackend } from "../../storage/etcd-backend.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { startEtcdCluster, type EtcdCluster } from "../../storage/testing/etcd-cluster.js";
import { encodeObject } from "./codec.js";
import { Registry } from "./registry.js";

const namespaces = findResource("", "namespaces") as ResourceInfo;

const namespace = (name: string) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, uid: `uid-${name}` } });

/**
 * A store another server writes to, whose watches deliver late (held until release()), and which answers a
 * progress request at once with its current revision, ahead of the events still held: what etcd before 3.4.31
 * does (etcd-io/etcd#15220).
 */
class LateWatches implements Backend {
  readonly inner = new MemoryBackend();
  private held = false;
  private readonly waiting: (() => void)[] = [];
  private readonly progress = new Set<(revision: number) => void>();

  hold(): void { this.held = true; }
  release(): void { this.held = false; for (const w of this.waiting.splice(0)) w(); }
  requestWatchProgress(): void { void this.inner.currentRevision().then((r) => { for (const p of this.progress) p(r); }); }

  currentRevision(): Promise<number> { return this.inner.currentRevision(); }
  get(key: string, revision?: number) { return this.inner.get(key, revision); }
  create(key: string, value: string) { return this.inner.create(key, value); }
  update(key: string, value: string, expected: number) { return this.inner.update(key, value, expected); }
  delete(key: string, expected?: number) { return this.inner.delete(key, expected); }
  list(prefix: string, options?: ListOptions) { return this.inner.list(prefix, options); }
  compact(revision: number) { return this.inner.compact(revision); }
  compactedRevision() { return this.inner.compactedRevision(); }
  close() { return this.inner.close(); }
  watch(prefix: string, afterRevision: number, signal: AbortSignal, options: WatchOptions = {}): AsyncIterable<WatchEvent[]> {
    return { [Symbol.asyncIterator]: () => this.late(prefix, afterRevision, signal, options.onProgress) };
  }

  private async *late(prefix: string, afterRevision: number, signal: AbortSignal, onProgress?: (revision: number) => void): AsyncGenerator<WatchEvent[]> {
    if (onProgress) this.progress.add(onProgress);
    try {
      for await (const batch of this.inner.watch(prefix, afterRevision, signal)) {
        while (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
        yield batch;
      }
    } finally {
      if (onProgress) this.progress.delete(onProgress);
    }
  }
}

void describe("consistent reads when other servers write the store", () => {
  void test("a read sees another server's write the watch has yet to deliver, even if the store reports progress ahead of it", async () => {
    const store = new LateWatches();
    const registry = new Registry({ backend: store, consistentReads: true });
    const abort = new AbortController();
    await registry.start(abort.signal);
    try {
      store.hold();
      // Another API server's acknowledged create, straight into the store; this server's watch holds it back.
      await store.inner.create(storageKey(namespaces, undefined, "other"), encodeObject(namespace("other")));
      // The reads wait for the cache, then (as kube-apiserver) read the store itself.
      const listed = await registry.list(namespaces, undefined);
      assert.ok(listed.items.some((n) => n.metadata?.name === "other"), "the list misses the other server's write");
      assert.equal((await registry.get(namespaces, undefined, "other")).metadata?.name, "other");
      const waiting = registry.list(namespaces, undefined);
      store.release();
      assert.ok((await waiting).items.some((n) => n.metadata?.name === "other"));
      // The cache kept the event (a cache advanced past it by the early progress report would have dropped it).
      const cached = await registry.list(namespaces, undefined, { resourceVersion: "0" });
      assert.ok(cached.items.some((n) => n.metadata?.name === "other"), "the cache dropped the other server's write");
    } finally {
      abort.abort();
      registry.close();
      await store.close();
    }
  });
});

void describe("two registries on a three-member etcd", () => {
  let cluster: EtcdCluster | undefined;
  after(() => cluster?.stop());

  void test("reads through one server see the other's writes made while its etcd member was down, and its cache keeps them", async () => {
    cluster = await startEtcdCluster({ members: 3 });
    const [e0, e1, e2] = cluster.endpoints as [string, string, string];
    const open = async (endpoints: string[]) => {
      const backend = new EtcdBackend({ endpoints, prefix: "/consistent-read" });
      const registry = new Registry({ backend, consistentReads: true });
      const abort = new AbortController();
      await registry.start(abort.signal);
      return { registry, close: async () => { abort.abort(); registry.close(); await backend.close(); } };
    };
    const a = await open([e2]);
    const b = await open([e0, e1]);
    try {
      const missed: string[] = [];
      const written: string[] = [];
      // Killing the member B's watches run through makes B re-watch through the other one, catching up from its
      // revision while A writes: the moment when etcd 3.4's answer to a progress request overtakes the events.
      for (let round = 0; round < 6; round++) {
        const member = cluster.members[round % 2];
        await member?.kill();
        for (let i = 0; i < 4; i++) {
          const name = `ns-${round}-${i}`;
          await a.registry.create(namespaces, undefined, namespace(name));
          written.push(name);
          const seen = i % 2 === 0
            ? (await b.registry.list(namespaces, undefined)).items.some((n) => n.metadata?.name === name)
            : (await b.registry.get(namespaces, undefined, name).then(() => true, () => false));
          if (!seen) missed.push(name);
        }
        await member?.restart();
      }
      assert.deepEqual(missed, [], "reads through B missed writes acknowledged through A");
      const cached = new Set((await b.registry.list(namespaces, undefined, { resourceVersion: "0" })).items.map((n) => n.metadata?.name));
      assert.deepEqual(written.filter((n) => !cached.has(n)), [], "B's cache lacks writes acknowledged through A");
    } finally {
      await a.close();
      await b.close();
    }
  });
});
