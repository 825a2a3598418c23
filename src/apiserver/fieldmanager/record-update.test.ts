// Repeated Update operations by one manager (Lease renewals, node heartbeats): the managedFields they leave behind,
// after upstream's managedFieldsUpdater (k8s.io/apiserver fieldmanager) and structured-merge-diff's Updater.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonObject, KubeObject } from "../../api/types.js";
import { applyConfiguration, recordUpdate, type WriteScope } from "./field-manager.js";
import { encodeManaged, type ManagerEntry } from "./managed-fields.js";
import { rootShape } from "./schema-types.js";
import { compare, SchemaViolation } from "./typed.js";

const leaseKind = { apiVersion: "coordination.k8s.io/v1", kind: "Lease" };
const at = (now: string, subresource: "" | "status" = "", kind = leaseKind, hasStatus = false): WriteScope => ({ kind, subresource, hasStatus, now });

function lease(renewTime: string, holder = "node-1"): KubeObject {
  return {
    apiVersion: "coordination.k8s.io/v1", kind: "Lease",
    metadata: { name: "node-1", namespace: "kube-node-lease", uid: "u1", ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "node-1", uid: "n1" }] },
    spec: { holderIdentity: holder, leaseDurationSeconds: 40, renewTime },
  };
}

/** `next` as the registry writes it after `live`: recordUpdate applied, returned for chaining. */
function write(live: KubeObject | undefined, next: KubeObject, manager: string, scope: WriteScope): KubeObject {
  const copy = structuredClone(next);
  if (live?.metadata?.managedFields !== undefined) copy.metadata = { ...copy.metadata, managedFields: structuredClone(live.metadata.managedFields) };
  recordUpdate(live, copy, manager, scope);
  return copy;
}

function entries(o: KubeObject): Array<{ manager: string; time?: string; fieldsV1?: unknown; subresource?: string }> {
  return (o.metadata?.managedFields ?? []).map((e) => ({ manager: e.manager ?? "", time: e.time, fieldsV1: e.fieldsV1, subresource: e.subresource }));
}

const kubeletLeaseFields = {
  "f:metadata": { "f:ownerReferences": { ".": {}, 'k:{"uid":"n1"}': {} } },
  "f:spec": { "f:holderIdentity": {}, "f:leaseDurationSeconds": {}, "f:renewTime": {} },
};

describe("repeated updates by one manager", () => {
  test("renewals keep the manager's fields and move its time, once per write that changes something", () => {
    let o = write(undefined, lease("2026-01-01T00:00:00.000000Z"), "kubelet", at("2026-01-01T00:00:00Z"));
    assert.deepEqual(entries(o), [{ manager: "kubelet", time: "2026-01-01T00:00:00Z", fieldsV1: kubeletLeaseFields, subresource: undefined }]);
    for (let i = 1; i <= 3; i++) {
      const now = `2026-01-01T00:00:${String(i * 10).padStart(2, "0")}Z`;
      o = write(o, lease(now.replace("Z", ".000000Z")), "kubelet", at(now));
      assert.deepEqual(entries(o), [{ manager: "kubelet", time: now, fieldsV1: kubeletLeaseFields, subresource: undefined }]);
    }
    // A write that changes nothing leaves the time as it was (upstream stamps only writes that own something).
    const same = write(o, lease("2026-01-01T00:00:30.000000Z"), "kubelet", at("2026-01-01T00:05:00Z"));
    assert.equal(entries(same)[0]?.time, "2026-01-01T00:00:30Z");
  });

  test("another manager's fields stay its own while the renewer changes only its own values", () => {
    const created = write(undefined, lease("2026-01-01T00:00:00.000000Z"), "kubelet", at("2026-01-01T00:00:00Z"));
    const labelled = structuredClone(created);
    labelled.metadata = { ...labelled.metadata, labels: { zone: "a" } };
    const withLabels = write(created, labelled, "kubectl-label", at("2026-01-01T00:00:05Z"));
    const renewed = structuredClone(withLabels);
    (renewed.spec as JsonObject).renewTime = "2026-01-01T00:00:10.000000Z";
    const out = write(withLabels, renewed, "kubelet", at("2026-01-01T00:00:10Z"));
    assert.deepEqual(entries(out), [
      { manager: "kubectl-label", time: "2026-01-01T00:00:05Z", fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:zone": {} } } }, subresource: undefined },
      { manager: "kubelet", time: "2026-01-01T00:00:10Z", fieldsV1: kubeletLeaseFields, subresource: undefined },
    ]);
  });

  test("a value the renewer does not own yet is taken from its owner, and removed fields leave the renewer's set", () => {
    const created = write(undefined, lease("2026-01-01T00:00:00.000000Z"), "kubelet", at("2026-01-01T00:00:00Z"));
    const moved = structuredClone(created);
    (moved.spec as JsonObject).holderIdentity = "someone-else";
    const taken = write(created, moved, "leader", at("2026-01-01T00:00:05Z"));
    assert.deepEqual(entries(taken).map((e) => [e.manager, JSON.stringify(e.fieldsV1)]), [
      ["kubelet", JSON.stringify({ ...kubeletLeaseFields, "f:spec": { "f:leaseDurationSeconds": {}, "f:renewTime": {} } })],
      ["leader", JSON.stringify({ "f:spec": { "f:holderIdentity": {} } })],
    ]);
    // The renewer writes the holder back: it owns it again and the other manager, left with nothing, goes.
    const back = write(taken, lease("2026-01-01T00:00:10.000000Z"), "kubelet", at("2026-01-01T00:00:10Z"));
    assert.deepEqual(entries(back), [{ manager: "kubelet", time: "2026-01-01T00:00:10Z", fieldsV1: kubeletLeaseFields, subresource: undefined }]);
    // A field the renewer drops leaves its set.
    const dropped = lease("2026-01-01T00:00:20.000000Z");
    delete (dropped.spec as JsonObject).leaseDurationSeconds;
    const out = write(back, dropped, "kubelet", at("2026-01-01T00:00:20Z"));
    assert.deepEqual(entries(out)[0]?.fieldsV1, { ...kubeletLeaseFields, "f:spec": { "f:holderIdentity": {}, "f:renewTime": {} } });
  });

  test("an Apply of a field the renewer owns still conflicts after any number of renewals", () => {
    let o = write(undefined, lease("2026-01-01T00:00:00.000000Z"), "kubelet", at("2026-01-01T00:00:00Z"));
    for (let i = 1; i <= 3; i++) o = write(o, lease(`2026-01-01T00:00:0${i}.000000Z`), "kubelet", at(`2026-01-01T00:00:0${i}Z`));
    const config = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "node-1", namespace: "kube-node-lease" }, spec: { renewTime: "2030-01-01T00:00:00.000000Z" } };
    assert.throws(() => applyConfiguration(o, { manager: "intruder", force: false, config }, at("2026-01-01T00:01:00Z")),
      (e: unknown) => e instanceof StatusError && e.code === 409 && e.message.includes('conflict with "kubelet"') && e.message.includes(".spec.renewTime"));
  });

  test("status heartbeats keep the status entry apart from the main-resource entry", () => {
    const nodeKind = { apiVersion: "v1", kind: "Node" };
    const node = (beat: string): KubeObject => ({
      apiVersion: "v1", kind: "Node", metadata: { name: "n", labels: { a: "b" } },
      status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: beat, lastTransitionTime: "2026-01-01T00:00:00Z" }] },
    });
    let o = write(undefined, node("2026-01-01T00:00:00Z"), "kubelet", at("2026-01-01T00:00:00Z", "", nodeKind, true));
    o = write(o, node("2026-01-01T00:00:10Z"), "kubelet", at("2026-01-01T00:00:10Z", "status", nodeKind, true));
    const statusFields = { "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { "f:lastHeartbeatTime": {} } } } };
    for (const beat of ["2026-01-01T00:00:20Z", "2026-01-01T00:00:30Z"]) {
      o = write(o, node(beat), "kubelet", at(beat, "status", nodeKind, true));
      assert.deepEqual(entries(o), [
        { manager: "kubelet", time: "2026-01-01T00:00:00Z", fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:a": {} } } }, subresource: undefined },
        { manager: "kubelet", time: beat, fieldsV1: statusFields, subresource: "status" },
      ]);
    }
  });

  test("comparing an unchanged list-map whose item has no key is still a schema violation", () => {
    const root = rootShape({ apiVersion: "v1", kind: "Node" });
    const bad = { status: { conditions: [{ status: "True" }] } };
    assert.throws(() => compare(bad, structuredClone(bad), root), SchemaViolation);
    const nested = { spec: { containers: [{ name: "c", env: [{ value: "v" }] }] } };
    assert.throws(() => compare(nested, structuredClone(nested), rootShape({ apiVersion: "v1", kind: "Pod" })), SchemaViolation);
    const good = { status: { conditions: [{ type: "Ready", status: "True" }] } };
    const c = compare(good, structuredClone(good), root);
    assert.ok(c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty());
  });
  test("compare visits exactly the own keys of both sides (integer-like and __proto__ keys too, nothing inherited)", () => {
    const root = rootShape({ apiVersion: "v1", kind: "ConfigMap" });
    const before = JSON.parse('{"data":{"10":"a","2":"b","__proto__":"c","same":"d","gone":"e"}}') as JsonObject;
    const after = JSON.parse('{"data":{"2":"B","10":"a","__proto__":"C","same":"d","new":"f"}}') as JsonObject;
    Object.setPrototypeOf(after.data, Object.create({ inherited: "x" }) as object);
    const c = compare(before, after, root);
    assert.deepEqual(c.modified.paths(), [["f:data", "f:2"], ["f:data", "f:__proto__"]]);
    assert.deepEqual(c.added.paths(), [["f:data", "f:new"]]);
    assert.deepEqual(c.removed.paths(), [["f:data", "f:gone"]]);
  });
  test("encodeManaged writes entries in upstream's order whatever order they are held in", () => {
    const e = (manager: string, operation: string, time: string, subresource?: string): ManagerEntry =>
      ({ manager, operation, apiVersion: "v1", time, raw: { "f:a": {} }, ...(subresource ? { subresource } : {}) });
    const ordered = [e("z", "Apply", "3"), e("b", "Update", "1"), e("a", "Update", "2"), e("b", "Update", "2"), e("b", "Update", "2", "status")];
    const names = (list: ManagerEntry[]): string => JSON.stringify(encodeManaged(new Map(list.map((x, i) => [String(i), x]))));
    const expected = names(ordered);
    for (let shift = 0; shift < ordered.length; shift++) {
      assert.equal(names([...ordered.slice(shift), ...ordered.slice(0, shift)]), expected);
      assert.equal(names([...ordered].reverse()), expected);
    }
  });
});
