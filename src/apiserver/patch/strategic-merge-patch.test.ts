import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import { applyStrategicMergePatch, strategicMerge } from "./strategic-merge-patch.js";
import type { FieldPatchMeta, StructPatchMeta } from "./patch-meta.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function expectStatus(fn: () => unknown, code: number, reason: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

const dsKind = { apiVersion: "apps/v1", kind: "DaemonSet" };
const nodeKind = { apiVersion: "v1", kind: "Node" };
const podKind = { apiVersion: "v1", kind: "Pod" };

const daemonSet = deepFreeze({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: {
    name: "agent", namespace: "default", uid: "ds-uid", generation: 2, resourceVersion: "17",
    labels: { app: "agent" },
    annotations: { "deprecated.daemonset.template.generation": "2" },
  },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2024-01-01T00:00:00Z" } },
      spec: {
        containers: [{
          name: "main", image: "nginx:1.26",
          env: [{ name: "A", value: "1" }, { name: "B", value: "2" }],
          ports: [{ containerPort: 80, protocol: "TCP" }],
          volumeMounts: [{ name: "data", mountPath: "/data" }],
        }],
        volumes: [{ name: "data", emptyDir: {} }],
        tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
        terminationGracePeriodSeconds: 30,
      },
    },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    revisionHistoryLimit: 10,
  },
  status: {
    currentNumberScheduled: 2, desiredNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, observedGeneration: 2,
  },
});

type DS = typeof daemonSet;
type PodSpecOut = { containers: Array<Record<string, unknown>>; [k: string]: unknown };
const templateSpec = (v: JsonValue): PodSpecOut => (v as unknown as DS).spec.template.spec as unknown as PodSpecOut;

function smp(doc: unknown, patch: JsonValue, kind = dsKind): JsonValue {
  const frozenPatch = deepFreeze(structuredClone(patch));
  const out = applyStrategicMergePatch(doc as JsonValue, frozenPatch, kind);
  assert.ok(!JSON.stringify(out).includes('"$'), `directives leaked into ${JSON.stringify(out)}`);
  return out;
}

describe("strategic merge patch: bodies kubectl sends", () => {
  test("apply: container image change with $setElementOrder/containers", () => {
    const out = smp(daemonSet, { spec: { template: { spec: {
      "$setElementOrder/containers": [{ name: "main" }],
      containers: [{ name: "main", image: "nginx:1.27" }],
    } } } });
    const spec = templateSpec(out);
    assert.equal(spec.containers.length, 1);
    assert.deepEqual(spec.containers[0], { ...daemonSet.spec.template.spec.containers[0], image: "nginx:1.27" });
    assert.deepEqual(spec.tolerations, daemonSet.spec.template.spec.tolerations);
    assert.deepEqual((out as unknown as DS).metadata, daemonSet.metadata);
  });

  test("apply: a new container placed by $setElementOrder", () => {
    const out = smp(daemonSet, { spec: { template: { spec: {
      "$setElementOrder/containers": [{ name: "sidecar" }, { name: "main" }],
      containers: [{ name: "sidecar", image: "busybox" }],
    } } } });
    assert.deepEqual(templateSpec(out).containers.map((c) => c.name), ["sidecar", "main"]);
    assert.deepEqual(templateSpec(out).containers[0], { name: "sidecar", image: "busybox" });
  });

  test("apply: removing a container with $patch: delete", () => {
    const two = applyStrategicMergePatch(daemonSet, { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox" }] } } } }, dsKind);
    const out = smp(two, { spec: { template: { spec: {
      "$setElementOrder/containers": [{ name: "main" }],
      containers: [{ name: "sidecar", $patch: "delete" }],
    } } } });
    assert.deepEqual(templateSpec(out).containers.map((c) => c.name), ["main"]);
  });

  test("apply: removed fields come as null", () => {
    const out = smp(daemonSet, { spec: { revisionHistoryLimit: null, template: { spec: { terminationGracePeriodSeconds: null } } } });
    assert.equal("revisionHistoryLimit" in (out as unknown as DS).spec, false);
    assert.equal("terminationGracePeriodSeconds" in templateSpec(out), false);
    assert.deepEqual(templateSpec(out).containers, daemonSet.spec.template.spec.containers);
  });

  test("rollout undo: revision data with $patch: replace replaces the template exactly", () => {
    const revisionTemplate = {
      metadata: { labels: { app: "agent" } },
      spec: { containers: [{ name: "main", image: "nginx:1.25", ports: [{ containerPort: 8080 }] }], terminationGracePeriodSeconds: 10 },
    };
    const out = smp(daemonSet, { spec: { template: { ...revisionTemplate, $patch: "replace" } } }) as unknown as DS;
    assert.deepEqual(out.spec.template, revisionTemplate);
    assert.deepEqual(out.spec.selector, daemonSet.spec.selector);
    assert.deepEqual(out.spec.updateStrategy, daemonSet.spec.updateStrategy);
    assert.deepEqual(out.metadata, daemonSet.metadata);
    assert.deepEqual(out.status, daemonSet.status);
  });

  test("rollout restart: template annotation added", () => {
    const out = smp(daemonSet, { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2025-05-01T10:00:00Z" } } } } }) as unknown as DS;
    assert.deepEqual(out.spec.template.metadata, { labels: { app: "agent" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2025-05-01T10:00:00Z" } });
    assert.deepEqual(out.spec.template.spec, daemonSet.spec.template.spec);
  });

  test("env merged by name; patch order then live order", () => {
    const out = smp(daemonSet, { spec: { template: { spec: { containers: [{ name: "main", env: [{ name: "B", value: "two" }, { name: "C", value: "3" }] }] } } } });
    assert.deepEqual(templateSpec(out).containers[0]?.env, [{ name: "A", value: "1" }, { name: "B", value: "two" }, { name: "C", value: "3" }]);
  });

  test("env: an element new to the live list goes before the live-only ones (upstream ordering)", () => {
    const out = smp(daemonSet, { spec: { template: { spec: { containers: [{ name: "main", env: [{ name: "C", value: "3" }] }] } } } });
    assert.deepEqual(templateSpec(out).containers[0]?.env, [{ name: "C", value: "3" }, { name: "A", value: "1" }, { name: "B", value: "2" }]);
  });

  test("env: null inside a merged element removes the field; $patch: delete removes the element", () => {
    const out = smp(daemonSet, { spec: { template: { spec: { containers: [{ name: "main", env: [{ name: "A", value: null }, { name: "B", $patch: "delete" }] }] } } } });
    assert.deepEqual(templateSpec(out).containers[0]?.env, [{ name: "A" }]);
  });

  test("ports merged by containerPort, volumeMounts by mountPath, volumes by name", () => {
    const out = smp(daemonSet, { spec: { template: { spec: {
      containers: [{ name: "main", ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }], volumeMounts: [{ mountPath: "/data", readOnly: true }] }],
      volumes: [{ name: "data", emptyDir: { medium: "Memory" } }, { name: "cfg", configMap: { name: "c" } }],
    } } } });
    const c = templateSpec(out).containers[0] as Record<string, unknown>;
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: "TCP", name: "http" }, { containerPort: 443 }]);
    assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath: "/data", readOnly: true }]);
    assert.deepEqual(templateSpec(out).volumes, [{ name: "data", emptyDir: { medium: "Memory" } }, { name: "cfg", configMap: { name: "c" } }]);
  });

  test("tolerations have no merge key: adding or removing one replaces the list", () => {
    const added = [...daemonSet.spec.template.spec.tolerations, { key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }];
    assert.deepEqual(templateSpec(smp(daemonSet, { spec: { template: { spec: { tolerations: added } } } })).tolerations, added);
    const removed = [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }];
    assert.deepEqual(templateSpec(smp(daemonSet, { spec: { template: { spec: { tolerations: removed } } } })).tolerations, removed);
    assert.equal("tolerations" in templateSpec(smp(daemonSet, { spec: { template: { spec: { tolerations: null } } } })), false);
  });

  test("$retainKeys on updateStrategy drops rollingUpdate", () => {
    const out = smp(daemonSet, { spec: { updateStrategy: { $retainKeys: ["type"], type: "OnDelete" } } }) as unknown as DS;
    assert.deepEqual(out.spec.updateStrategy, { type: "OnDelete" });
  });
});

describe("strategic merge patch: Node", () => {
  const node = deepFreeze({
    apiVersion: "v1", kind: "Node",
    metadata: { name: "n1", labels: { "kubernetes.io/hostname": "n1" } },
    spec: { podCIDRs: ["10.0.0.0/24"], taints: [{ key: "a", value: "", effect: "NoSchedule" }, { key: "b", value: "x", effect: "NoExecute" }] },
    status: {
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }, { type: "MemoryPressure", status: "False" }],
      addresses: [{ type: "InternalIP", address: "10.0.0.1" }, { type: "Hostname", address: "n1" }],
      images: [{ names: ["a"] }],
    },
  });
  type N = typeof node;

  test("kubectl taint sends the whole list, which replaces the old one", () => {
    const taints: JsonValue[] = [{ key: "b", value: "x", effect: "NoExecute" }, { key: "c", effect: "PreferNoSchedule" }];
    assert.deepEqual((smp(node, { spec: { taints } }, nodeKind) as unknown as N).spec.taints, taints);
  });

  test("removing the last taint", () => {
    assert.equal("taints" in (smp(node, { spec: { taints: null } }, nodeKind) as unknown as N).spec, false);
    assert.deepEqual((smp(node, { spec: { taints: [] } }, nodeKind) as unknown as N).spec.taints, []);
  });

  test("cordon and uncordon", () => {
    const cordoned = smp(node, { spec: { unschedulable: true } }, nodeKind) as unknown as N & { spec: { unschedulable?: boolean } };
    assert.equal(cordoned.spec.unschedulable, true);
    assert.deepEqual(cordoned.spec.taints, node.spec.taints);
    const uncordoned = smp(cordoned, { spec: { unschedulable: null } }, nodeKind) as unknown as N;
    assert.deepEqual(uncordoned, node);
  });

  test("status conditions and addresses merge by type; images replace", () => {
    const out = smp(node, { status: {
      conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady" }],
      addresses: [{ type: "InternalIP", address: "10.0.0.2" }],
      images: [{ names: ["b"] }],
    } }, nodeKind) as unknown as N;
    assert.deepEqual(out.status.conditions, [{ type: "Ready", status: "False", reason: "KubeletNotReady" }, { type: "MemoryPressure", status: "False" }]);
    assert.deepEqual(out.status.addresses, [{ type: "InternalIP", address: "10.0.0.2" }, { type: "Hostname", address: "n1" }]);
    assert.deepEqual(out.status.images, [{ names: ["b"] }]);
  });

  test("podCIDRs is a merged primitive list", () => {
    assert.deepEqual((smp(node, { spec: { podCIDRs: ["10.0.0.0/24", "fd00::/64"] } }, nodeKind) as unknown as N).spec.podCIDRs, ["10.0.0.0/24", "fd00::/64"]);
  });
});

describe("strategic merge patch: Pod and metadata", () => {
  const pod = deepFreeze({
    apiVersion: "v1", kind: "Pod",
    metadata: {
      name: "p", finalizers: ["a", "b", "c"],
      ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u1", controller: true }],
    },
    spec: { containers: [{ name: "c", image: "i" }], topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "False" }],
      containerStatuses: [{ name: "c", ready: false, restartCount: 0 }],
    },
  });
  type P = typeof pod;

  test("status patch: conditions merge by type, containerStatuses replace", () => {
    const out = smp(pod, { status: { conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "c", ready: true, restartCount: 1 }] } }, podKind) as unknown as P;
    assert.deepEqual(out.status.conditions, [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }]);
    assert.deepEqual(out.status.containerStatuses, [{ name: "c", ready: true, restartCount: 1 }]);
  });

  test("finalizers: union, $deleteFromPrimitiveList and $setElementOrder", () => {
    assert.deepEqual((smp(pod, { metadata: { finalizers: ["b", "d"] } }, podKind) as unknown as P).metadata.finalizers, ["a", "b", "d", "c"]);
    const out = smp(pod, { metadata: {
      "$setElementOrder/finalizers": ["c", "a", "e"],
      "$deleteFromPrimitiveList/finalizers": ["b"],
      finalizers: ["e"],
    } }, podKind) as unknown as P;
    assert.deepEqual(out.metadata.finalizers, ["c", "a", "e"]);
  });

  test("ownerReferences merge by uid", () => {
    const out = smp(pod, { metadata: { ownerReferences: [{ uid: "u1", blockOwnerDeletion: true }, { apiVersion: "v1", kind: "Node", name: "n", uid: "u2" }] } }, podKind) as unknown as P;
    assert.deepEqual(out.metadata.ownerReferences, [
      { apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u1", controller: true, blockOwnerDeletion: true },
      { apiVersion: "v1", kind: "Node", name: "n", uid: "u2" },
    ]);
  });

  test("topologySpreadConstraints merge by topologyKey", () => {
    const out = smp(pod, { spec: { topologySpreadConstraints: [{ topologyKey: "zone", maxSkew: 2 }, { topologyKey: "host", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" }] } }, podKind) as unknown as P;
    assert.deepEqual(out.spec.topologySpreadConstraints, [
      { topologyKey: "zone", maxSkew: 2, whenUnsatisfiable: "DoNotSchedule" },
      { topologyKey: "host", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
    ]);
  });

  test("kinds without list metadata replace lists but still merge metadata", () => {
    const lease = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", finalizers: ["x"] }, spec: { holderIdentity: "n1", renewTime: "t1", list: [1, 2] } };
    const out = smp(lease, { metadata: { finalizers: ["y"] }, spec: { renewTime: "t2", list: [3] } }, { apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
    assert.deepEqual(out, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: "n1", finalizers: ["y", "x"] }, spec: { holderIdentity: "n1", renewTime: "t2", list: [3] } });
  });

  test("a pod's containers do not merge for a kind of another group", () => {
    const out = smp(pod, { spec: { containers: [{ name: "d" }] } }, { apiVersion: "example.com/v1", kind: "Pod" }) as unknown as P;
    assert.deepEqual(out.spec.containers, [{ name: "d" }]);
  });
});

// A schema like upstream's test type: mergingList (by name, recursive), mergingIntList, and non-merging lists.
const itemMeta: { [field: string]: FieldPatchMeta } = {};
const mergingList: FieldPatchMeta = { strategy: "merge", mergeKey: "name", type: itemMeta };
Object.assign(itemMeta, { mergingList, mergingIntList: { strategy: "merge" }, replacingItem: { strategy: "replace" } });
const schema: StructPatchMeta = itemMeta;

describe("strategic merge patch: directive semantics", () => {
  const cases: Array<{ name: string; original: JsonValue; patch: JsonValue; want: JsonValue }> = [
    { name: "unique scalars when merging lists", original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, want: { mergingIntList: [1, 2, 3] } },
    { name: "preserve the order from the patch in a merging list", original: { mergingList: [{ name: "1" }, { name: "2", value: "b" }, { name: "3" }] }, patch: { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }, { name: "2", other: "x" }] }, want: { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }, { name: "2", value: "b", other: "x" }] } },
    { name: "preserve the order from the patch in a merging list 2", original: { mergingList: [{ name: "1" }, { name: "2", value: "b" }, { name: "3" }] }, patch: { mergingList: [{ name: "3", value: "c" }, { name: "1", value: "a" }] }, want: { mergingList: [{ name: "2", value: "b" }, { name: "3", value: "c" }, { name: "1", value: "a" }] } },
    { name: "preserve the order from the patch in a merging int list", original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, want: { mergingIntList: [2, 3, 1] } },
    { name: "$setElementOrder item not in the list is ignored", original: { mergingList: [{ name: "1" }, { name: "3" }] }, patch: { "$setElementOrder/mergingList": [{ name: "3" }, { name: "2" }, { name: "1" }], mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] }, want: { mergingList: [{ name: "3", value: "3" }, { name: "1", value: "1" }] } },
    { name: "$setElementOrder alone reorders an int list", original: { mergingIntList: [1, 3] }, patch: { "$setElementOrder/mergingIntList": [3, 2, 1] }, want: { mergingIntList: [3, 1] } },
    { name: "$setElementOrder keeps live-only items in live order around ordered ones", original: { mergingList: [{ name: "C" }, { name: "B" }, { name: "D" }, { name: "A" }, { name: "E" }] }, patch: { "$setElementOrder/mergingList": [{ name: "A" }, { name: "B" }], mergingList: [{ name: "A", value: "a" }, { name: "B", value: "b" }] }, want: { mergingList: [{ name: "C" }, { name: "D" }, { name: "A", value: "a" }, { name: "B", value: "b" }, { name: "E" }] } },
    { name: "$setElementOrder on a list missing from the live object", original: {}, patch: { "$setElementOrder/mergingList": [{ name: "b" }, { name: "a" }], mergingList: [{ name: "b" }, { name: "a" }] }, want: { mergingList: [{ name: "b" }, { name: "a" }] } },
    { name: "delete map from nested map removes the key", original: { simpleMap: { key1: 1 }, other: 1 }, patch: { simpleMap: { $patch: "delete" } }, want: { other: 1 } },
    { name: "$patch: delete on a missing map adds nothing", original: { other: 1 }, patch: { simpleMap: { $patch: "delete" } }, want: { other: 1 } },
    { name: "delete all items from merging list", original: { mergingList: [{ name: "1" }, { name: "2" }] }, patch: { mergingList: [{ $patch: "replace" }] }, want: { mergingList: [] } },
    { name: "replace a merging list", original: { mergingList: [{ name: "1", value: "a" }, { name: "2" }] }, patch: { mergingList: [{ name: "1" }, { $patch: "replace" }] }, want: { mergingList: [{ name: "1" }] } },
    { name: "merge empty merging lists", original: { mergingList: [] }, patch: { mergingList: [] }, want: { mergingList: [] } },
    { name: "delete all keys from map", original: { name: "1", value: "1" }, patch: { $patch: "replace" }, want: {} },
    { name: "add key and delete all keys from map", original: { name: "1", value: "1" }, patch: { other: "a", $patch: "replace" }, want: { other: "a" } },
    { name: "top-level $patch: delete", original: { name: "1" }, patch: { $patch: "delete" }, want: {} },
    { name: "$patch: merge is the default", original: { m: { a: 1, b: 2 } }, patch: { m: { $patch: "merge", b: null, c: 3 } }, want: { m: { a: 1, c: 3 } } },
    { name: "$patch: delete removes every matching element", original: { mergingList: [{ name: "1" }, { name: "1" }, { name: "2", value: "a" }, { name: "3" }] }, patch: { mergingList: [{ name: "1", $patch: "delete" }] }, want: { mergingList: [{ name: "2", value: "a" }, { name: "3" }] } },
    { name: "nested merging lists", original: { mergingList: [{ name: "1", mergingList: [{ name: "x", value: "1" }] }] }, patch: { mergingList: [{ name: "1", mergingList: [{ name: "x", other: "o" }] }] }, want: { mergingList: [{ name: "1", mergingList: [{ name: "x", value: "1", other: "o" }] }] } },
    { name: "replace strategy map", original: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, want: { replacingItem: { c: 3 } } },
    { name: "$retainKeys clears unlisted fields", original: { a: 1, b: 2, c: 3 }, patch: { $retainKeys: ["a", "d"], d: 4 }, want: { a: 1, d: 4 } },
    { name: "$retainKeys allows nulls for unlisted fields", original: { a: 1, b: 2 }, patch: { $retainKeys: ["a"], b: null }, want: { a: 1 } },
    { name: "$deleteFromPrimitiveList on a missing list", original: {}, patch: { "$deleteFromPrimitiveList/mergingIntList": [1] }, want: {} },
    { name: "null for an absent key is dropped", original: {}, patch: { a: null, m: { b: null, c: 1 } }, want: { m: { c: 1 } } },
    { name: "type change replaces", original: { a: [1], b: { c: 1 }, d: "s" }, patch: { a: { x: 1 }, b: [1], d: { e: null, f: 1 } }, want: { a: { x: 1 }, b: [1], d: { f: 1 } } },
    { name: "non-merging lists are replaced with nulls pruned from their objects", original: { nonMergingList: [{ name: "1" }] }, patch: { nonMergingList: [{ name: "2", value: null }] }, want: { nonMergingList: [{ name: "2" }] } },
    { name: "keys named like Object.prototype members", original: { constructor: 1 }, patch: { toString: { a: 1 }, constructor: null, hasOwnProperty: [1] }, want: { toString: { a: 1 }, hasOwnProperty: [1] } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const original = deepFreeze(structuredClone(c.original));
      assert.deepEqual(strategicMerge(original, deepFreeze(structuredClone(c.patch)), schema), c.want);
      assert.deepEqual(original, c.original);
    });
  }

  test("__proto__ keys stay ordinary data", () => {
    const out = strategicMerge({}, JSON.parse('{"__proto__":{"polluted":1},"m":{"__proto__":null}}'), schema);
    assert.deepEqual(Object.keys(out as object), ["__proto__", "m"]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });

  test("the result does not alias the input document or patch", () => {
    const original = { m: { a: [1] }, mergingList: [{ name: "1", v: { x: 1 } }] };
    const patch = { n: { b: [2] }, mergingList: [{ name: "2", v: { y: 1 } }] };
    const out = strategicMerge(original, patch, schema) as typeof original & typeof patch;
    out.m.a.push(9);
    out.n.b.push(9);
    (out.mergingList[0] as { v: { x: number } }).v.x = 9;
    assert.deepEqual(original, { m: { a: [1] }, mergingList: [{ name: "1", v: { x: 1 } }] });
    assert.deepEqual(patch, { n: { b: [2] }, mergingList: [{ name: "2", v: { y: 1 } }] });
  });
});

describe("strategic merge patch: errors", () => {
  const cases: Array<{ name: string; original?: JsonValue; patch: unknown; code: number; reason: string; message: string | RegExp }> = [
    { name: "invalid $patch value in a map", patch: { m: { $patch: "bogus", a: 1 } }, code: 400, reason: "BadRequest", message: "unknown patch type: bogus in map: map[$patch:bogus a:1]" },
    { name: "non-string $patch value", patch: { $patch: 1 }, code: 400, reason: "BadRequest", message: "unknown patch type: 1 in map: map[$patch:1]" },
    { name: "invalid $patch value in a list element", original: { mergingList: [{ name: "1" }] }, patch: { mergingList: [{ name: "1", $patch: "bogus" }] }, code: 400, reason: "BadRequest", message: "unknown patch type: bogus in map: map[$patch:bogus name:1]" },
    { name: "$patch: merge in a list", patch: { mergingList: [{ $patch: "merge" }] }, code: 400, reason: "BadRequest", message: "merging lists cannot yet be specified in the patch" },
    { name: "element without its merge key", original: { mergingList: [{ name: "1" }] }, patch: { mergingList: [{ value: "x" }] }, code: 400, reason: "BadRequest", message: "map: map[value:x] does not contain declared merge key: name" },
    { name: "delete directive without merge key", original: { mergingList: [{ name: "1" }] }, patch: { mergingList: [{ $patch: "delete" }] }, code: 400, reason: "BadRequest", message: "map: map[$patch:delete] does not contain declared merge key: name" },
    { name: "$setElementOrder not a list", patch: { "$setElementOrder/mergingList": { name: "1" } }, code: 400, reason: "BadRequest", message: "invalid patch format of setElementOrder list" },
    { name: "$setElementOrder disagreeing with the patch list", original: { mergingList: [] }, patch: { "$setElementOrder/mergingList": [{ name: "1" }, { name: "2" }], mergingList: [{ name: "2" }, { name: "1" }] }, code: 400, reason: "BadRequest", message: /^the order in patch list:\n\[map\[name:2\] map\[name:1\]\]\n doesn't match \$setElementOrder list:/ },
    { name: "$deleteFromPrimitiveList not a list", patch: { "$deleteFromPrimitiveList/mergingIntList": "x" }, code: 400, reason: "BadRequest", message: "invalid patch format of primitive list" },
    { name: "$retainKeys not a list", patch: { $retainKeys: "a" }, code: 400, reason: "BadRequest", message: "invalid patch format of retainKeys" },
    { name: "patched field missing from $retainKeys", patch: { $retainKeys: ["a"], b: 1 }, code: 400, reason: "BadRequest", message: "invalid patch format of retainKeys" },
    { name: "lists of lists", original: { mergingIntList: [1] }, patch: { mergingIntList: [[1]] }, code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request" },
    { name: "mixed element kinds", original: { mergingIntList: [1] }, patch: { mergingIntList: [{ a: 1 }] }, code: 400, reason: "BadRequest", message: /^list element types are not identical/ },
    { name: "array patch", patch: [{ a: 1 }], code: 400, reason: "BadRequest", message: "json: cannot unmarshal array into Go value of type map[string]interface {}" },
    { name: "string patch", patch: "x", code: 400, reason: "BadRequest", message: "json: cannot unmarshal string into Go value of type map[string]interface {}" },
    { name: "null patch", patch: null, code: 400, reason: "BadRequest", message: "json: cannot unmarshal null into Go value of type map[string]interface {}" },
  ];
  for (const c of cases) {
    test(c.name, () => expectStatus(() => strategicMerge(c.original ?? {}, c.patch, schema), c.code, c.reason, c.message));
  }

  test("invalid $patch value through the kind table", () => {
    expectStatus(() => applyStrategicMergePatch(daemonSet, { spec: { template: { $patch: "replac" } } }, dsKind), 400, "BadRequest", "unknown patch type: replac in map: map[$patch:replac]");
  });

  test("excessive nesting is rejected before merging", () => {
    let patch: JsonValue = { leaf: 1 };
    for (let i = 0; i < 150; i++) patch = { m: patch };
    expectStatus(() => strategicMerge({}, patch, schema), 400, "BadRequest", "the patch exceeds the maximum nesting depth of 100");
  });
});
