import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import { ensurePriorityClasses } from "./bootstrap.js";
import { R, pod, rejects, startHarness } from "./testing/fixtures.js";

describe("ConfigMap, Secret, ServiceAccount", () => {
  test("a Secret's stringData is merged into data (winning) and never stored; type defaults to Opaque", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const s = await h.registry.create<KubeObject>(R.secrets, "default", {
      metadata: { name: "s" }, data: { a: "YQ==", b: "b2xk" }, stringData: { b: "new", c: "plain text" },
    });
    assert.deepEqual(s.data, { a: "YQ==", b: Buffer.from("new").toString("base64"), c: Buffer.from("plain text").toString("base64") });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, "Opaque");
    const patched = await h.registry.patch<KubeObject>(R.secrets, "default", "s", "merge", { stringData: { a: "z" } });
    assert.equal(patched.data && (patched.data as Record<string, string>).a, "eg==");
    assert.equal(patched.stringData, undefined);
  });

  test("malformed Secret data is a 400 and nothing is stored", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await rejects(h.registry.create(R.secrets, "default", { metadata: { name: "bad" }, data: { k: "not base64!" } }), 400,
      'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    await rejects(h.registry.get(R.secrets, "default", "bad"), 404);
  });

  test("typed Secrets need their keys; type and immutable data never change", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await rejects(h.registry.create(R.secrets, "default", { metadata: { name: "tls" }, type: "kubernetes.io/tls", data: { "tls.crt": "YQ==" } }), 422,
      'Secret "tls" is invalid: data[tls.key]: Required value');
    await rejects(h.registry.create(R.secrets, "default", { metadata: { name: "k" }, data: { "bad key": "YQ==" } }), 422, "data[bad key]: Invalid value");
    await h.registry.create(R.secrets, "default", { metadata: { name: "im" }, immutable: true, data: { a: "YQ==" } });
    await rejects(h.registry.patch(R.secrets, "default", "im", "merge", { data: { a: "Yg==" } }), 422, "data: Forbidden: field is immutable when `immutable` is set");
    await rejects(h.registry.patch(R.secrets, "default", "im", "merge", { type: "kubernetes.io/basic-auth" }), 422, "type: Invalid value");
    const kept = await h.registry.get<KubeObject>(R.secrets, "default", "im");
    assert.deepEqual(kept.data, { a: "YQ==" });
  });

  test("ConfigMap keys are checked, binaryData is base64 and may not repeat a data key", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const cm = await h.registry.create<KubeObject>(R.configmaps, "default", { metadata: { name: "cm" }, data: { "a.conf": "x" }, binaryData: { bin: "AAE=" } });
    assert.deepEqual(cm.binaryData, { bin: "AAE=" });
    await rejects(h.registry.create(R.configmaps, "default", { metadata: { name: "dup" }, data: { k: "x" }, binaryData: { k: "AAE=" } }), 422, "duplicate of key present in data");
    await rejects(h.registry.create(R.configmaps, "default", { metadata: { name: "b" }, binaryData: { k: "%%" } }), 400, "illegal base64 data at input byte 0");
    await rejects(h.registry.create(R.configmaps, "default", { metadata: { name: "dot" }, data: { "..x": "1" } }), 422, "must not start with '..'");
  });

  test("ServiceAccounts are created and listed", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await h.registry.create(R.serviceaccounts, "default", { metadata: { name: "agent" }, automountServiceAccountToken: false });
    const list = await h.registry.list(R.serviceaccounts, "default");
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ["agent"]);
  });
});

describe("PriorityClass and the Priority admission", () => {
  test("built-in classes exist, cannot be deleted, and resolve a pod's priority", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await ensurePriorityClasses(h.registry);
    await ensurePriorityClasses(h.registry);
    const critical = await h.registry.get<KubeObject>(R.priorityclasses, undefined, "system-node-critical");
    assert.equal(critical.value, 2000001000);
    assert.equal(critical.preemptionPolicy, "PreemptLowerPriority");
    await rejects(h.registry.delete(R.priorityclasses, undefined, "system-node-critical"), 403,
      'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
    const p = pod("agent");
    (p.spec as Record<string, unknown>).priorityClassName = "system-node-critical";
    const created = await h.registry.create<KubeObject>(R.pods, "default", p);
    assert.equal((created.spec as Record<string, unknown>).priority, 2000001000);
    assert.equal((created.spec as Record<string, unknown>).preemptionPolicy, "PreemptLowerPriority");
    const plain = await h.registry.create<KubeObject>(R.pods, "default", pod("plain"));
    assert.equal((plain.spec as Record<string, unknown>).priority, 0);
  });

  test("an unknown class or a mismatching priority is 403 and nothing is stored", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    const p = pod("x");
    (p.spec as Record<string, unknown>).priorityClassName = "nope";
    await rejects(h.registry.create(R.pods, "default", p), 403, 'pods "x" is forbidden: no PriorityClass with name nope was found');
    const q = pod("y");
    (q.spec as Record<string, unknown>).priority = 7;
    await rejects(h.registry.create(R.pods, "default", q), 403, "the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name");
    assert.equal((await h.registry.list(R.pods, "default")).items.length, 0);
  });

  test("user classes: value limit, reserved prefix, one global default, immutable value", async (t) => {
    const h = await startHarness();
    t.after(() => h.close());
    await rejects(h.registry.create(R.priorityclasses, undefined, { metadata: { name: "huge" }, value: 2000000000 }), 422,
      "value: Forbidden: maximum allowed value of a user defined priority is 1000000000");
    await rejects(h.registry.create(R.priorityclasses, undefined, { metadata: { name: "system-mine" }, value: 1 }), 422,
      "priority class names with 'system-' prefix are reserved for system use only. error: name system-mine is not a known system priority class");
    await h.registry.create(R.priorityclasses, undefined, { metadata: { name: "low" }, value: 10, globalDefault: true });
    await rejects(h.registry.create(R.priorityclasses, undefined, { metadata: { name: "other" }, value: 20, globalDefault: true }), 403,
      "PriorityClass low is already marked as default. Only one default can exist");
    await rejects(h.registry.patch(R.priorityclasses, undefined, "low", "merge", { value: 11 }), 422, "value: Forbidden: may not be changed in an update.");
    const defaulted = await h.registry.create<KubeObject>(R.pods, "default", pod("d"));
    assert.equal((defaulted.spec as Record<string, unknown>).priorityClassName, "low");
    assert.equal((defaulted.spec as Record<string, unknown>).priority, 10);
  });
});
