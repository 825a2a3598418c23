import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ensureNamespaces } from "./bootstrap.js";
import { R, daemonSet, pod, rejects, startHarness, watch } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("registry namespaces", () => {
  test("create: phase Active, kubernetes finalizer, name label", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const ns: Mutable = await h.registry.create(R.namespaces, undefined, { metadata: { name: "team" }, status: { phase: "Terminating" } });
    assert.deepEqual(ns.status, { phase: "Active" });
    assert.deepEqual(ns.spec.finalizers, ["kubernetes"]);
    assert.equal(ns.metadata.labels["kubernetes.io/metadata.name"], "team");
    ns.spec.finalizers = [];
    const updated: Mutable = await h.registry.update(R.namespaces, undefined, ns);
    assert.deepEqual(updated.spec.finalizers, ["kubernetes"], "spec.finalizers cannot be changed by update");
  });

  test("system namespaces cannot be deleted", async (t) => {
    const h = await startHarness({ namespaces: [] });
    t.after(() => h.close());
    await ensureNamespaces(h.registry);
    await ensureNamespaces(h.registry);
    const names = (await h.registry.list(R.namespaces, undefined)).items.map((n) => n.metadata?.name);
    assert.deepEqual(names, ["default", "kube-node-lease", "kube-public", "kube-system"]);
    for (const name of ["default", "kube-system", "kube-public"]) {
      const e = await rejects(h.registry.delete(R.namespaces, undefined, name), 403, `namespaces "${name}" is forbidden: this namespace may not be deleted`);
      assert.equal(e.reason, "Forbidden");
    }
  });

  test("deleting a namespace empties it, then removes it", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.namespaces, undefined, { metadata: { name: "team" } });
    await h.registry.create(R.daemonsets, "team", daemonSet("d"));
    await h.registry.create(R.pods, "team", pod("unbound"));
    await h.registry.create(R.pods, "team", pod("bound", { nodeName: "n1" }));
    await h.registry.create(R.leases, "team", { metadata: { name: "l" }, spec: {} });
    await h.registry.create(R.pods, "default", pod("bystander"));
    const nsWatch = watch(h, R.namespaces, undefined, { resourceVersion: (await h.registry.list(R.namespaces, undefined)).metadata.resourceVersion, fieldSelector: "metadata.name=team" });
    t.after(() => nsWatch.close());

    const out: Mutable = await h.registry.delete(R.namespaces, undefined, "team");
    assert.equal(out.status.phase, "Terminating");
    assert.ok(out.metadata.deletionTimestamp);
    await rejects(h.registry.delete(R.namespaces, undefined, "team"), 409,
      'Operation cannot be fulfilled on namespaces "team": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');

    // The bound pod terminates gracefully: the namespace waits for it.
    const podWatch = watch(h, R.pods, "team", { fieldSelector: "metadata.name=bound", resourceVersion: out.metadata.resourceVersion });
    t.after(() => podWatch.close());
    const [terminating] = await podWatch.take(1);
    assert.equal(terminating?.type, "MODIFIED");
    assert.ok((terminating?.object as Mutable).metadata.deletionTimestamp);
    assert.deepEqual((await h.registry.list(R.daemonsets, "team")).items, []);
    assert.ok(await h.registry.get(R.namespaces, undefined, "team"));

    await h.registry.delete(R.pods, "team", "bound", { gracePeriodSeconds: 0 });
    const events = await nsWatch.take(3);
    assert.deepEqual(events.map((e) => e.type), ["MODIFIED", "MODIFIED", "DELETED"], "terminating, finalized, deleted");
    await rejects(h.registry.get(R.namespaces, undefined, "team"), 404);
    assert.ok(await h.registry.get(R.pods, "default", "bystander"));
    assert.deepEqual((await h.registry.list(R.leases, "team")).items, []);
  });

  test("a namespace deleted with orphan propagation waits for its orphan finalizer", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.namespaces, undefined, { metadata: { name: "team" } });
    const nsWatch = watch(h, R.namespaces, undefined, { fieldSelector: "metadata.name=team", resourceVersion: (await h.registry.list(R.namespaces, undefined)).metadata.resourceVersion });
    t.after(() => nsWatch.close());
    await h.registry.delete(R.namespaces, undefined, "team", { propagationPolicy: "Orphan" });
    const [marked, finalized, deleting] = await nsWatch.take(3);
    assert.deepEqual((marked?.object as Mutable).metadata.finalizers, ["orphan"]);
    assert.equal(finalized?.type, "MODIFIED");
    assert.deepEqual((finalized?.object as Mutable).spec.finalizers, []);
    assert.equal((deleting?.object as Mutable).metadata.deletionGracePeriodSeconds, 0);
    const ns: Mutable = await h.registry.get(R.namespaces, undefined, "team");
    ns.metadata.finalizers = [];
    await h.registry.update(R.namespaces, undefined, ns);
    await rejects(h.registry.get(R.namespaces, undefined, "team"), 404);
  });
});
