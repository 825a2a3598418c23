import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { storageKey } from "../../api/resources.js";
import { decodeObject, encodeObject } from "./codec.js";
import { R, daemonSet, node, pod, rejects, startHarness, watch } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

const tgAnnotation = "deprecated.daemonset.template.generation";

describe("registry update", () => {
  test("updates every kind and bumps resourceVersion", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cases: [typeof R.pods, string | undefined, KubeObject][] = [
      [R.nodes, undefined, node("n1")],
      [R.pods, "default", pod("p1")],
      [R.daemonsets, "default", daemonSet("d1")],
      [R.leases, "default", { metadata: { name: "l1" }, spec: { holderIdentity: "a" } }],
      [R.events, "default", { metadata: { name: "e1" }, involvedObject: { kind: "Pod", name: "p1", namespace: "default" }, reason: "R", message: "m", type: "Normal" }],
      [R.controllerrevisions, "default", { metadata: { name: "c1" }, revision: 1, data: { spec: {} } }],
      [R.namespaces, undefined, { metadata: { name: "ns1" } }],
    ];
    for (const [r, ns, obj] of cases) {
      const created: Mutable = await h.registry.create(r, ns, obj);
      created.metadata.labels = { touched: "yes" };
      const updated = await h.registry.update(r, ns, created);
      assert.equal(updated.metadata?.labels?.touched, "yes", r.resource);
      assert.ok(Number(updated.metadata?.resourceVersion) > Number(created.metadata.resourceVersion), r.resource);
      assert.deepEqual(await h.registry.get(r, ns, obj.metadata?.name ?? ""), updated);
    }
  });

  test("stale resourceVersion is a 409 conflict; missing object is 404", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const first: Mutable = await h.registry.create(R.pods, "default", pod("p"));
    const second = { ...first, metadata: { ...first.metadata, labels: { a: "1" } } };
    await h.registry.update(R.pods, "default", second);
    const e = await rejects(h.registry.update(R.pods, "default", { ...first, metadata: { ...first.metadata, labels: { b: "2" } } }), 409,
      'Operation cannot be fulfilled on pods "p": the object has been modified; please apply your changes to the latest version and try again');
    assert.equal(e.reason, "Conflict");
    const unconditional = { ...first, metadata: { ...first.metadata, resourceVersion: undefined, labels: { c: "3" } } };
    assert.deepEqual((await h.registry.update(R.pods, "default", unconditional)).metadata?.labels, { c: "3" });
    await rejects(h.registry.update(R.pods, "default", pod("ghost")), 404, 'pods "ghost" not found');
    await rejects(h.registry.update(R.pods, "default", { ...first, metadata: { ...first.metadata, resourceVersion: undefined, uid: "other" } }), 409,
      "Precondition failed: UID in precondition: other, UID in object meta:");
  });

  test("system metadata cannot be changed by updates", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created: Mutable = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const req = structuredClone(created);
    req.metadata.creationTimestamp = "2000-01-01T00:00:00Z";
    req.metadata.generation = 99;
    req.metadata.deletionTimestamp = "2000-01-01T00:00:00Z";
    const updated = await h.registry.update(R.daemonsets, "default", req);
    assert.equal(updated.metadata?.creationTimestamp, created.metadata.creationTimestamp);
    assert.equal(updated.metadata?.generation, 1);
    assert.equal(updated.metadata?.deletionTimestamp, undefined);
    assert.equal(updated.metadata?.uid, created.metadata.uid);
  });

  test("no-op update writes nothing and keeps the resourceVersion", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const before = await h.backend.currentRevision();
    const same = await h.registry.update(R.daemonsets, "default", created);
    assert.equal(same.metadata?.resourceVersion, created.metadata?.resourceVersion);
    assert.equal(await h.backend.currentRevision(), before);
  });

  test("DaemonSet generation and template generation rules", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cases: { name: string; change: (ds: Mutable) => void; generation: number; templateGeneration: string }[] = [
      { name: "metadata only", change: (ds) => { ds.metadata.labels = { x: "y" }; }, generation: 1, templateGeneration: "1" },
      { name: "status only", change: (ds) => { ds.status = { numberReady: 3 }; }, generation: 1, templateGeneration: "1" },
      { name: "spec outside template", change: (ds) => { ds.spec.minReadySeconds = 5; }, generation: 2, templateGeneration: "1" },
      { name: "template", change: (ds) => { ds.spec.template.spec.containers[0].image = "nginx:1.26"; }, generation: 2, templateGeneration: "2" },
      { name: "template labels", change: (ds) => { ds.spec.template.metadata.labels.extra = "1"; }, generation: 2, templateGeneration: "2" },
      { name: "annotation tampering", change: (ds) => { ds.metadata.annotations[tgAnnotation] = "7"; }, generation: 1, templateGeneration: "1" },
      { name: "annotation removed", change: (ds) => { delete ds.metadata.annotations; }, generation: 1, templateGeneration: "1" },
    ];
    for (const c of cases) {
      const created: Mutable = await h.registry.create(R.daemonsets, "default", daemonSet(c.name.replace(/ /g, "-")));
      c.change(created);
      const updated: Mutable = await h.registry.update(R.daemonsets, "default", created);
      assert.equal(updated.metadata.generation, c.generation, c.name);
      assert.equal(updated.metadata.annotations?.[tgAnnotation], c.templateGeneration, c.name);
    }
    const ds: Mutable = await h.registry.create(R.daemonsets, "default", daemonSet("twice"));
    ds.spec.template.spec.containers[0].image = "nginx:1.26";
    const once: Mutable = await h.registry.update(R.daemonsets, "default", ds);
    once.spec.template.spec.containers[0].image = "nginx:1.27";
    once.spec.minReadySeconds = 3;
    const twice: Mutable = await h.registry.update(R.daemonsets, "default", once);
    assert.equal(twice.metadata.generation, 3);
    assert.equal(twice.metadata.annotations[tgAnnotation], "3");
  });

  test("status isolation: update keeps status, updateStatus keeps everything else", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const created: Mutable = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    const statusReq = structuredClone(created);
    statusReq.status = { ...statusReq.status, numberReady: 2, conditions: [{ type: "Custom", status: "True" }] };
    statusReq.spec.minReadySeconds = 30;
    statusReq.metadata.labels = { ignored: "yes" };
    const afterStatus: Mutable = await h.registry.updateStatus(R.daemonsets, "default", statusReq);
    assert.equal(afterStatus.status.numberReady, 2);
    assert.deepEqual(afterStatus.status.conditions, [{ type: "Custom", status: "True" }]);
    assert.equal(afterStatus.spec.minReadySeconds, undefined);
    assert.equal(afterStatus.metadata.labels, undefined);
    assert.equal(afterStatus.metadata.generation, 1);

    const mainReq = structuredClone(afterStatus);
    mainReq.status = { numberReady: 100 };
    mainReq.spec.minReadySeconds = 4;
    const afterMain: Mutable = await h.registry.update(R.daemonsets, "default", mainReq);
    assert.equal(afterMain.status.numberReady, 2);
    assert.equal(afterMain.spec.minReadySeconds, 4);
    assert.equal(afterMain.metadata.generation, 2);

    const p: Mutable = await h.registry.create(R.pods, "default", pod("p"));
    p.status = { phase: "Running" };
    assert.equal(((await h.registry.update(R.pods, "default", p)) as Mutable).status.phase, "Pending");
    assert.equal(((await h.registry.updateStatus(R.pods, "default", p)) as Mutable).status.phase, "Running");
  });

  test("updateStatus of a resource without a status subresource is 404", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const lease = await h.registry.create(R.leases, "default", { metadata: { name: "l" }, spec: {} });
    await rejects(h.registry.updateStatus(R.leases, "default", lease), 404);
  });

  test("validation on update is 422 (immutable selector)", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const ds: Mutable = await h.registry.create(R.daemonsets, "default", daemonSet("d"));
    ds.spec.selector = { matchLabels: { app: "d", extra: "x" } };
    ds.spec.template.metadata.labels.extra = "x";
    await rejects(h.registry.update(R.daemonsets, "default", ds), 422, "field is immutable");
  });

  test("an update removing the last finalizer of a deleting object deletes it", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const input = daemonSet("held");
    input.metadata = { name: "held", finalizers: ["example.com/hold"] };
    await h.registry.create(R.daemonsets, "default", input);
    const pending: Mutable = await h.registry.delete(R.daemonsets, "default", "held");
    assert.ok(pending.metadata.deletionTimestamp);
    assert.equal(pending.metadata.deletionGracePeriodSeconds, 0);
    assert.equal(pending.metadata.generation, 2, "marking for deletion bumps generation");
    pending.metadata.labels = { still: "here" };
    const relabeled: Mutable = await h.registry.update(R.daemonsets, "default", pending);
    assert.equal(relabeled.metadata.labels.still, "here");
    relabeled.metadata.finalizers = [];
    const last = await h.registry.update(R.daemonsets, "default", relabeled);
    assert.equal(last.metadata?.name, "held");
    await rejects(h.registry.get(R.daemonsets, "default", "held"), 404);
  });

  test("writes start from the watch cache without changing it; a stale cache only costs a retry", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const key = storageKey(R.pods, "default", "p");
    const stored = async (): Promise<KubeObject> => decodeObject((await h.backend.get(key)).kv!);
    const agree = async (what: string): Promise<void> => assert.deepEqual(await h.registry.get(R.pods, "default", "p"), await stored(), what);
    await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    const leaving = watch(h, R.pods, "default", { labelSelector: "app=a", resourceVersion: "0" });
    await leaving.next();

    const patched: Mutable = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { annotations: { x: "1" } } });
    patched.metadata.annotations.x = "changed by the caller";
    await agree("after a patch whose result the caller changed");
    const status: Mutable = await h.registry.patch(R.pods, "default", "p", "merge", { status: { phase: "Running" } }, { subresource: "status" });
    status.spec.containers[0].image = "changed by the caller";
    await agree("after a status patch whose result the caller changed");
    const got: Mutable = await h.registry.get(R.pods, "default", "p");
    assert.equal(got.spec.containers[0].image, "nginx:1.25");
    const before = await stored();
    assert.deepEqual(await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { annotations: { x: "1" } } }), before, "a no-op answers the stored object");
    await rejects(h.registry.patch(R.pods, "default", "p", "merge", { spec: { containers: [{ name: "c", image: "" }] } }), 422);
    await agree("after a no-op and a rejected patch");

    // Storage moves on behind the cache's back: the patch that follows must still see (and keep) that change.
    const current = (await h.backend.get(key)).kv!;
    const direct = decodeObject(current);
    direct.metadata = { ...direct.metadata, labels: { app: "a", direct: "yes" } };
    await h.backend.update(key, encodeObject(direct), current.modRevision);
    const merged = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "b" } } });
    assert.deepEqual(merged.metadata?.labels, { app: "b", direct: "yes" });
    assert.deepEqual(merged, await stored());

    // The watcher of app=a sees the pod leave with its last state before the change.
    const events = [await leaving.next(), await leaving.next(), await leaving.next(), await leaving.next()];
    const gone = events.find((e) => e?.type === "DELETED")?.object as Mutable | undefined;
    assert.deepEqual(gone?.metadata.labels, { app: "a", direct: "yes" });
    assert.equal(gone?.status.phase, "Running");
    await leaving.close();
  });

  test("a lost compare-and-swap retries from the object the store refused with, without reading it again", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const key = storageKey(R.pods, "default", "p");
    await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" } }));
    const current = (await h.backend.get(key)).kv!;
    const direct = decodeObject(current);
    direct.metadata = { ...direct.metadata, labels: { app: "a", direct: "yes" } };
    const calls = { get: 0, update: 0 };
    const get = h.backend.get.bind(h.backend);
    const update = h.backend.update.bind(h.backend);
    // The cache has yet to see this write when the patch below starts from it.
    await update(key, encodeObject(direct), current.modRevision);
    h.backend.get = (...args) => { calls.get++; return get(...args); };
    h.backend.update = (...args) => { calls.update++; return update(...args); };
    const merged = await h.registry.patch(R.pods, "default", "p", "merge", { metadata: { labels: { app: "b" } } });
    assert.deepEqual(merged.metadata?.labels, { app: "b", direct: "yes" });
    assert.deepEqual(calls, { get: 0, update: 2 }, "one refused write from the stale cache, one from the refusal's object");
    assert.deepEqual(merged, decodeObject((await get(key)).kv!));
  });

  test("no write verb or patch type hands out the watch cache's objects", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    // Every result is scribbled over: what the registry serves afterwards must still be what storage holds.
    const scribble = (o: Mutable): void => {
      o.metadata.labels = { scribbled: "yes" };
      o.metadata.finalizers?.push("scribbled");
      if (o.spec?.finalizers) o.spec.finalizers.push("scribbled");
      if (o.spec?.containers) o.spec.containers[0].image = "scribbled";
      if (o.status) o.status.scribbled = true;
    };
    const agree = async (r: typeof R.pods, ns: string | undefined, name: string, what: string): Promise<void> => {
      const key = storageKey(r, ns, name);
      assert.deepEqual(await h.registry.get(r, ns, name), decodeObject((await h.backend.get(key)).kv!), what);
    };
    await h.registry.create(R.pods, "default", pod("p", { labels: { app: "a" }, finalizers: ["example.com/keep"] }));
    const pods: [string, () => Promise<KubeObject>][] = [
      ["json patch", () => h.registry.patch(R.pods, "default", "p", "json", [{ op: "add", path: "/metadata/annotations", value: { a: "1" } }])],
      ["merge patch", () => h.registry.patch(R.pods, "default", "p", "merge", { metadata: { annotations: { b: "2" } } })],
      ["strategic merge patch", () => h.registry.patch(R.pods, "default", "p", "strategic", { metadata: { annotations: { c: "3" } } })],
      ["apply patch", () => h.registry.patch(R.pods, "default", "p", "apply", { apiVersion: "v1", kind: "Pod", metadata: { name: "p", annotations: { d: "4" } } }, { fieldManager: "t", force: true })],
      ["status patch", () => h.registry.patch(R.pods, "default", "p", "merge", { status: { phase: "Running" } }, { subresource: "status" })],
      ["update", async () => h.registry.update(R.pods, "default", { ...(await h.registry.get(R.pods, "default", "p")), metadata: { ...(await h.registry.get(R.pods, "default", "p")).metadata, annotations: { e: "5" } } })],
      ["status update", async () => {
        const current: Mutable = await h.registry.get(R.pods, "default", "p");
        current.status = { ...current.status, message: "hi" };
        return h.registry.updateStatus(R.pods, "default", current);
      }],
      ["no-op patch", () => h.registry.patch(R.pods, "default", "p", "merge", { metadata: { annotations: { e: "5" } } })],
    ];
    for (const [name, write] of pods) {
      scribble(await write() as Mutable);
      await agree(R.pods, "default", "p", name);
    }
    await h.registry.create(R.namespaces, undefined, { metadata: { name: "ns1" } });
    scribble(await h.registry.patch(R.namespaces, undefined, "ns1", "merge", { metadata: { annotations: { a: "1" } } }) as Mutable);
    await agree(R.namespaces, undefined, "ns1", "namespace patch (finalizers carried over)");
  });
});
