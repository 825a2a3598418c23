import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findResource } from "../api/resources.js";
import type { Node, Pod } from "../api/types.js";
import { FakeClock } from "../util/clock.js";
import { SharedInformerFactory } from "./informer-factory.js";
import { eventually } from "./testing/eventually.js";
import { FakeClient } from "./testing/fake-client.js";

const pods = findResource("", "pods")!;
const nodes = findResource("", "nodes")!;

describe("SharedInformerFactory", () => {
  test("shares one informer per resource and namespace", () => {
    const f = new SharedInformerFactory(new FakeClient(), { clock: new FakeClock() });
    assert.equal(f.informerFor<Pod>(pods), f.informerFor<Pod>(pods));
    assert.notEqual(f.informerFor<Pod>(pods, "a"), f.informerFor<Pod>(pods));
    assert.equal(f.informerFor<Pod>(pods, "a"), f.informerFor<Pod>(pods, "a"));
    assert.equal(f.informerFor<Node>(nodes, "ignored"), f.informerFor<Node>(nodes), "cluster-scoped resources ignore the namespace");
  });

  test("starts informers, syncs them, starts late ones, and stops on abort", async () => {
    const client = new FakeClient();
    await client.create(nodes, undefined, { metadata: { name: "n1" } });
    await client.create(pods, "default", { metadata: { name: "p1" }, spec: { containers: [] } });
    const f = new SharedInformerFactory(client, { clock: new FakeClock() });
    const nodeInformer = f.informerFor<Node>(nodes);
    const ac = new AbortController();
    f.start(ac.signal);
    assert.throws(() => f.start(ac.signal), /already started/);
    assert.equal(await f.waitForSync(ac.signal), true);
    assert.deepEqual(nodeInformer.store.listKeys(), ["n1"]);
    const podInformer = f.informerFor<Pod>(pods);
    assert.equal(await f.waitForSync(ac.signal), true);
    assert.deepEqual(podInformer.store.listKeys(), ["default/p1"]);
    await eventually(() => client.openWatches() === 2);
    ac.abort();
    await f.stopped();
    assert.equal(client.openWatches(), 0);
    assert.equal(await f.waitForSync(AbortSignal.abort()), true, "already-synced informers stay synced");
  });

  test("waitForSync is false when the signal aborts before sync", async () => {
    const f = new SharedInformerFactory(new FakeClient(), { clock: new FakeClock() });
    f.informerFor<Pod>(pods);
    assert.equal(await f.waitForSync(AbortSignal.abort()), false);
  });
});
