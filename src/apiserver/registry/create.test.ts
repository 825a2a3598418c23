import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { R, daemonSet, node, pod, rejects, startHarness } from "./testing/fixtures.js";

describe("registry create", () => {
  test("creates and reads back one object of every kind", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cases = [
      { r: R.nodes, ns: undefined, obj: node("n1") },
      { r: R.pods, ns: "default", obj: pod("p1") },
      { r: R.daemonsets, ns: "default", obj: daemonSet("ds1") },
      { r: R.events, ns: "default", obj: { metadata: { name: "e1" }, involvedObject: { kind: "Pod", name: "p1", namespace: "default" }, reason: "Created", message: "m", type: "Normal" } },
      { r: R.controllerrevisions, ns: "default", obj: { metadata: { name: "cr1" }, revision: 1, data: { spec: {} } } },
      { r: R.leases, ns: "default", obj: { metadata: { name: "l1" }, spec: { holderIdentity: "a" } } },
      { r: R.namespaces, ns: undefined, obj: { metadata: { name: "ns1" } } },
    ];
    for (const c of cases) {
      const created = await h.registry.create(c.r, c.ns, c.obj);
      const name = c.obj.metadata?.name ?? "";
      assert.equal(created.metadata?.name, name, c.r.resource);
      assert.equal(created.kind, c.r.kind);
      assert.match(created.metadata?.uid ?? "", /^[0-9a-f-]{36}$/);
      assert.equal(created.metadata?.creationTimestamp, "2024-05-01T10:00:00Z");
      assert.match(created.metadata?.resourceVersion ?? "", /^[0-9]+$/);
      assert.equal(created.metadata?.namespace, c.ns);
      const got = await h.registry.get(c.r, c.ns, name);
      assert.deepEqual(got, created, c.r.resource);
    }
  });

  test("generateName appends five characters from the name alphabet", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const input: KubeObject = { ...pod(""), metadata: { generateName: "web-" } };
    const a = await h.registry.create(R.pods, "default", input);
    const b = await h.registry.create(R.pods, "default", input);
    assert.match(a.metadata?.name ?? "", /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.notEqual(a.metadata?.name, b.metadata?.name);
  });

  test("already exists is 409", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p1"));
    const e = await rejects(h.registry.create(R.pods, "default", pod("p1")), 409, 'pods "p1" already exists');
    assert.equal(e.reason, "AlreadyExists");
    await h.registry.create(R.pods, "other", pod("p1"));
  });

  test("type meta and namespace checks", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await rejects(h.registry.create(R.pods, "default", { ...pod("p"), apiVersion: "apps/v1" }), 400, "does not match the expected API version");
    await rejects(h.registry.create(R.pods, "default", { ...pod("p"), kind: "Node" }), 400, "cannot be handled as a Pod");
    await rejects(h.registry.create(R.pods, "default", pod("p", { namespace: "other" })), 400,
      "the namespace of the provided object does not match the namespace sent on the request");
    const e = await rejects(h.registry.create(R.pods, "missing", pod("p")), 404, 'namespaces "missing" not found');
    assert.equal(e.reason, "NotFound");
    const fromBody = await h.registry.create(R.pods, undefined, pod("p", { namespace: "other" }));
    assert.equal(fromBody.metadata?.namespace, "other");
    const n = await h.registry.create(R.nodes, "default", { ...node("n"), metadata: { name: "n", namespace: "default" } });
    assert.equal(n.metadata?.namespace, undefined);
    const noKind = await h.registry.create<KubeObject>(R.pods, "default", { metadata: { name: "bare" }, spec: pod("x").spec });
    assert.equal(noKind.apiVersion, "v1");
    assert.equal(noKind.kind, "Pod");
  });

  test("DaemonSet: generation 1, template generation annotation, status cleared", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const input = { ...daemonSet("a"), status: { numberReady: 5, desiredNumberScheduled: 9 } };
    const ds = await h.registry.create(R.daemonsets, "default", input);
    assert.equal(ds.metadata?.generation, 1);
    assert.equal(ds.metadata?.annotations?.["deprecated.daemonset.template.generation"], "1");
    assert.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    assert.deepEqual(input.status, { numberReady: 5, desiredNumberScheduled: 9 }, "input not mutated");
    const withTg = daemonSet("b");
    withTg.metadata = { name: "b", annotations: { "deprecated.daemonset.template.generation": "4" } };
    const b = await h.registry.create(R.daemonsets, "default", withTg);
    assert.equal(b.metadata?.annotations?.["deprecated.daemonset.template.generation"], "4");
    const bad = daemonSet("c");
    bad.metadata = { name: "c", annotations: { "deprecated.daemonset.template.generation": "x" } };
    const c = await h.registry.create(R.daemonsets, "default", bad);
    assert.equal(c.metadata?.annotations?.["deprecated.daemonset.template.generation"], "1");
  });

  test("Pod: status reset to Pending with the QoS class; system fields dropped", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cases: [string, unknown, string][] = [
      ["none", undefined, "BestEffort"],
      ["requests", { requests: { cpu: "100m" } }, "Burstable"],
      ["limits-equal", { limits: { cpu: "1", memory: "1Gi" } }, "Guaranteed"],
      ["both-equal", { limits: { cpu: "500m", memory: "128Mi" }, requests: { cpu: "0.5", memory: "128Mi" } }, "Guaranteed"],
      ["cpu-only-limit", { limits: { cpu: "1" } }, "Burstable"],
      ["differs", { limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m", memory: "1Gi" } }, "Burstable"],
    ];
    for (const [name, resources, qos] of cases) {
      const input = pod(name, { resources });
      input.status = { phase: "Running", podIP: "10.0.0.1" };
      input.metadata = { ...input.metadata, deletionTimestamp: "2020-01-01T00:00:00Z", managedFields: [], generation: 4, uid: "mine" } as never;
      const p = await h.registry.create(R.pods, "default", input, { fieldManager: "creator" });
      assert.deepEqual(p.status, { phase: "Pending", qosClass: qos }, name);
      assert.equal(p.metadata?.deletionTimestamp, undefined);
      // `managedFields: []` resets them: the creator's entry is all there is, owning neither status nor system fields.
      assert.deepEqual(p.metadata?.managedFields?.map((e) => `${e.manager}/${e.operation}`), ["creator/Update"], name);
      const owned = JSON.stringify(p.metadata?.managedFields?.[0]?.fieldsV1);
      assert.ok(!owned.includes("f:status") && !owned.includes("f:deletionTimestamp") && !owned.includes("f:generation"), owned);
      assert.equal(p.metadata?.generation, undefined);
      assert.notEqual(p.metadata?.uid, "mine");
    }
    const withVersion = { ...pod("versioned"), metadata: { name: "versioned", resourceVersion: "77" } };
    await rejects(h.registry.create(R.pods, "default", withVersion), 500, "resourceVersion should not be set on objects to be created");
    await h.registry.create(R.pods, "default", { ...pod("zero"), metadata: { name: "zero", resourceVersion: "0" } });
  });

  test("validation failures are 422 with causes", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const bad = daemonSet("bad");
    (bad.spec as { selector: unknown }).selector = { matchLabels: { app: "other" } };
    const e = await rejects(h.registry.create(R.daemonsets, "default", bad), 422, 'DaemonSet.apps "bad" is invalid');
    assert.equal(e.reason, "Invalid");
    assert.ok((e.status.details?.causes ?? []).length > 0);
    await rejects(h.registry.create(R.pods, "default", { ...pod(""), metadata: {} }), 422, "name or generateName is required");
  });

  test("dry run admits but does not store", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const dry = await h.registry.create(R.pods, "default", pod("p"), { dryRun: true });
    assert.equal(dry.status && (dry.status as { phase: string }).phase, "Pending");
    assert.equal(dry.metadata?.resourceVersion, undefined);
    await rejects(h.registry.get(R.pods, "default", "p"), 404);
    await h.registry.create(R.pods, "default", pod("p"));
    await rejects(h.registry.create(R.pods, "default", pod("p"), { dryRun: true }), 409);
  });

  test("field validation: Strict rejects, Warn warns, Ignore drops; unknown fields are pruned", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const typo = (): Record<string, unknown> => {
      const ds = daemonSet("typo");
      (ds.spec as Record<string, unknown>).selectr = { x: 1 };
      ds.bogus = true;
      return ds;
    };
    const e = await rejects(h.registry.create(R.daemonsets, "default", typo(), { fieldValidation: "Strict" }), 400);
    assert.match(e.message, /^DaemonSet in version "v1" cannot be handled as a DaemonSet: strict decoding error: unknown field "(bogus|spec\.selectr)", unknown field "(bogus|spec\.selectr)"$/);
    const warnings: string[] = [];
    const warned = await h.registry.create(R.daemonsets, "default", typo(), { fieldValidation: "Warn", onWarning: (m) => warnings.push(m) });
    assert.deepEqual(warnings.sort(), ['unknown field "bogus"', 'unknown field "spec.selectr"']);
    assert.equal(warned.bogus, undefined);
    assert.equal((warned.spec as Record<string, unknown>).selectr, undefined);
    await h.registry.delete(R.daemonsets, "default", "typo");
    const ignored = await h.registry.create(R.daemonsets, "default", typo(), { fieldValidation: "Ignore", onWarning: () => assert.fail("no warning expected") });
    assert.equal(ignored.bogus, undefined);
    const typeError = daemonSet("typed");
    (typeError.spec as Record<string, unknown>).minReadySeconds = "ten";
    await rejects(h.registry.create(R.daemonsets, "default", typeError, { fieldValidation: "Ignore" }), 400, 'DaemonSet in version "v1" cannot be handled as a DaemonSet: json: cannot unmarshal');
  });

  test("creating in a terminating namespace is forbidden", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.namespaces, undefined, { metadata: { name: "doomed" } });
    await h.registry.create(R.pods, "doomed", { ...pod("p", { nodeName: "n1" }), metadata: { name: "p", finalizers: ["example.com/hold"] } });
    await h.registry.delete(R.namespaces, undefined, "doomed");
    const e = await rejects(h.registry.create(R.pods, "doomed", pod("q")), 403,
      'pods "q" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    assert.equal(e.reason, "Forbidden");
  });
});
