import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { escapeFieldValue, exactFieldValue, fieldValue, parseFieldSelector, selectableFields, type FieldRequirement } from "./field-selector.js";
import { StatusError } from "./status-error.js";
import type { KubeObject } from "./types.js";

void describe("parseFieldSelector: accepted input", () => {
  const cases: { in: string; resource: string; reqs: FieldRequirement[]; str: string }[] = [
    { in: "", resource: "pods", reqs: [], str: "" },
    { in: "metadata.name=x", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "x" }], str: "metadata.name=x" },
    { in: "metadata.name==x", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "x" }], str: "metadata.name=x" },
    { in: "metadata.name!=x", resource: "pods", reqs: [{ field: "metadata.name", operator: "!=", value: "x" }], str: "metadata.name!=x" },
    { in: "metadata.name=", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "" }], str: "metadata.name=" },
    { in: "metadata.name=x,", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "x" }], str: "metadata.name=x" },
    {
      in: "spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed", resource: "pods",
      reqs: [
        { field: "spec.nodeName", operator: "=", value: "n1" },
        { field: "status.phase", operator: "!=", value: "Failed" },
        { field: "status.phase", operator: "!=", value: "Succeeded" },
      ],
      str: "spec.nodeName=n1,status.phase!=Failed,status.phase!=Succeeded",
    },
    { in: "spec.host=n1", resource: "pods", reqs: [{ field: "spec.nodeName", operator: "=", value: "n1" }], str: "spec.nodeName=n1" },
    { in: "metadata.name=a\\,b", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "a,b" }], str: "metadata.name=a\\,b" },
    { in: "metadata.name=a\\=b\\\\c", resource: "pods", reqs: [{ field: "metadata.name", operator: "=", value: "a=b\\c" }], str: "metadata.name=a\\=b\\\\c" },
    {
      in: "involvedObject.kind=DaemonSet,involvedObject.uid=u-1,involvedObject.name=x,involvedObject.namespace=default", resource: "events",
      reqs: [
        { field: "involvedObject.kind", operator: "=", value: "DaemonSet" },
        { field: "involvedObject.name", operator: "=", value: "x" },
        { field: "involvedObject.namespace", operator: "=", value: "default" },
        { field: "involvedObject.uid", operator: "=", value: "u-1" },
      ],
      str: "involvedObject.kind=DaemonSet,involvedObject.name=x,involvedObject.namespace=default,involvedObject.uid=u-1",
    },
    { in: "reason=Killing,type=Normal,source=kubelet,reportingComponent=kubelet", resource: "events", reqs: [
      { field: "reason", operator: "=", value: "Killing" },
      { field: "reportingComponent", operator: "=", value: "kubelet" },
      { field: "source", operator: "=", value: "kubelet" },
      { field: "type", operator: "=", value: "Normal" },
    ], str: "reason=Killing,reportingComponent=kubelet,source=kubelet,type=Normal" },
    { in: "spec.unschedulable=true", resource: "nodes", reqs: [{ field: "spec.unschedulable", operator: "=", value: "true" }], str: "spec.unschedulable=true" },
    { in: "status.phase=Active", resource: "namespaces", reqs: [{ field: "status.phase", operator: "=", value: "Active" }], str: "status.phase=Active" },
    { in: "metadata.namespace=default,metadata.name=ds", resource: "daemonsets", reqs: [
      { field: "metadata.name", operator: "=", value: "ds" },
      { field: "metadata.namespace", operator: "=", value: "default" },
    ], str: "metadata.name=ds,metadata.namespace=default" },
    { in: "metadata.name=n", resource: "leases", reqs: [{ field: "metadata.name", operator: "=", value: "n" }], str: "metadata.name=n" },
  ];
  for (const c of cases) {
    void test(`${c.resource}: ${JSON.stringify(c.in)}`, () => {
      const sel = parseFieldSelector(c.in, c.resource);
      assert.deepEqual(sel.requirements, c.reqs);
      assert.equal(sel.toString(), c.str);
      assert.equal(sel.empty(), c.reqs.length === 0);
    });
  }
});

void describe("parseFieldSelector: errors", () => {
  const cases: { in: string; resource: string; msg: string }[] = [
    { in: "spec.foo=x", resource: "pods", msg: "field label not supported: spec.foo" },
    { in: " metadata.name=x", resource: "pods", msg: "field label not supported:  metadata.name" },
    { in: "status.hostIP=1.2.3.4", resource: "pods", msg: "field label not supported: status.hostIP" },
    { in: "metadata.namespace=x", resource: "nodes", msg: "field label not supported: metadata.namespace" },
    { in: "spec.nodeName=x", resource: "nodes", msg: "field label not supported: spec.nodeName" },
    { in: "metadata.namespace=x", resource: "namespaces", msg: "field label not supported: metadata.namespace" },
    { in: "message=x", resource: "events", msg: "field label not supported: message" },
    { in: "spec.nodeName=x", resource: "daemonsets", msg: `"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"` },
    { in: "spec.holderIdentity=x", resource: "leases", msg: `"spec.holderIdentity" is not a known field selector: only "metadata.name", "metadata.namespace"` },
    { in: "foo", resource: "pods", msg: "invalid selector: 'foo'; can't understand 'foo'" },
    { in: "metadata.name=x,foo", resource: "pods", msg: "invalid selector: 'metadata.name=x,foo'; can't understand 'foo'" },
    { in: "metadata.name=x, ", resource: "pods", msg: "invalid selector: 'metadata.name=x, '; can't understand ' '" },
    { in: "zzz,spec.foo=x", resource: "pods", msg: "invalid selector: 'zzz,spec.foo=x'; can't understand 'zzz'" },
    { in: "metadata.name=a\\x", resource: "pods", msg: "invalid field selector: invalid escape sequence: \\x" },
    { in: "metadata.name=a\\", resource: "pods", msg: "invalid field selector: invalid escape sequence: \\" },
    { in: "metadata.name=a=b", resource: "pods", msg: "invalid field selector: unescaped character in value: 61" },
    { in: "a!=b=c", resource: "pods", msg: "invalid field selector: unescaped character in value: 61" },
  ];
  for (const c of cases) {
    void test(`${c.resource}: ${JSON.stringify(c.in)}`, () => {
      assert.throws(() => parseFieldSelector(c.in, c.resource), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 400);
        assert.equal(e.reason, "BadRequest");
        assert.equal(e.message, c.msg);
        return true;
      });
    });
  }
});

const pod: KubeObject = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "p1", namespace: "default" },
  spec: { nodeName: "n1", restartPolicy: "Always", schedulerName: "default-scheduler", serviceAccountName: "sa", containers: [] },
  status: { phase: "Running", podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }], nominatedNodeName: "n2" },
};
const bare: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p2" } };
const node: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } };
const event: KubeObject = {
  apiVersion: "v1", kind: "Event", metadata: { name: "e1", namespace: "default" },
  involvedObject: { kind: "DaemonSet", name: "ds", namespace: "default", uid: "u-1", apiVersion: "apps/v1", resourceVersion: "7", fieldPath: "spec" },
  reason: "SuccessfulCreate", type: "Normal", source: { component: "daemonset-controller" }, reportingComponent: "rc",
};

void describe("fieldValue", () => {
  const cases: { name: string; obj: KubeObject; field: string; want: string }[] = [
    { name: "pod name", obj: pod, field: "metadata.name", want: "p1" },
    { name: "pod namespace", obj: pod, field: "metadata.namespace", want: "default" },
    { name: "missing namespace", obj: node, field: "metadata.namespace", want: "" },
    { name: "nodeName", obj: pod, field: "spec.nodeName", want: "n1" },
    { name: "missing nodeName", obj: bare, field: "spec.nodeName", want: "" },
    { name: "restartPolicy", obj: pod, field: "spec.restartPolicy", want: "Always" },
    { name: "schedulerName", obj: pod, field: "spec.schedulerName", want: "default-scheduler" },
    { name: "serviceAccountName", obj: pod, field: "spec.serviceAccountName", want: "sa" },
    { name: "hostNetwork missing", obj: pod, field: "spec.hostNetwork", want: "false" },
    { name: "hostNetwork true", obj: { ...pod, spec: { hostNetwork: true } }, field: "spec.hostNetwork", want: "true" },
    { name: "phase", obj: pod, field: "status.phase", want: "Running" },
    { name: "missing phase", obj: bare, field: "status.phase", want: "" },
    { name: "podIP from podIPs[0]", obj: pod, field: "status.podIP", want: "10.0.0.1" },
    { name: "podIP fallback", obj: { ...pod, status: { podIP: "10.0.0.9" } }, field: "status.podIP", want: "10.0.0.9" },
    { name: "podIP missing", obj: bare, field: "status.podIP", want: "" },
    { name: "podIPs never selectable", obj: pod, field: "status.podIPs", want: "" },
    { name: "nominatedNodeName", obj: pod, field: "status.nominatedNodeName", want: "n2" },
    { name: "unschedulable true", obj: node, field: "spec.unschedulable", want: "true" },
    { name: "unschedulable missing", obj: { ...node, spec: {} }, field: "spec.unschedulable", want: "false" },
    { name: "involvedObject.kind", obj: event, field: "involvedObject.kind", want: "DaemonSet" },
    { name: "involvedObject.uid", obj: event, field: "involvedObject.uid", want: "u-1" },
    { name: "involvedObject.apiVersion", obj: event, field: "involvedObject.apiVersion", want: "apps/v1" },
    { name: "involvedObject.resourceVersion", obj: event, field: "involvedObject.resourceVersion", want: "7" },
    { name: "involvedObject.fieldPath", obj: event, field: "involvedObject.fieldPath", want: "spec" },
    { name: "reason", obj: event, field: "reason", want: "SuccessfulCreate" },
    { name: "type", obj: event, field: "type", want: "Normal" },
    { name: "source component", obj: event, field: "source", want: "daemonset-controller" },
    { name: "source falls back to reportingComponent", obj: { ...event, source: {} }, field: "source", want: "rc" },
    { name: "reportingComponent", obj: event, field: "reportingComponent", want: "rc" },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(fieldValue(c.obj, c.field), c.want));
});

void describe("FieldSelector.matches", () => {
  const cases: { sel: string; resource: string; obj: KubeObject; want: boolean }[] = [
    { sel: "", resource: "pods", obj: pod, want: true },
    { sel: "metadata.name=p1", resource: "pods", obj: pod, want: true },
    { sel: "metadata.name=p2", resource: "pods", obj: pod, want: false },
    { sel: "spec.nodeName=n1,status.phase!=Succeeded,status.phase!=Failed", resource: "pods", obj: pod, want: true },
    { sel: "spec.nodeName=n1,status.phase!=Running", resource: "pods", obj: pod, want: false },
    { sel: "spec.nodeName=", resource: "pods", obj: bare, want: true },
    { sel: "spec.nodeName!=", resource: "pods", obj: bare, want: false },
    { sel: "spec.host=n1", resource: "pods", obj: pod, want: true },
    { sel: "status.podIPs=", resource: "pods", obj: pod, want: true },
    { sel: "spec.unschedulable=false", resource: "nodes", obj: node, want: false },
    { sel: "spec.unschedulable!=false", resource: "nodes", obj: node, want: true },
    { sel: "metadata.name=n1", resource: "nodes", obj: node, want: true },
    { sel: "involvedObject.kind=DaemonSet,involvedObject.uid=u-1,involvedObject.name=ds,involvedObject.namespace=default", resource: "events", obj: event, want: true },
    { sel: "involvedObject.kind=DaemonSet,involvedObject.uid=u-2", resource: "events", obj: event, want: false },
    { sel: "metadata.name=a\\,b", resource: "pods", obj: { metadata: { name: "a,b" } }, want: true },
  ];
  for (const c of cases) {
    void test(`${c.resource}: ${c.sel || "(empty)"} → ${c.want}`, () => assert.equal(parseFieldSelector(c.sel, c.resource).matches(c.obj), c.want));
  }
});

void describe("exactFieldValue", () => {
  const cases: { sel: string; field: string; want: string | undefined }[] = [
    { sel: "spec.nodeName=n1", field: "spec.nodeName", want: "n1" },
    { sel: "spec.host=n2", field: "spec.nodeName", want: "n2" },
    { sel: "spec.nodeName==n3,metadata.name=x", field: "spec.nodeName", want: "n3" },
    { sel: "spec.nodeName=", field: "spec.nodeName", want: "" },
    { sel: "spec.nodeName!=n1", field: "spec.nodeName", want: undefined },
    { sel: "metadata.name=x", field: "spec.nodeName", want: undefined },
    { sel: "", field: "spec.nodeName", want: undefined },
  ];
  for (const c of cases) void test(`${c.sel} / ${c.field}`, () => assert.equal(exactFieldValue(parseFieldSelector(c.sel, "pods"), c.field), c.want));
});

void describe("helpers", () => {
  void test("selectableFields", () => {
    assert.ok(selectableFields("pods").includes("spec.host"));
    assert.ok(selectableFields("pods").includes("status.nominatedNodeName"));
    assert.deepEqual(selectableFields("nodes").sort(), ["metadata.name", "spec.unschedulable"]);
    assert.deepEqual(selectableFields("daemonsets").sort(), ["metadata.name", "metadata.namespace"]);
    assert.deepEqual(selectableFields("toString").sort(), ["metadata.name", "metadata.namespace"]);
  });
  void test("escapeFieldValue round-trips", () => {
    const v = "a,b=c\\d";
    assert.equal(escapeFieldValue(v), "a\\,b\\=c\\\\d");
    assert.equal(exactFieldValue(parseFieldSelector(`metadata.name=${escapeFieldValue(v)}`, "pods"), "metadata.name"), v);
  });
});
