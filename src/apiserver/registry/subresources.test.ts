import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { R, pod, rejects, startHarness } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("registry pod subresources", () => {
  test("binding assigns the node once and marks the pod scheduled", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p"));
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "p", annotations: { "example.com/by": "test" } }, target: { kind: "Node", name: "n1" } };
    const out = await h.registry.createSubresource(R.pods, "default", "p", "binding", binding);
    assert.deepEqual(out, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    const bound: Mutable = await h.registry.get(R.pods, "default", "p");
    assert.equal(bound.spec.nodeName, "n1");
    assert.equal(bound.metadata.annotations["example.com/by"], "test");
    assert.deepEqual(bound.status.conditions, [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T10:00:00Z" }]);
    const e = await rejects(h.registry.createSubresource(R.pods, "default", "p", "binding", { ...binding, target: { name: "n2" } }), 409,
      'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"');
    assert.equal(e.reason, "Conflict");
  });

  test("binding errors", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p"));
    await rejects(h.registry.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "q" }, target: { name: "n" } }), 400, "name in URL does not match name in Binding object");
    await rejects(h.registry.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "p" }, target: {} }), 422, "target.name: Required value");
    await rejects(h.registry.createSubresource(R.pods, "default", "ghost", "binding", { metadata: { name: "ghost" }, target: { name: "n" } }), 404, 'pods "ghost" not found');
    await rejects(h.registry.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "p", uid: "nope" }, target: { name: "n" } }), 409, "Precondition failed");
    const dry = await h.registry.createSubresource(R.pods, "default", "p", "binding", { metadata: { name: "p" }, target: { name: "n" } }, { dryRun: true });
    assert.equal(dry.status, "Success");
    assert.equal(((await h.registry.get(R.pods, "default", "p")) as Mutable).spec.nodeName, undefined);
    await rejects(h.registry.createSubresource(R.pods, "default", "p", "exec", {}), 404);
    await rejects(h.registry.createSubresource(R.daemonsets, "default", "p", "binding", {}), 404);
  });

  test("eviction deletes the pod with the given options", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("a"));
    const out = await h.registry.createSubresource(R.pods, "default", "a", "eviction", { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "a", namespace: "default" } });
    assert.deepEqual(out, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    await rejects(h.registry.get(R.pods, "default", "a"), 404);

    await h.registry.create(R.pods, "default", pod("b", { nodeName: "n1" }));
    await h.registry.createSubresource(R.pods, "default", "b", "eviction", { metadata: { name: "b" }, deleteOptions: { gracePeriodSeconds: 7 } });
    assert.equal(((await h.registry.get(R.pods, "default", "b")) as Mutable).metadata.deletionGracePeriodSeconds, 7);
    await rejects(h.registry.createSubresource(R.pods, "default", "ghost", "eviction", { metadata: { name: "ghost" } }), 404);
    await rejects(h.registry.createSubresource(R.pods, "default", "b", "eviction", { metadata: { name: "x" } }), 400);
  });

  test("mistyped binding and eviction bodies are a 400 and change nothing (even unprintable values)", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p"));
    const unprintable = JSON.parse('{"toString":1,"hasOwnProperty":2}') as unknown;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["binding", { metadata: { name: "p", annotations: "abc" }, target: { name: "n" } }, 'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal string into Go struct field'],
      ["binding", { metadata: { name: "p", annotations: { a: { b: 1 } } }, target: { name: "n" } }, "cannot unmarshal object into Go struct field"],
      ["binding", { metadata: { name: "p", uid: unprintable }, target: { name: "n" } }, "cannot unmarshal object into Go struct field"],
      ["binding", { metadata: { name: "p" }, target: { name: "n", kind: 5 } }, "cannot unmarshal number into Go struct field"],
      ["eviction", { metadata: { name: "p" }, deleteOptions: { gracePeriodSeconds: "abc" } }, 'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal string'],
      ["eviction", { metadata: { name: "p" }, deleteOptions: { preconditions: { uid: unprintable } } }, "cannot unmarshal object"],
      ["eviction", { metadata: { name: "p" }, deleteOptions: { dryRun: "All" } }, "cannot unmarshal string"],
    ];
    for (const [sub, body, message] of cases) await rejects(h.registry.createSubresource(R.pods, "default", "p", sub, body), 400, message);
    const after: Mutable = await h.registry.get(R.pods, "default", "p");
    assert.equal(after.spec.nodeName, undefined);
    assert.equal(after.metadata.annotations, undefined);
  });
  test("status writes keep everything but the status as stored, in the stored key order, sharing nothing with the request", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.pods, "default", pod("p", { labels: { a: "1", b: "2" }, nodeName: "n1" }));
    const rest = (o: Mutable): string => {
      const { resourceVersion: _rv, managedFields: _mf, ...meta } = o.metadata;
      return JSON.stringify({ ...o, status: undefined, metadata: meta });
    };
    const before = rest(await h.registry.get(R.pods, "default", "p"));
    // A strategic patch that also names (ignored) main-resource fields: the same values, then other ones.
    for (const extra of [{ metadata: { labels: { a: "1" } }, spec: { nodeName: "n1" } }, { metadata: { labels: { a: "9" } }, spec: { nodeName: "n2" } }]) {
      const body: Mutable = { ...extra, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } };
      const out: Mutable = await h.registry.patch(R.pods, "default", "p", "strategic", body, { subresource: "status" });
      assert.equal(rest(out), before);
      body.metadata.labels.a = "mutated";
      body.spec.nodeName = "mutated";
      assert.equal(rest(await h.registry.get(R.pods, "default", "p")), before);
    }
    // A PUT of the status whose other parts hold the stored values in another key order.
    const current: Mutable = await h.registry.get(R.pods, "default", "p");
    const { labels, ...meta } = current.metadata;
    const reordered: Mutable = { status: { phase: "Succeeded" }, spec: { ...current.spec }, metadata: { labels: { b: "2", a: "1" }, ...meta }, kind: "Pod", apiVersion: "v1" };
    const out: Mutable = await h.registry.updateStatus(R.pods, "default", reordered);
    assert.equal(out.status.phase, "Succeeded");
    assert.equal(rest(out), before);
    assert.deepEqual(labels, { a: "1", b: "2" });
    reordered.spec.containers[0].image = "mutated";
    assert.equal(rest(await h.registry.get(R.pods, "default", "p")), before);
  });
});
