import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findResource } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import { AbsentOwnerCache, DependencyGraph } from "./dependency-graph.js";

const pods = findResource("", "pods")!;

function obj(uid: string, owners: string[] = []): KubeObject {
  return { metadata: { name: uid, namespace: "default", uid, ownerReferences: owners.map((o) => ({ apiVersion: "apps/v1", kind: "DaemonSet", name: o, uid: o })) } };
}

describe("DependencyGraph", () => {
  test("indexes dependents by owner uid and follows reference changes and removals", () => {
    const g = new DependencyGraph();
    g.upsert(pods, obj("p1", ["a", "b"]));
    g.upsert(pods, obj("p2", ["a", "a"]));
    assert.deepEqual(g.dependentsOf("a").map((n) => n.uid).sort(), ["p1", "p2"]);
    assert.deepEqual(g.dependentsOf("b").map((n) => n.uid), ["p1"]);
    g.upsert(pods, obj("p1", ["c"]));
    assert.deepEqual(g.dependentsOf("a").map((n) => n.uid), ["p2"]);
    assert.equal(g.hasDependents("b"), false);
    assert.equal(g.hasDependents("c"), true);
    assert.equal(g.remove(obj("p2"))?.uid, "p2");
    assert.equal(g.hasDependents("a"), false);
    assert.equal(g.size, 1);
    assert.equal(g.remove(obj("missing")), undefined);
  });

  test("an update keeping the owners replaces the object and keeps the index", () => {
    const g = new DependencyGraph();
    g.upsert(pods, obj("p1", ["a"]));
    const next = { ...obj("p1", ["a"]), status: { phase: "Running" } };
    assert.equal(g.upsert(pods, next)?.uid, "p1");
    assert.equal(g.get("p1")?.object, next);
    assert.deepEqual(g.dependentsOf("a").map((n) => n.object), [next]);
    g.upsert(pods, obj("p1", []));
    assert.equal(g.hasDependents("a"), false);
  });

  test("ignores objects without a uid", () => {
    const g = new DependencyGraph();
    g.upsert(pods, { metadata: { name: "x" } });
    assert.equal(g.size, 0);
  });
});

describe("AbsentOwnerCache", () => {
  test("keeps the most recent uids up to its bound", () => {
    const c = new AbsentOwnerCache(2);
    c.add("a");
    c.add("b");
    c.add("a");
    c.add("c");
    assert.deepEqual(["a", "b", "c"].map((u) => c.has(u)), [true, false, true]);
  });
});
