import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findResource } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { WatchEvent } from "../client.js";
import { FakeClient } from "./fake-client.js";

const pods = findResource("", "pods")!;
const pod = (name: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name, labels }, spec: { containers: [] } });

async function collect(stream: AsyncIterable<WatchEvent>, n: number): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of stream) {
    out.push(`${ev.type}:${ev.object.metadata?.name ?? (ev.object as { code?: number }).code}`);
    if (out.length === n) break;
  }
  return out;
}

describe("FakeClient", () => {
  test("CRUD bumps one global resourceVersion and enforces preconditions", async () => {
    const c = new FakeClient();
    const a = await c.create(pods, "ns", pod("a"));
    assert.equal(a.metadata?.resourceVersion, "1");
    assert.equal(a.metadata?.namespace, "ns");
    await assert.rejects(c.create(pods, "ns", pod("a")), { reason: "AlreadyExists" });
    await assert.rejects(c.update(pods, "ns", { ...a, metadata: { ...a.metadata, resourceVersion: "0" } }), { reason: "Conflict" });
    const a2 = await c.update(pods, "ns", a);
    assert.equal(a2.metadata?.resourceVersion, "2");
    await c.delete(pods, "ns", "a");
    await assert.rejects(c.get(pods, "ns", "a"), { reason: "NotFound" });
    assert.equal(c.resourceVersion, "3");
  });

  test("paged lists are a consistent snapshot; expired continue tokens answer 410", async () => {
    const c = new FakeClient();
    for (const n of ["a", "b", "c"]) await c.create(pods, "ns", pod(n));
    const p1 = await c.list(pods, undefined, { limit: 2 });
    await c.create(pods, "ns", pod("d"));
    const p2 = await c.list(pods, undefined, { limit: 2, continue: p1.metadata.continue });
    assert.deepEqual([...p1.items, ...p2.items].map((o) => o.metadata?.name), ["a", "b", "c"]);
    assert.equal(p2.metadata.resourceVersion, "3");
    assert.equal(p2.metadata.continue, undefined);
    c.compact();
    await assert.rejects(c.list(pods, undefined, { limit: 2, continue: p1.metadata.continue }), { code: 410 });
  });

  test("watch replays after a version, turns selector exits into DELETED, and answers 410 for compacted versions", async () => {
    const c = new FakeClient();
    const a = await c.create(pods, "ns", pod("a", { app: "web" }));
    await c.create(pods, "ns", pod("b", { app: "db" }));
    const ac = new AbortController();
    const stream = c.watch(pods, "ns", { resourceVersion: "0", labelSelector: "app=web" }, ac.signal);
    const first = collect(stream, 3);
    await new Promise((r) => setImmediate(r));
    await c.update(pods, "ns", { ...a, metadata: { ...a.metadata, labels: { app: "db" } } });
    await c.create(pods, "ns", pod("c", { app: "web" }));
    assert.deepEqual(await first, ["ADDED:a", "DELETED:a", "ADDED:c"]);
    const replay = await collect(c.watch(pods, "ns", { resourceVersion: "1" }, ac.signal), 3);
    assert.deepEqual(replay, ["ADDED:b", "MODIFIED:a", "ADDED:c"]);
    c.compact();
    assert.deepEqual(await collect(c.watch(pods, "ns", { resourceVersion: "1" }, ac.signal), 5), ["ERROR:410"]);
    ac.abort();
    assert.deepEqual(await collect(c.watch(pods, "ns", { resourceVersion: c.resourceVersion }, ac.signal), 1), []);
    assert.equal(c.openWatches(), 0);
  });
});
