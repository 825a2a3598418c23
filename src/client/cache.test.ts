import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, Pod } from "../api/types.js";
import { Indexer, byLabel, byNamespace, byNodeName, objectKey, splitObjectKey, stripManagedFields } from "./cache.js";

function pod(ns: string, name: string, opts: { node?: string; app?: string; rv?: string } = {}): Pod {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { namespace: ns, name, resourceVersion: opts.rv ?? "1", labels: opts.app === undefined ? {} : { app: opts.app } },
    spec: { containers: [], nodeName: opts.node },
  };
}

const sorted = (xs: string[]): string[] => [...xs].sort();
const names = (xs: Pod[]): string[] => sorted(xs.map((p) => p.metadata?.name ?? ""));

describe("objectKey", () => {
  const cases: [KubeObject, string, string | undefined, string][] = [
    [{ metadata: { namespace: "ns", name: "a" } }, "ns/a", "ns", "a"],
    [{ metadata: { name: "node-1" } }, "node-1", undefined, "node-1"],
    [{ metadata: { namespace: "", name: "b" } }, "b", undefined, "b"],
  ];
  for (const [obj, key, ns, name] of cases) {
    test(`${JSON.stringify(obj.metadata)} -> ${key}`, () => {
      assert.equal(objectKey(obj), key);
      assert.deepEqual(splitObjectKey(key), { namespace: ns, name });
    });
  }
});

describe("Indexer", () => {
  const indexers = { namespace: byNamespace, node: byNodeName, app: byLabel("app") };

  test("add/get/list/delete", () => {
    const ix = new Indexer<Pod>(indexers);
    assert.equal(ix.add(pod("a", "p1")), undefined);
    ix.add(pod("b", "p1"));
    assert.equal(ix.size, 2);
    assert.equal(ix.get("a/p1")?.metadata?.namespace, "a");
    assert.deepEqual(sorted(ix.listKeys()), ["a/p1", "b/p1"]);
    assert.equal(ix.list().length, 2);
    assert.equal(ix.delete("a/p1")?.metadata?.name, "p1");
    assert.equal(ix.delete("a/p1"), undefined);
    assert.equal(ix.delete(pod("b", "p1"))?.metadata?.namespace, "b");
    assert.equal(ix.size, 0);
  });

  test("built-in indices follow adds, updates and deletes", () => {
    const ix = new Indexer<Pod>(indexers);
    ix.add(pod("ns1", "p1", { node: "n1", app: "web" }));
    ix.add(pod("ns1", "p2", { node: "n2", app: "web" }));
    ix.add(pod("ns2", "p3", { app: "db" }));
    assert.deepEqual(names(ix.byIndex("namespace", "ns1")), ["p1", "p2"]);
    assert.deepEqual(names(ix.byIndex("node", "n1")), ["p1"]);
    assert.deepEqual(names(ix.byIndex("app", "web")), ["p1", "p2"]);
    assert.deepEqual(sorted(ix.indexValues("node")), ["n1", "n2"], "unscheduled pods are not indexed by node");

    const old = ix.update(pod("ns1", "p1", { node: "n2", app: "api", rv: "2" }));
    assert.equal(old?.metadata?.resourceVersion, "1");
    assert.deepEqual(names(ix.byIndex("node", "n2")), ["p1", "p2"]);
    assert.deepEqual(ix.byIndex("node", "n1"), []);
    assert.deepEqual(sorted(ix.indexValues("node")), ["n2"], "emptied index values are dropped");
    assert.deepEqual(names(ix.byIndex("app", "api")), ["p1"]);
    assert.deepEqual(sorted(ix.byIndexKeys("app", "web")), ["ns1/p2"]);

    ix.delete("ns1/p2");
    assert.deepEqual(names(ix.byIndex("node", "n2")), ["p1"]);
    assert.deepEqual(sorted(ix.indexValues("namespace")), ["ns1", "ns2"]);
    ix.delete("ns2/p3");
    assert.deepEqual(ix.indexValues("namespace"), ["ns1"]);
  });

  test("an update that keeps an object's index values leaves its index entries as they were", () => {
    const ix = new Indexer<Pod>(indexers);
    ix.add(pod("ns1", "p1", { node: "n1", app: "web" }));
    ix.add(pod("ns1", "p2", { node: "n1", app: "web" }));
    ix.update(pod("ns1", "p1", { node: "n1", app: "web", rv: "2" }));
    // Untouched: p1 keeps its place ahead of p2 in every index (a re-index would move it behind).
    const inOrder = (xs: Pod[]): string[] => xs.map((p) => p.metadata?.name ?? "");
    assert.deepEqual(inOrder(ix.byIndex("namespace", "ns1")), ["p1", "p2"]);
    assert.deepEqual(inOrder(ix.byIndex("node", "n1")), ["p1", "p2"]);
    assert.equal(ix.get("ns1/p1")?.metadata?.resourceVersion, "2");
    ix.update(pod("ns1", "p1", { node: "n1", app: "api", rv: "3" }));
    assert.deepEqual(names(ix.byIndex("app", "web")), ["p2"]);
    assert.deepEqual(names(ix.byIndex("app", "api")), ["p1"]);
    assert.deepEqual(inOrder(ix.byIndex("node", "n1")), ["p1", "p2"]);
  });

  test("custom multi-valued index functions", () => {
    const ix = new Indexer<Pod>({ containers: (p) => (p.spec?.containers ?? []).map((c) => c.image ?? "") });
    const p = pod("ns", "multi");
    p.spec = { containers: [{ name: "a", image: "img:1" }, { name: "b", image: "img:2" }] };
    ix.add(p);
    assert.deepEqual(names(ix.byIndex("containers", "img:2")), ["multi"]);
    assert.deepEqual(sorted(ix.indexValues("containers")), ["img:1", "img:2"]);
  });

  test("addIndexers indexes what is already cached; unknown or duplicate names throw", () => {
    const ix = new Indexer<Pod>();
    ix.add(pod("ns", "p", { node: "n1" }));
    assert.throws(() => ix.byIndex("node", "n1"), /index "node" does not exist/);
    ix.addIndexers({ node: byNodeName });
    assert.deepEqual(names(ix.byIndex("node", "n1")), ["p"]);
    assert.throws(() => ix.addIndexers({ node: byNodeName }), /already exists/);
  });

  test("a throwing index function leaves the cache unchanged", () => {
    const ix = new Indexer<Pod>({ app: byLabel("app"), bad: (p) => { if (p.metadata?.name === "bad") throw new Error("no"); return []; } });
    ix.add(pod("ns", "ok", { app: "x" }));
    assert.throws(() => ix.add(pod("ns", "bad", { app: "x" })));
    assert.equal(ix.get("ns/bad"), undefined);
    assert.deepEqual(ix.byIndexKeys("app", "x"), ["ns/ok"]);
  });

  test("replace returns the diff by resourceVersion and maintains indices", () => {
    const ix = new Indexer<Pod>(indexers);
    ix.add(pod("ns", "keep", { rv: "1", node: "n1" }));
    ix.add(pod("ns", "change", { rv: "1", node: "n1" }));
    ix.add(pod("ns", "gone", { rv: "1", node: "n1" }));
    const diff = ix.replace([pod("ns", "keep", { rv: "1", node: "n1" }), pod("ns", "change", { rv: "5", node: "n2" }), pod("ns", "new", { rv: "6" })], "9");
    assert.deepEqual(diff.added.map((p) => p.metadata?.name), ["new"]);
    assert.deepEqual(diff.updated.map(([o, n]) => [o.metadata?.resourceVersion, n.metadata?.resourceVersion]), [["1", "5"]]);
    assert.deepEqual(diff.deleted.map((p) => p.metadata?.name), ["gone"]);
    assert.equal(ix.resourceVersion, "9");
    assert.deepEqual(names(ix.byIndex("node", "n1")), ["keep"]);
    assert.deepEqual(names(ix.byIndex("node", "n2")), ["change"]);
    assert.equal(ix.size, 3);
  });
});

describe("stripManagedFields", () => {
  test("returns a copy without metadata.managedFields, leaving the original as it is", () => {
    const managedFields = [{ manager: "m", operation: "Update", apiVersion: "v1", fieldsType: "FieldsV1", fieldsV1: {} }];
    const original: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns", resourceVersion: "7", labels: { x: "y" }, managedFields }, data: { k: "v" } };
    const trimmed = stripManagedFields(original);
    assert.deepEqual(trimmed, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "ns", resourceVersion: "7", labels: { x: "y" } }, data: { k: "v" } });
    assert.equal(original.metadata?.managedFields, managedFields);
    assert.equal(trimmed.data, original.data, "shallow: the rest is shared");
  });

  test("returns an object without managedFields unchanged", () => {
    const plain: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } };
    assert.equal(stripManagedFields(plain), plain);
  });
});
