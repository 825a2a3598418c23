import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet, Pod } from "../api/types.js";
import { Indexer } from "../client/cache.js";
import { enqueueRequestForOwner, OwnerResolver } from "./owner-handlers.js";
import { controllerRefChanged, labelsChanged, nodeNameChanged, resourceVersionChanged, specOrLifecycleChanged } from "./predicates.js";

const owner = (name: string, uid: string): DaemonSet => ({ metadata: { namespace: "ns", name, uid } });
const owned = (rv: string, ownerName: string, uid: string, kind = "DaemonSet"): Pod => ({
  metadata: { namespace: "ns", name: "p", resourceVersion: rv, ownerReferences: [{ apiVersion: "apps/v1", kind, name: ownerName, uid, controller: true }] },
});

describe("enqueueRequestForOwner", () => {
  const store = new Indexer<DaemonSet>();
  store.replace([owner("a", "ua"), owner("b", "ub")], "1");
  const resolver = new OwnerResolver(store, "DaemonSet");

  test("resolves a controller reference only to the cached owner with the same kind and uid", () => {
    assert.equal(resolver.controllerOf(owned("1", "a", "ua"))?.metadata?.name, "a");
    assert.equal(resolver.controllerOf(owned("1", "a", "stale")), undefined);
    assert.equal(resolver.controllerOf(owned("1", "a", "ua", "ReplicaSet")), undefined);
    assert.equal(resolver.controllerOf({ metadata: { namespace: "ns", name: "orphan" } }), undefined);
  });

  test("enqueues the owner on add and delete, both owners when the reference moved, nothing without a new resourceVersion", () => {
    const queued: string[] = [];
    const handler = enqueueRequestForOwner<Pod, DaemonSet>({ owners: resolver, enqueue: (ds) => queued.push(ds.metadata?.name ?? "") });
    handler.onAdd?.(owned("1", "a", "ua"), false);
    handler.onDelete?.(owned("2", "b", "ub"));
    assert.deepEqual(queued.splice(0), ["a", "b"]);
    handler.onUpdate?.(owned("1", "a", "ua"), owned("1", "a", "ua"));
    assert.deepEqual(queued.splice(0), []);
    handler.onUpdate?.(owned("1", "a", "ua"), owned("2", "b", "ub"));
    assert.deepEqual(queued.splice(0), ["a", "b"]);
    handler.onUpdate?.(owned("2", "b", "ub"), owned("3", "b", "ub"));
    assert.deepEqual(queued.splice(0), ["b"]);
  });
});

describe("predicates", () => {
  test("each reports only its own kind of change", () => {
    const base: Pod = { metadata: { uid: "u", resourceVersion: "1", generation: 1, labels: { a: "1", b: "2" } }, spec: { containers: [], nodeName: "n1" } };
    const reordered: Pod = { ...base, metadata: { ...base.metadata, labels: { b: "2", a: "1" } } };
    assert.equal(resourceVersionChanged(base, reordered), false);
    assert.equal(labelsChanged(base, reordered), false);
    assert.equal(labelsChanged(base, { ...base, metadata: { ...base.metadata, labels: { a: "1" } } }), true);
    assert.equal(resourceVersionChanged(base, { ...base, metadata: { ...base.metadata, resourceVersion: "2" } }), true);
    assert.equal(specOrLifecycleChanged(base, { ...base, metadata: { ...base.metadata, resourceVersion: "2" } }), false);
    assert.equal(specOrLifecycleChanged(base, { ...base, metadata: { ...base.metadata, generation: 2 } }), true);
    assert.equal(specOrLifecycleChanged(base, { ...base, metadata: { ...base.metadata, uid: "v" } }), true);
    assert.equal(specOrLifecycleChanged(base, { ...base, metadata: { ...base.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } }), true);
    assert.equal(nodeNameChanged(base, { ...base, spec: { containers: [], nodeName: "n2" } }), true);
    assert.equal(nodeNameChanged(base, reordered), false);
    assert.equal(controllerRefChanged(owned("1", "a", "ua"), owned("2", "a", "ua")), false);
    assert.equal(controllerRefChanged(owned("1", "a", "ua"), base), true);
  });
});
