// Lease renewals and node heartbeats through the registry: real writes, managedFields kept as upstream keeps them.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { R, node, startHarness, watch } from "./testing/fixtures.js";

const kubelet = { fieldManager: "kubelet" };

function lease(renewTime: string): KubeObject {
  return {
    metadata: { name: "n1", ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "n1", uid: "u1" }] },
    spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime },
  };
}

const leaseFields = {
  "f:metadata": { "f:ownerReferences": { ".": {}, 'k:{"uid":"u1"}': {} } },
  "f:spec": { "f:holderIdentity": {}, "f:leaseDurationSeconds": {}, "f:renewTime": {} },
};

describe("renewals through the registry", () => {
  test("each merge-patch renewal is a write that keeps the renewer's fields and moves its time", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created = await h.registry.create(R.leases, "default", lease("2024-05-01T10:00:00.000000Z"), kubelet);
    let rv = Number(created.metadata?.resourceVersion);
    for (let i = 1; i <= 3; i++) {
      h.clock.advance(10);
      const renewTime = h.clock.now().toISOString().replace("Z", "000Z");
      const renewed = await h.registry.patch(R.leases, "default", "n1", "merge", { spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime } }, kubelet);
      assert.ok(Number(renewed.metadata?.resourceVersion) > rv, "a new resourceVersion");
      rv = Number(renewed.metadata?.resourceVersion);
      assert.deepEqual(renewed.metadata?.managedFields, [{
        manager: "kubelet", operation: "Update", apiVersion: "coordination.k8s.io/v1", time: h.clock.now().toISOString().replace(/\.\d{3}Z$/, "Z"),
        fieldsType: "FieldsV1", fieldsV1: leaseFields,
      }]);
      assert.deepEqual(await h.registry.get(R.leases, "default", "n1"), renewed);
    }
    // A merge patch that names managedFields still replaces them: [{}] clears them (and an object without keeps none).
    h.clock.advance(10);
    const reset = await h.registry.patch(R.leases, "default", "n1", "merge", { metadata: { managedFields: [{}] }, spec: { holderIdentity: "other" } }, kubelet);
    assert.equal(reset.metadata?.managedFields, undefined);
    assert.equal((reset.spec as { holderIdentity?: string }).holderIdentity, "other");
  });

  test("the written object shares nothing with the stored one: changing what a renewal returned changes nothing stored", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created = await h.registry.create(R.leases, "default", lease("2024-05-01T10:00:00.000000Z"), kubelet);
    h.clock.advance(10);
    await h.registry.patch(R.leases, "default", "n1", "merge", { spec: { renewTime: "2024-05-01T10:00:10.000000Z" } }, kubelet);
    h.clock.advance(10);
    const returned = await h.registry.patch(R.leases, "default", "n1", "merge", { spec: { renewTime: "2024-05-01T10:00:20.000000Z" } }, kubelet);
    const before = structuredClone(await h.registry.get(R.leases, "default", "n1"));
    const fields = returned.metadata?.managedFields?.[0]?.fieldsV1 as Record<string, unknown>;
    fields["f:spec"] = { "f:tampered": {} };
    assert.deepEqual(await h.registry.get(R.leases, "default", "n1"), before);
    // Nor what watchers replay from the watch cache's history.
    const replay = watch(h, R.leases, "default", { resourceVersion: created.metadata?.resourceVersion });
    const events = await replay.take(2);
    await replay.close();
    for (const e of events) assert.deepEqual(e.object.metadata?.managedFields?.[0]?.fieldsV1, leaseFields, e.object.metadata?.resourceVersion);
    h.clock.advance(10);
    const next = await h.registry.patch(R.leases, "default", "n1", "merge", { spec: { renewTime: "2024-05-01T10:00:30.000000Z" } }, kubelet);
    assert.deepEqual(next.metadata?.managedFields?.[0]?.fieldsV1, leaseFields);
  });

  test("renewals through the serializing client answer byte for byte as copied ones, sharing the unchanged entry's stored fieldsV1 read-only", async (t) => {
    const copying = await startHarness();
    const serializing = await startHarness();
    t.after(() => Promise.all([copying.close(), serializing.close()]));
    const client = serializing.registry.serializingClient();
    await copying.registry.create(R.leases, "default", lease("2024-05-01T10:00:00.000000Z"), kubelet);
    await client.create(R.leases, "default", lease("2024-05-01T10:00:00.000000Z"), kubelet);
    const stop = new AbortController();
    t.after(() => stop.abort());
    // Events of the cache's own objects: the lease as the cache holds it, then each write as the cache adopted it.
    const shared = serializing.registry.watchShared(R.leases, "default", {}, stop.signal)[Symbol.asyncIterator]();
    let previous = ((await shared.next()).value as { object: KubeObject }).object;
    for (let i = 1; i <= 3; i++) {
      for (const h of [copying, serializing]) h.clock.advance(10);
      const renewal = { spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: `2024-05-01T10:00:${10 * i}.000000Z` } };
      const copied = await copying.registry.patch(R.leases, "default", "n1", "merge", renewal, kubelet);
      const answered = await client.patch(R.leases, "default", "n1", "merge", renewal, kubelet);
      // Byte for byte but for the (random) uid.
      const text = (o: KubeObject): string => JSON.stringify(o).replaceAll(o.metadata?.uid ?? "", "UID");
      assert.equal(text(answered), text(copied));
      const event = (await shared.next()).value as { object: KubeObject };
      assert.equal(event.object.metadata?.resourceVersion, answered.metadata?.resourceVersion);
      // The cache holds the written object; its entry's FieldsV1 is the very object the replaced one held.
      assert.equal(event.object.metadata?.managedFields?.[0]?.fieldsV1, previous.metadata?.managedFields?.[0]?.fieldsV1);
      previous = event.object;
    }
    assert.deepEqual(previous.metadata?.managedFields?.[0]?.fieldsV1, leaseFields);
  });

  test("strategic-merge status heartbeats own the heartbeat times under the status subresource only", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const n = node("n1", { zone: "a" });
    n.status = { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: "2024-05-01T10:00:00Z", lastTransitionTime: "2024-05-01T10:00:00Z" }] };
    const created = await h.registry.create(R.nodes, undefined, n, kubelet);
    const mainEntry = created.metadata?.managedFields?.[0];
    for (const beat of ["2024-05-01T10:00:10Z", "2024-05-01T10:00:20Z"]) {
      h.clock.advance(10);
      const out = await h.registry.patch(R.nodes, undefined, "n1", "strategic",
        { status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: beat, lastTransitionTime: "2024-05-01T10:00:00Z" }] } },
        { ...kubelet, subresource: "status" });
      assert.deepEqual(out.metadata?.managedFields, [mainEntry, {
        manager: "kubelet", operation: "Update", apiVersion: "v1", time: beat, fieldsType: "FieldsV1",
        fieldsV1: { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { "f:lastHeartbeatTime": {} } } } }, subresource: "status",
      }]);
      assert.equal((out.status as { conditions?: Array<{ lastHeartbeatTime?: string }> } | undefined)?.conditions?.[0]?.lastHeartbeatTime, beat);
    }
  });
});
