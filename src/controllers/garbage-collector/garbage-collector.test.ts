import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, OwnerReference } from "../../api/types.js";
import { daemonSet, node, pod } from "../../apiserver/registry/testing/fixtures.js";
import { Collector } from "./collector.js";
import { AbsentOwnerCache, DependencyGraph } from "./dependency-graph.js";
import { GarbageCollector } from "./garbage-collector.js";
import { GcOperations } from "./gc-operations.js";
import { R, settle, startTestCluster, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";

function ownerRef(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: "apps/v1", kind: "DaemonSet", name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true, ...extra };
}

function ownedPod(name: string, owners: OwnerReference[], extra: { nodeName?: string; labels?: Record<string, string> } = {}): KubeObject {
  const p = pod(name, { nodeName: extra.nodeName, labels: extra.labels ?? { app: "web" } });
  p.metadata!.ownerReferences = owners;
  return p;
}

function revision(name: string, owners: OwnerReference[]): KubeObject {
  return { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name, labels: { app: "web" }, ownerReferences: owners }, data: {}, revision: 1 };
}

async function names(c: TestCluster, resource: typeof R.pods): Promise<string[]> {
  return (await c.client.list(resource, "default")).items.map((o) => o.metadata!.name!).sort();
}

async function exists(c: TestCluster, resource: typeof R.pods, name: string): Promise<boolean> {
  return (await names(c, resource)).includes(name);
}

function withCollector(fn: (c: TestCluster, gc: GarbageCollector) => Promise<void>): Promise<void> {
  return withControlLoop((base) => new GarbageCollector(base), fn);
}

describe("GarbageCollector", () => {
  test("background: deletes the pods and revisions of a deleted owner, leaves others alone", () => withCollector(async (c) => {
    const ds = await c.client.create(R.daemonsets, "default", daemonSet("web"));
    await c.client.create(R.pods, "default", ownedPod("web-a", [ownerRef(ds)]));
    await c.client.create(R.pods, "default", ownedPod("web-b", [ownerRef(ds)]));
    await c.client.create(R.pods, "default", pod("standalone"));
    await c.client.create(R.controllerrevisions, "default", revision("web-1", [ownerRef(ds)]));
    await settle();
    assert.deepEqual(await names(c, R.pods), ["standalone", "web-a", "web-b"], "nothing is collected while the owner lives");

    await c.client.delete(R.daemonsets, "default", "web", { propagationPolicy: "Background" });
    await until(c.clock, async () => (await names(c, R.pods)).length === 1 && (await names(c, R.controllerrevisions)).length === 0, "dependents gone");
    assert.deepEqual(await names(c, R.pods), ["standalone"]);
  }));

  test("background: a dependent whose owner never existed (uid unknown) is deleted after a live check", () => withCollector(async (c) => {
    const ds = await c.client.create(R.daemonsets, "default", daemonSet("web"));
    const ghost = { ...ownerRef(ds), uid: "00000000-0000-0000-0000-000000000000" };
    await c.client.create(R.pods, "default", ownedPod("ghost-child", [ghost]));
    await until(c.clock, async () => !(await exists(c, R.pods, "ghost-child")), "ghost child deleted");
    assert.ok(await c.client.get(R.daemonsets, "default", "web"), "a same-named owner with another uid is not the owner");
  }));

  test("orphan: strips ownerReferences (labels kept), then the owner goes", () => withCollector(async (c) => {
    const ds = await c.client.create(R.daemonsets, "default", daemonSet("web"));
    await c.client.create(R.pods, "default", ownedPod("web-a", [ownerRef(ds)]));
    await c.client.create(R.controllerrevisions, "default", revision("web-1", [ownerRef(ds)]));
    await settle();

    await c.client.delete(R.daemonsets, "default", "web", { propagationPolicy: "Orphan" });
    await until(c.clock, async () => !(await exists(c, R.daemonsets, "web")), "owner gone");
    const p = await c.client.get(R.pods, "default", "web-a");
    assert.equal(p.metadata?.ownerReferences, undefined);
    assert.deepEqual(p.metadata?.labels, { app: "web" });
    const rev = await c.client.get(R.controllerrevisions, "default", "web-1");
    assert.equal(rev.metadata?.ownerReferences, undefined);
    await settle();
    assert.ok(await exists(c, R.pods, "web-a"), "orphans are not collected afterwards");
  }));

  test("foreground: dependents go first (a terminating pod still blocks), then the owner", () => withCollector(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    const ds = await c.client.create(R.daemonsets, "default", daemonSet("web"));
    await c.client.create(R.pods, "default", ownedPod("web-a", [ownerRef(ds)], { nodeName: "n1" }));
    await c.client.create(R.pods, "default", ownedPod("web-b", [ownerRef(ds, { blockOwnerDeletion: false })]));
    await settle();

    await c.client.delete(R.daemonsets, "default", "web", { propagationPolicy: "Foreground" });
    await until(c.clock, async () => {
      const p = await c.client.get(R.pods, "default", "web-a");
      return !!p.metadata?.deletionTimestamp && !(await exists(c, R.pods, "web-b"));
    }, "dependents deleted");
    await settle();
    const owner = await c.client.get(R.daemonsets, "default", "web");
    assert.ok(owner.metadata?.deletionTimestamp);
    assert.deepEqual(owner.metadata?.finalizers, ["foregroundDeletion"], "the owner waits for its terminating blocking dependent");

    await c.client.delete(R.pods, "default", "web-a", { gracePeriodSeconds: 0 });
    await until(c.clock, async () => !(await exists(c, R.daemonsets, "web")), "owner gone after its dependents");
  }));

  test("foreground: an object owning itself goes, and so does a cycle of objects each deleted in the foreground", () => withCollector(async (c) => {
    const selfRef = (o: KubeObject): OwnerReference => ({ apiVersion: "apps/v1", kind: "ControllerRevision", name: o.metadata!.name!, uid: o.metadata!.uid!, blockOwnerDeletion: true });
    const own = async (name: string, owner: KubeObject): Promise<void> => {
      await c.client.patch(R.controllerrevisions, "default", name, "merge", { metadata: { ownerReferences: [selfRef(owner)] } });
    };
    const self = await c.client.create(R.controllerrevisions, "default", revision("self", []));
    await own("self", self);
    const a = await c.client.create(R.controllerrevisions, "default", revision("a", []));
    const b = await c.client.create(R.controllerrevisions, "default", revision("b", []));
    await own("a", b);
    await own("b", a);
    await settle();
    for (const name of ["self", "a", "b"]) await c.client.delete(R.controllerrevisions, "default", name, { propagationPolicy: "Foreground" });
    await until(c.clock, async () => (await names(c, R.controllerrevisions)).length === 0, "self-owned and cyclic objects gone");
  }));

  test("multiple owners: only the dangling reference is removed; the dependent goes with its last owner", () => withCollector(async (c) => {
    const a = await c.client.create(R.daemonsets, "default", daemonSet("a"));
    const b = await c.client.create(R.daemonsets, "default", daemonSet("b"));
    await c.client.create(R.pods, "default", ownedPod("shared", [ownerRef(a), ownerRef(b, { controller: false })]));
    await settle();

    await c.client.delete(R.daemonsets, "default", "a", { propagationPolicy: "Background" });
    await until(c.clock, async () => {
      const p = await c.client.get(R.pods, "default", "shared");
      return p.metadata?.ownerReferences?.length === 1;
    }, "dangling reference removed");
    const p = await c.client.get(R.pods, "default", "shared");
    assert.deepEqual(p.metadata?.ownerReferences?.map((r) => r.name), ["b"]);

    await c.client.delete(R.daemonsets, "default", "b", { propagationPolicy: "Background" });
    await until(c.clock, async () => !(await exists(c, R.pods, "shared")), "dependent gone with its last owner");
  }));

  test("an owner of a kind that is not served never causes collection", () => withCollector(async (c) => {
    const ref: OwnerReference = { apiVersion: "apps/v1", kind: "Deployment", name: "d", uid: "11111111-1111-1111-1111-111111111111", controller: true };
    await c.client.create(R.pods, "default", ownedPod("kept", [ref]));
    await settle(100);
    assert.ok(await exists(c, R.pods, "kept"));
  }));

  test("decisions use the live dependent: a stale cached copy naming a gone owner does not get it deleted", async () => {
    const c = await startTestCluster();
    try {
      const a = await c.client.create(R.daemonsets, "default", daemonSet("a"));
      const b = await c.client.create(R.daemonsets, "default", daemonSet("b"));
      const stale = await c.client.create(R.pods, "default", ownedPod("moved", [ownerRef(a)]));
      await c.client.patch(R.pods, "default", "moved", "merge", { metadata: { ownerReferences: [ownerRef(b)] } });
      await c.client.delete(R.daemonsets, "default", "a", { propagationPolicy: "Background" });
      const graph = new DependencyGraph();
      graph.upsert(R.daemonsets, b);
      graph.upsert(R.pods, stale);
      const collector = new Collector({ graph, operations: new GcOperations(c.client), absentOwners: new AbsentOwnerCache(), enqueue: () => undefined });
      await collector.process(stale.metadata!.uid!);
      assert.ok(await exists(c, R.pods, "moved"));

      graph.remove(b);
      await c.client.delete(R.daemonsets, "default", "b", { propagationPolicy: "Background" });
      await collector.process(stale.metadata!.uid!);
      assert.equal(await exists(c, R.pods, "moved"), false, "with every owner verified absent it goes");
    } finally {
      await c.stop();
    }
  });
});
