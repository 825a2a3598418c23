import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { R, daemonSet, node, pod, rejects, startHarness } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("registry delete", () => {
  test("background delete removes at once and answers a Success Status (pods: the pod)", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const ds = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const status = await h.registry.delete(R.daemonsets, "default", "d", { propagationPolicy: "Background" });
    assert.deepEqual(status, {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Success",
      details: { name: "d", group: "apps", kind: "daemonsets", uid: ds.metadata?.uid },
    });
    await rejects(h.registry.get(R.daemonsets, "default", "d"), 404);
    await rejects(h.registry.delete(R.daemonsets, "default", "d"), 404, 'daemonsets.apps "d" not found');
    await h.registry.create(R.pods, "default", pod("p"));
    const deleted = await h.registry.delete(R.pods, "default", "p");
    assert.equal(deleted.kind, "Pod");
    assert.equal(deleted.metadata?.name, "p");
    await h.registry.create(R.nodes, undefined, node("n"));
    assert.equal((await h.registry.delete(R.nodes, undefined, "n")).kind, "Status");
  });

  test("preconditions", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const ds = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    await rejects(h.registry.delete(R.daemonsets, "default", "d", { preconditions: { uid: "a" } }), 409,
      `Operation cannot be fulfilled on daemonsets.apps "d": Precondition failed: UID in precondition: a, UID in object meta: ${ds.metadata?.uid ?? ""}`);
    await rejects(h.registry.delete(R.daemonsets, "default", "d", { preconditions: { resourceVersion: "1" } }), 409,
      `Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${ds.metadata?.resourceVersion ?? ""}`);
    await h.registry.delete(R.daemonsets, "default", "d", { preconditions: { uid: ds.metadata?.uid, resourceVersion: ds.metadata?.resourceVersion } });
  });

  test("orphan and foreground add their finalizer and keep the object", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cases: { name: string; options: Record<string, unknown>; finalizers: string[] }[] = [
      { name: "orphan", options: { propagationPolicy: "Orphan" }, finalizers: ["orphan"] },
      { name: "orphan-legacy", options: { orphanDependents: true }, finalizers: ["orphan"] },
      { name: "foreground", options: { propagationPolicy: "Foreground" }, finalizers: ["foregroundDeletion"] },
    ];
    for (const c of cases) {
      await h.registry.create(R.daemonsets, "default", daemonSet(c.name));
      const out: Mutable = await h.registry.delete(R.daemonsets, "default", c.name, c.options);
      assert.deepEqual(out.metadata.finalizers, c.finalizers, c.name);
      assert.equal(out.metadata.deletionTimestamp, "2024-05-01T10:00:00Z");
      assert.equal(out.metadata.deletionGracePeriodSeconds, 0);
      const stored: Mutable = await h.registry.get(R.daemonsets, "default", c.name);
      assert.deepEqual(stored.metadata.finalizers, c.finalizers);
      // The garbage collector removes the finalizer when done: that deletes the object.
      stored.metadata.finalizers = [];
      await h.registry.update(R.daemonsets, "default", stored);
      await rejects(h.registry.get(R.daemonsets, "default", c.name), 404);
    }
  });

  test("a later Background delete drops a pending orphan finalizer and deletes", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    await h.registry.delete(R.daemonsets, "default", "d", { propagationPolicy: "Orphan" });
    const again = await h.registry.delete(R.daemonsets, "default", "d", { propagationPolicy: "Background" });
    assert.equal(again.kind, "Status");
    await rejects(h.registry.get(R.daemonsets, "default", "d"), 404);
  });

  test("objects with other finalizers are kept with a deletionTimestamp", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const input = daemonSet("d");
    input.metadata = { name: "d", finalizers: ["example.com/x"] };
    await h.registry.create(R.daemonsets, "default", input);
    const out: Mutable = await h.registry.delete(R.daemonsets, "default", "d");
    assert.deepEqual(out.metadata.finalizers, ["example.com/x"]);
    assert.ok(out.metadata.deletionTimestamp);
    const second: Mutable = await h.registry.delete(R.daemonsets, "default", "d");
    assert.equal(second.metadata.resourceVersion, out.metadata.resourceVersion, "repeat delete changes nothing");
  });

  test("graceful pod deletion", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("bound", { nodeName: "n1" }));
    const pending: Mutable = await h.registry.delete(R.pods, "default", "bound");
    assert.equal(pending.metadata.deletionTimestamp, "2024-05-01T10:00:30Z");
    assert.equal(pending.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(await h.registry.get(R.pods, "default", "bound"));
    // A longer grace period is ignored; a shorter one moves the deadline earlier.
    const longer: Mutable = await h.registry.delete(R.pods, "default", "bound", { gracePeriodSeconds: 60 });
    assert.equal(longer.metadata.deletionGracePeriodSeconds, 30);
    const shorter: Mutable = await h.registry.delete(R.pods, "default", "bound", { gracePeriodSeconds: 10 });
    assert.equal(shorter.metadata.deletionGracePeriodSeconds, 10);
    assert.equal(shorter.metadata.deletionTimestamp, "2024-05-01T10:00:10Z");
    const gone: Mutable = await h.registry.delete(R.pods, "default", "bound", { gracePeriodSeconds: 0 });
    assert.equal(gone.kind, "Pod");
    await rejects(h.registry.get(R.pods, "default", "bound"), 404);

    const custom = pod("custom", { nodeName: "n1" });
    (custom.spec as Mutable).terminationGracePeriodSeconds = 5;
    await h.registry.create(R.pods, "default", custom);
    assert.equal(((await h.registry.delete(R.pods, "default", "custom")) as Mutable).metadata.deletionGracePeriodSeconds, 5);
    const explicit = await h.registry.create(R.pods, "default", pod("explicit", { nodeName: "n1" }));
    assert.equal(((await h.registry.delete(R.pods, "default", "explicit", { gracePeriodSeconds: 3 })) as Mutable).metadata.deletionGracePeriodSeconds, 3);
    assert.ok(explicit);

    await h.registry.create(R.pods, "default", pod("unbound"));
    await h.registry.delete(R.pods, "default", "unbound");
    await rejects(h.registry.get(R.pods, "default", "unbound"), 404);

    const done: Mutable = await h.registry.create(R.pods, "default", pod("done", { nodeName: "n1" }));
    done.status = { phase: "Succeeded" };
    await h.registry.updateStatus(R.pods, "default", done);
    await h.registry.delete(R.pods, "default", "done");
    await rejects(h.registry.get(R.pods, "default", "done"), 404);
  });

  test("graceful deletion with finalizers: grace 0 keeps the pod until the finalizer goes", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p", { nodeName: "n1", finalizers: ["example.com/x"] }));
    await h.registry.delete(R.pods, "default", "p");
    const held: Mutable = await h.registry.get(R.pods, "default", "p");
    held.metadata.finalizers = [];
    const stillThere: Mutable = await h.registry.update(R.pods, "default", held);
    assert.equal(stillThere.metadata.deletionGracePeriodSeconds, 30, "grace still running: not deleted by the update");
    await h.registry.delete(R.pods, "default", "p", { gracePeriodSeconds: 0 });
    await rejects(h.registry.get(R.pods, "default", "p"), 404);
  });

  test("dry-run delete keeps the object", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const out = await h.registry.delete(R.daemonsets, "default", "d", { dryRun: ["All"] });
    assert.equal(out.kind, "Status");
    assert.ok(await h.registry.get(R.daemonsets, "default", "d"));
  });

  test("deleteCollection deletes what the selectors pick and lists it", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    for (const [name, app] of [["a", "x"], ["b", "x"], ["c", "y"]] as const) {
      await h.registry.create(R.pods, "default", pod(name, { labels: { app } }));
    }
    await h.registry.create(R.pods, "other", pod("d", { labels: { app: "x" } }));
    const deleted = await h.registry.deleteCollection(R.pods, "default", { labelSelector: "app=x" });
    assert.deepEqual(deleted.items.map((i: KubeObject) => i.metadata?.name), ["a", "b"]);
    const left = await h.registry.list(R.pods, undefined);
    assert.deepEqual(left.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`), ["default/c", "other/d"]);
    await rejects(h.registry.deleteCollection(R.pods, "default", { labelSelector: "a b" }), 400);
  });
});
