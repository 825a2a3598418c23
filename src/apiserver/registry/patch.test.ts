import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { R, daemonSet, node, pod, rejects, startHarness } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("registry patch", () => {
  test("merge, strategic and JSON patches of the main resource", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.nodes, undefined, node("n1"));
    const merged: Mutable = await h.registry.patch(R.nodes, undefined, "n1", "merge", { metadata: { labels: { color: "blue" } } });
    assert.equal(merged.metadata.labels.color, "blue");
    const unlabeled: Mutable = await h.registry.patch(R.nodes, undefined, "n1", "merge", { metadata: { labels: { color: null } } });
    assert.equal(unlabeled.metadata.labels?.color, undefined);
    const cordoned: Mutable = await h.registry.patch(R.nodes, undefined, "n1", "strategic", { spec: { unschedulable: true } });
    assert.equal(cordoned.spec.unschedulable, true);
    const json: Mutable = await h.registry.patch(R.nodes, undefined, "n1", "json", [{ op: "add", path: "/metadata/annotations", value: { a: "b" } }]);
    assert.deepEqual(json.metadata.annotations, { a: "b" });
    assert.deepEqual(await h.registry.get(R.nodes, undefined, "n1"), json);
  });

  test("strategic patch of a DaemonSet template bumps generation; status patch does not", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const patched: Mutable = await h.registry.patch(R.daemonsets, "default", "d", "strategic", {
      spec: { template: { spec: { "$setElementOrder/containers": [{ name: "main" }], containers: [{ name: "main", image: "nginx:1.26" }] } } },
    });
    assert.equal(patched.spec.template.spec.containers[0].image, "nginx:1.26");
    assert.equal(patched.metadata.generation, 2);
    assert.equal(patched.metadata.annotations["deprecated.daemonset.template.generation"], "2");
    const status: Mutable = await h.registry.patch(R.daemonsets, "default", "d", "merge",
      { status: { conditions: [{ type: "Ready", status: "True" }] }, spec: { minReadySeconds: 9 } }, { subresource: "status" });
    assert.deepEqual(status.status.conditions, [{ type: "Ready", status: "True" }]);
    assert.equal(status.spec.minReadySeconds, undefined);
    assert.equal(status.metadata.generation, 2);
    const main: Mutable = await h.registry.patch(R.daemonsets, "default", "d", "merge", { status: { numberReady: 7 } });
    assert.equal(main.status.numberReady, 0, "main resource patch cannot change status");
  });

  test("resourceVersion in the patch is a precondition", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const p = await h.registry.create(R.pods, "default", pod("p"));
    await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { a: "1" } } });
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", { metadata: { resourceVersion: p.metadata?.resourceVersion, labels: { b: "2" } } }), 409);
    const current = await h.registry.get(R.pods, "default", "p");
    const ok: Mutable = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { resourceVersion: current.metadata?.resourceVersion, labels: { b: "2" } } });
    assert.deepEqual(ok.metadata.labels, { a: "1", b: "2" });
  });

  test("errors: missing object, renaming, unknown subresource, bad patch", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await rejects(h.registry.patch(R.pods, "default", "ghost", "merge", { metadata: { labels: { a: "1" } } }), 404, 'pods "ghost" not found');
    await h.registry.create(R.pods, "default", pod("p"));
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", { metadata: { name: "q" } }), 400, "does not match the name on the URL");
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", {}, { subresource: "scale" }), 404);
    await rejects(h.registry.patch(R.leases, "default", "p", "merge", {}, { subresource: "status" }), 404);
    await rejects(h.registry.patch(R.pods, "default", "p", "json", [{ op: "nonsense", path: "/x" }]), 422);
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", { spec: { containers: "oops" } }), 400, "cannot be handled as a Pod");
  });

  test("a patch that makes kind or apiVersion a non-string (even an unprintable object) is a 400", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p"));
    const unprintable = JSON.parse('{"toString":1,"hasOwnProperty":2}') as unknown;
    await rejects(h.registry.patch(R.pods, "default", "p", "strategic", { kind: unprintable }), 400,
      "couldn't get version/kind; json parse error: json: cannot unmarshal object into Go struct field .kind of type string");
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", { apiVersion: [1] }), 400, "cannot unmarshal array into Go struct field .apiVersion");
  });

  test("server-side apply creates when missing, then updates", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const body = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "ssa", labels: { v: "1" } }, spec: daemonSet("ssa").spec };
    const first = await h.registry.patchWithOutcome(R.daemonsets, "default", "ssa", "apply", body, { fieldManager: "kubectl" });
    assert.equal(first.created, true);
    assert.equal(first.object.metadata?.generation, 1);
    const again = await h.registry.patchWithOutcome(R.daemonsets, "default", "ssa", "apply", { ...body, metadata: { name: "ssa", labels: { v: "2" } } }, { fieldManager: "kubectl" });
    assert.equal(again.created, false);
    assert.equal(again.object.metadata?.labels?.v, "2");
    assert.equal(again.object.metadata?.uid, first.object.metadata?.uid);
  });

  test("server-side apply conflicts: 409 Status with FieldManagerConflict causes, nothing stored; force takes over", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const body = (labels: Record<string, string>): Mutable => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "own", labels }, spec: daemonSet("own").spec });
    await h.registry.patch(R.daemonsets, "default", "own", "apply", body({ team: "a" }), { fieldManager: "a" });
    const stored = await h.registry.get(R.daemonsets, "default", "own");
    const err = await rejects(h.registry.patch(R.daemonsets, "default", "own", "apply", body({ team: "b" }), { fieldManager: "b" }), 409,
      'Apply failed with 1 conflict: conflict with "a": .metadata.labels.team');
    assert.equal(err.reason, "Conflict");
    assert.deepEqual(err.status.details?.causes, [{ reason: "FieldManagerConflict", message: 'conflict with "a"', field: ".metadata.labels.team" }]);
    assert.deepEqual(await h.registry.get(R.daemonsets, "default", "own"), stored);
    const forced: Mutable = await h.registry.patch(R.daemonsets, "default", "own", "apply", body({ team: "b" }), { fieldManager: "b", force: true });
    assert.equal(forced.metadata.labels.team, "b");
    assert.deepEqual(forced.metadata.managedFields.map((e: Mutable) => e.manager), ["a", "b"]);
    // An Update by another manager takes the field without conflict; the status writer is recorded apart.
    const updated: Mutable = await h.registry.patch(R.daemonsets, "default", "own", "merge", { metadata: { labels: { team: "c" } } }, { fieldManager: "kubectl-patch" });
    assert.deepEqual(updated.metadata.managedFields.map((e: Mutable) => `${e.manager}/${e.operation}`), ["a/Apply", "b/Apply", "kubectl-patch/Update"]);
    assert.equal(JSON.stringify(updated.metadata.managedFields[1].fieldsV1).includes("team"), false);
  });

  test("dry-run patch does not store", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const p = await h.registry.create(R.pods, "default", pod("p"));
    const dry: Mutable = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { a: "1" } } }, { dryRun: true });
    assert.equal(dry.metadata.labels.a, "1");
    assert.deepEqual(await h.registry.get(R.pods, "default", "p"), p);
  });

  test("concurrent patches all apply (retry on storage conflicts)", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p"));
    await Promise.all(Array.from({ length: 5 }, (_, i) =>
      h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { [`k${i}`]: "v" } } })));
    const labels = (await h.registry.get(R.pods, "default", "p")).metadata?.labels ?? {};
    assert.deepEqual(Object.keys(labels).sort(), ["k0", "k1", "k2", "k3", "k4"]);
  });
});
