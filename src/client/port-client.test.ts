import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MessageChannel } from "node:worker_threads";
import { StatusError } from "../api/status-error.js";
import type { KubeObject } from "../api/types.js";
import { R, pod, startHarness } from "../apiserver/registry/testing/fixtures.js";
import type { WatchEvent } from "./client.js";
import { createLoopbackClient } from "./loopback.js";
import { PortClient } from "./port-client.js";
import { servePortClient } from "./port-server.js";
import { decodeStored, portWatchWindow, type PortReply } from "./port-protocol.js";

async function setUp(shared: boolean): Promise<{ client: PortClient; close(): Promise<void>; errors: unknown[]; replies: PortReply[] }> {
  const h = await startHarness();
  const loopback = createLoopbackClient(shared ? h.registry.serializingClient() : h.registry, { copy: false });
  const channel = new MessageChannel();
  const errors: unknown[] = [];
  const replies: PortReply[] = [];
  const post = channel.port1.postMessage.bind(channel.port1);
  channel.port1.postMessage = (batch: PortReply[]) => { replies.push(...batch); post(batch); };
  const service = servePortClient(channel.port1, loopback, {
    onError: (e) => errors.push(e),
    watch: shared ? (resource, namespace, options, signal) => h.registry.watchShared(resource, namespace, options, signal) : undefined,
    storedFormOf: shared ? (value) => h.registry.storedFormOf(value) : undefined,
  });
  const client = new PortClient(channel.port2);
  return {
    client, errors, replies,
    async close() {
      client.close();
      service.close();
      channel.port1.close();
      channel.port2.close();
      await h.close();
    },
  };
}

async function take(iterator: AsyncIterator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const step = await iterator.next();
    if (step.done) break;
    out.push(step.value);
  }
  return out;
}

describe("port client", () => {
  test("calls cross the port: results, absent arguments, warnings, and StatusErrors with their Status", async (t) => {
    const c = await setUp(false);
    t.after(() => c.close());
    const created = await c.client.create(R.pods, "default", pod("p", { labels: { a: "1" } }));
    assert.equal(created.metadata?.name, "p");
    assert.ok(created.metadata?.resourceVersion);
    const got = await c.client.get<KubeObject>(R.pods, "default", "p");
    assert.deepEqual(got, created);
    const all = await c.client.list(R.pods, undefined);
    assert.deepEqual(all.items.map((i) => i.metadata?.name), ["p"]);
    const warnings: string[] = [];
    await c.client.create(R.pods, "default", { ...pod("q"), bogus: 1 } as KubeObject, { fieldValidation: "Warn", onWarning: (w) => warnings.push(w) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? "", /bogus/);
    await assert.rejects(c.client.get(R.pods, "default", "missing"), (e: unknown) => e instanceof StatusError && e.code === 404 && e.reason === "NotFound");
    await assert.rejects(c.client.create(R.pods, "default", pod("p")), (e: unknown) => e instanceof StatusError && e.code === 409);
    const patched = await c.client.patch<KubeObject>(R.pods, "default", "p", "merge", { metadata: { labels: { a: "2" } } });
    assert.equal(patched.metadata?.labels?.a, "2");
    assert.deepEqual(c.errors, []);
  });

  test("write answers cross as the stored JSON they decode from, equal to what is stored; other answers as JSON text", async (t) => {
    const c = await setUp(true);
    t.after(() => c.close());
    const created = await c.client.create(R.pods, "default", pod("p", { labels: { a: "1" } }));
    assert.deepEqual(created, await c.client.get(R.pods, "default", "p"));
    const patched = await c.client.patch<KubeObject>(R.pods, "default", "p", "merge", { metadata: { labels: { a: "2" } } });
    assert.equal(patched.metadata?.labels?.a, "2");
    assert.deepEqual(patched, await c.client.get(R.pods, "default", "p"));
    const unchanged = await c.client.patch<KubeObject>(R.pods, "default", "p", "merge", { metadata: { labels: { a: "2" } } });
    assert.deepEqual(unchanged, patched, "a no-op answers the stored object");
    const bound = await c.client.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "p" }, target: { kind: "Node", name: "n1" } });
    assert.equal(bound.status, "Success");
    const deleted = await c.client.delete(R.pods, "default", "p", { gracePeriodSeconds: 0 });
    assert.equal((deleted.spec as { nodeName?: string }).nodeName, "n1");
    const stored = c.replies.filter((r) => r.t === "result" && "stored" in r).length;
    const texts = c.replies.filter((r) => r.t === "result" && "value" in r).length;
    assert.equal(stored, 4, "create, patch, no-op patch and delete answer with stored JSON");
    assert.equal(texts, 3, "gets and the binding's Status answer with JSON text");
    assert.deepEqual(c.errors, []);
  });

  for (const shared of [false, true]) {
    test(`watches deliver ADDED, MODIFIED and DELETED with resourceVersions (${shared ? "stored values" : "objects"}); abort stops them`, async (t) => {
      const c = await setUp(shared);
      t.after(() => c.close());
      await c.client.create(R.pods, "default", pod("a"));
      const stop = new AbortController();
      const it = c.client.watch(R.pods, "default", {}, stop.signal)[Symbol.asyncIterator]();
      const [added] = await take(it, 1);
      assert.equal(added?.type, "ADDED");
      const live = await c.client.get(R.pods, "default", "a");
      assert.deepEqual(added?.object, live);
      const modified = await c.client.patch(R.pods, "default", "a", "merge", { metadata: { labels: { x: "y" } } });
      await c.client.delete(R.pods, "default", "a", { gracePeriodSeconds: 0 });
      const events = await take(it, 2);
      assert.deepEqual(events.map((e) => e.type), ["MODIFIED", "DELETED"]);
      assert.deepEqual(events[0]?.object, modified);
      const deleted = events[1]?.object as KubeObject;
      assert.equal(deleted.metadata?.labels?.x, "y");
      assert.ok(Number(deleted.metadata?.resourceVersion) > Number(modified.metadata?.resourceVersion));
      stop.abort();
      assert.equal((await it.next()).done, true);
    });
  }

  test("a call's resource crosses as its own text and is read once on the serving side", async () => {
    const channel = new MessageChannel();
    const seen: unknown[] = [];
    const requests: { resource?: string; args?: string }[] = [];
    const serving = { get: async (resource: unknown, namespace: unknown, name: unknown) => { seen.push(resource); return { metadata: { namespace, name } }; } };
    channel.port1.on("message", (batch: { resource?: string; args?: string }[]) => requests.push(...batch));
    const service = servePortClient(channel.port1, serving as unknown as Parameters<typeof servePortClient>[1], { onError: (e) => assert.fail(String(e)) });
    const client = new PortClient(channel.port2);
    try {
      assert.deepEqual(await client.get(R.pods, "default", "a"), { metadata: { namespace: "default", name: "a" } });
      await client.get(R.pods, "default", "b");
      await client.get(R.leases, "kube-node-lease", "c");
      assert.deepEqual(seen[0], JSON.parse(JSON.stringify(R.pods)));
      assert.equal(seen[1], seen[0], "one decoded ResourceInfo for every call naming it");
      assert.deepEqual(seen[2], JSON.parse(JSON.stringify(R.leases)));
      assert.deepEqual(requests.map((r) => r.args), ['["default","a"]', '["default","b"]', '["kube-node-lease","c"]']);
      assert.deepEqual(requests.map((r) => r.resource), [JSON.stringify(R.pods), JSON.stringify(R.pods), JSON.stringify(R.leases)]);
    } finally {
      client.close();
      service.close();
      channel.port1.close();
      channel.port2.close();
    }
  });

  test("a watch longer than the window goes on as its events are consumed", async (t) => {
    const c = await setUp(true);
    t.after(() => c.close());
    const count = portWatchWindow + 100;
    for (let i = 0; i < count; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => c.client.create(R.pods, "default", pod(`p-${i + j}`))));
    }
    const stop = new AbortController();
    t.after(() => stop.abort());
    const events = await take(c.client.watch(R.pods, "default", {}, stop.signal)[Symbol.asyncIterator](), count);
    assert.equal(events.length, count);
    assert.equal(new Set(events.map((e) => (e.object as KubeObject).metadata?.name)).size, count);
  });

  test("a refused watch ends with its StatusError; close() rejects what is pending", async (t) => {
    const c = await setUp(false);
    t.after(() => c.close());
    const it = c.client.watch(R.pods, "default", { labelSelector: "a in (" }, new AbortController().signal)[Symbol.asyncIterator]();
    await assert.rejects(it.next(), (e: unknown) => e instanceof StatusError && e.code === 400);
    const pending = c.client.get(R.pods, "default", "x");
    c.client.close();
    await assert.rejects(pending, /closed/);
  });
});

describe("decodeStored", () => {
  test("puts the resourceVersion into the decoded metadata, keeping the rest and its order", () => {
    const object = decodeStored('{"kind":"Lease","metadata":{"name":"n1","uid":"u","resourceVersion":"1","labels":{"a":"b"}},"spec":{}}', "42");
    assert.deepEqual(object, { kind: "Lease", metadata: { name: "n1", uid: "u", resourceVersion: "42", labels: { a: "b" } }, spec: {} });
    assert.deepEqual(Object.keys(object.metadata ?? {}), ["name", "uid", "resourceVersion", "labels"]);
    assert.deepEqual(decodeStored('{"kind":"Lease","metadata":{"name":"n1"}}', "7").metadata, { name: "n1", resourceVersion: "7" });
    assert.deepEqual(decodeStored('{"kind":"Lease"}', "7").metadata, { resourceVersion: "7" });
  });
});
