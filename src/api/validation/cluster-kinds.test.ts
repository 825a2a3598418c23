import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fieldErrorString, type FieldError } from "../status-error.js";
import { validateControllerRevision, validateControllerRevisionUpdate } from "./controller-revision.js";
import { validateEvent } from "./event.js";
import { validateLease, validateLeaseUpdate } from "./lease.js";
import { validateNamespace, validateNamespaceStatusUpdate } from "./namespace.js";
import { validateNode, validateNodeUpdate } from "./node.js";

type Obj = Record<string, any>;
const render = (errs: FieldError[]) => errs.map(fieldErrorString);

describe("Node", () => {
  const node = (spec: Obj = {}, status: Obj = {}): Obj => ({ metadata: { name: "node-1", resourceVersion: "1" }, spec, status });
  const cases: Array<[name: string, n: Obj, expected: string[]]> = [
    ["valid", node({ taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }, { capacity: { cpu: "4", pods: "110" } }), []],
    ["taint key, value and effect", node({ taints: [{ key: "bad key", value: "bad value", effect: "Sometimes" }, { key: "a" }] }), [
      "metadata.taints[0].key: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "metadata.taints[0].value: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      "metadata.taints[0].effect: Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
      "metadata.taints[1].effect: Required value",
    ]],
    ["duplicate key and effect", node({ taints: [{ key: "a", effect: "NoSchedule" }, { key: "a", value: "x", effect: "NoSchedule" }, { key: "a", effect: "NoExecute" }] }),
      ["metadata.taints[1]: Duplicate value: core.Taint{Key:\"a\", Value:\"x\", Effect:\"NoSchedule\", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair"]],
    ["capacity quantities", node({}, { capacity: { cpu: "-1", pods: "1.5" } }), [
      "status.capacity[cpu]: Invalid value: \"-1\": must be greater than or equal to 0",
      "status.capacity[pods]: Invalid value: 1500m: must be an integer",
    ]],
    ["namespace not allowed", { metadata: { name: "n", namespace: "default" } }, ["metadata.namespace: Forbidden: not allowed on this type"]],
    ["dual-stack pod CIDRs", node({ podCIDRs: ["10.0.0.0/24", "fd00::/64"] }), []],
    ["pod CIDRs: valid, one per family", node({ podCIDRs: ["10.0.0.0/24", "10.0.1.0/24", "10.0.0.1", "10.0.0.0/33"] }), [
      "spec.podCIDRs[2]: Invalid value: \"10.0.0.1\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
      "spec.podCIDRs[3]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
      "spec.podCIDRs: Invalid value: []string{\"10.0.0.0/24\", \"10.0.1.0/24\", \"10.0.0.1\", \"10.0.0.0/33\"}: may specify no more than one CIDR for each IP family",
    ]],
    ["two pod CIDRs of one family", node({ podCIDRs: ["10.0.0.0/24", "10.0.1.0/24"] }), [
      "spec.podCIDRs: Invalid value: []string{\"10.0.0.0/24\", \"10.0.1.0/24\"}: may specify no more than one CIDR for each IP family",
    ]],
  ];
  for (const [name, n, expected] of cases) test(name, () => assert.deepEqual(render(validateNode(n)), expected));

  test("update rules", () => {
    const old = node({ podCIDRs: ["10.0.0.0/24"], providerID: "p1" });
    assert.deepEqual(render(validateNodeUpdate(node({ podCIDRs: ["10.0.0.0/24"], providerID: "p1", unschedulable: true }), old)), []);
    assert.deepEqual(render(validateNodeUpdate(node({ podCIDRs: ["10.0.1.0/24"], providerID: "p2" }), old)), [
      "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid",
      "spec.providerID: Forbidden: node updates may not change providerID except from \"\" to valid",
    ]);
    assert.deepEqual(render(validateNodeUpdate(node({ podCIDRs: ["10.0.0.0/24"] }), node())), []);
  });
});

describe("Namespace", () => {
  test("names are DNS labels", () => {
    assert.deepEqual(render(validateNamespace({ metadata: { name: "team-a" } })), []);
    assert.deepEqual(render(validateNamespace({ metadata: { name: "team.a" } })), ["metadata.name: Invalid value: \"team.a\": must not contain dots"]);
  });
  test("spec.finalizers", () => {
    assert.deepEqual(render(validateNamespace({ metadata: { name: "a" }, spec: { finalizers: ["kubernetes", "custom"] } })),
      ["spec.finalizers: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"]);
  });
  test("status phase follows deletionTimestamp", () => {
    const ns = (phase: string, deleting: boolean): Obj => ({
      metadata: { name: "a", resourceVersion: "1", ...(deleting ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}) }, status: { phase },
    });
    assert.deepEqual(render(validateNamespaceStatusUpdate(ns("Active", false), ns("Active", false))), []);
    assert.deepEqual(render(validateNamespaceStatusUpdate(ns("Terminating", false), ns("Active", false))),
      ["status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty"]);
    assert.deepEqual(render(validateNamespaceStatusUpdate(ns("Active", true), ns("Active", true))),
      ["status.Phase: Invalid value: \"Active\": may only be 'Terminating' if `deletionTimestamp` is not empty"]);
  });
});

describe("Event", () => {
  const event = (extra: Obj): Obj => ({ metadata: { name: "e.1", namespace: "default" }, involvedObject: { kind: "Pod", name: "p", namespace: "default" }, reason: "Created", ...extra });
  const cases: Array<[name: string, e: Obj, expected: string[]]> = [
    ["legacy event", event({}), []],
    ["namespace mismatch", event({ involvedObject: { kind: "Pod", name: "p", namespace: "other" } }),
      ["involvedObject.namespace: Invalid value: \"other\": does not match event.namespace"]],
    ["cluster-scoped involved object in default", event({ involvedObject: { kind: "Node", name: "n" } }), []],
    ["new-style event needs reporting fields", event({ eventTime: "2024-01-01T00:00:00.000000Z" }), [
      "reportingComponent: Required value",
      "reportingComponent: Invalid value: \"\": name part must be non-empty",
      "reportingComponent: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "reportingInstance: Required value",
      "action: Required value",
    ]],
  ];
  for (const [name, e, expected] of cases) test(name, () => assert.deepEqual(render(validateEvent(e)), expected));
});

describe("Lease", () => {
  const lease = (spec: Obj): Obj => ({ metadata: { name: "l", namespace: "kube-node-lease", resourceVersion: "1" }, spec });
  test("valid", () => assert.deepEqual(render(validateLease(lease({ holderIdentity: "n", leaseDurationSeconds: 40 }))), []));
  test("durations", () => {
    assert.deepEqual(render(validateLease(lease({ leaseDurationSeconds: 0, leaseTransitions: -1 }))), [
      "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
      "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
    ]);
    assert.deepEqual(render(validateLeaseUpdate(lease({ leaseDurationSeconds: "40" }), lease({}))),
      ["spec.leaseDurationSeconds: Invalid value: \"40\": must be of type integer"]);
  });
});

describe("ControllerRevision", () => {
  const rev = (extra: Obj): Obj => ({ metadata: { name: "ds-abc", namespace: "default", resourceVersion: "1" }, revision: 1, data: { spec: {} }, ...extra });
  test("valid", () => assert.deepEqual(render(validateControllerRevision(rev({}))), []));
  test("data required, revision non-negative", () => {
    assert.deepEqual(render(validateControllerRevision(rev({ data: undefined, revision: -1 }))), [
      "data: Required value: data is mandatory",
      "revision: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });
  test("data immutable, revision may change", () => {
    assert.deepEqual(render(validateControllerRevisionUpdate(rev({ revision: 3 }), rev({}))), []);
    assert.deepEqual(render(validateControllerRevisionUpdate(rev({ data: { spec: { a: 1 } } }), rev({}))),
      ["data: Invalid value: {\"spec\":{\"a\":1}}: field is immutable"]);
  });
});
