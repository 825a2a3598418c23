import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { printTable, printTableRow } from "./table.js";
import { columnDefinitions } from "./columns.js";
import { formatLabelSelector } from "./rows.js";
import { findResource, resources } from "../../api/resources.js";
import type { ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";

const now = new Date("2024-05-01T12:00:00Z");
const r = (group: string, resource: string): ResourceInfo => findResource(group, resource) as ResourceInfo;

const expectedColumns: Record<string, Array<[string, number]>> = {
  DaemonSet: [["Name", 0], ["Desired", 0], ["Current", 0], ["Ready", 0], ["Up-to-date", 0], ["Available", 0], ["Node Selector", 0], ["Age", 0], ["Containers", 1], ["Images", 1], ["Selector", 1]],
  Pod: [["Name", 0], ["Ready", 0], ["Status", 0], ["Restarts", 0], ["Age", 0], ["IP", 1], ["Node", 1], ["Nominated Node", 1], ["Readiness Gates", 1]],
  Node: [["Name", 0], ["Status", 0], ["Roles", 0], ["Age", 0], ["Version", 0], ["Internal-IP", 1], ["External-IP", 1], ["OS-Image", 1], ["Kernel-Version", 1], ["Container-Runtime", 1]],
  Namespace: [["Name", 0], ["Status", 0], ["Age", 0]],
  Event: [["Last Seen", 0], ["Type", 0], ["Reason", 0], ["Object", 0], ["Subobject", 1], ["Source", 1], ["Message", 0], ["First Seen", 1], ["Count", 1], ["Name", 1]],
  ControllerRevision: [["Name", 0], ["Controller", 0], ["Revision", 0], ["Age", 0]],
  Lease: [["Name", 0], ["Holder", 0], ["Age", 0]],
  ConfigMap: [["Name", 0], ["Data", 0], ["Age", 0]],
  Secret: [["Name", 0], ["Type", 0], ["Data", 0], ["Age", 0]],
  ServiceAccount: [["Name", 0], ["Secrets", 0], ["Age", 0]],
  Service: [["Name", 0], ["Type", 0], ["Cluster-IP", 0], ["External-IP", 0], ["Port(s)", 0], ["Age", 0], ["Selector", 1]],
  Endpoints: [["Name", 0], ["Endpoints", 0], ["Age", 0]],
  EndpointSlice: [["Name", 0], ["AddressType", 0], ["Ports", 0], ["Endpoints", 0], ["Age", 0]],
  Role: [["Name", 0], ["Created At", 0]],
  ClusterRole: [["Name", 0], ["Created At", 0]],
  RoleBinding: [["Name", 0], ["Role", 0], ["Age", 0], ["Users", 1], ["Groups", 1], ["ServiceAccounts", 1]],
  ClusterRoleBinding: [["Name", 0], ["Role", 0], ["Age", 0], ["Users", 1], ["Groups", 1], ["ServiceAccounts", 1]],
  DaemonJob: [["Name", 0], ["Status", 0], ["Desired", 0], ["Active", 0], ["Succeeded", 0], ["Failed", 0], ["Completions", 0], ["Duration", 0], ["Age", 0], ["Containers", 1], ["Images", 1], ["Selector", 1]],
  PriorityClass: [["Name", 0], ["Value", 0], ["Global-Default", 0], ["Age", 0], ["PreemptionPolicy", 0]],
};

void describe("columns", () => {
  for (const res of resources) {
    void test(`${res.kind}: names, priorities, the name format, descriptions`, () => {
      const cols = columnDefinitions(res.kind);
      assert.deepEqual(cols.map((c) => [c.name, c.priority]), expectedColumns[res.kind]);
      for (const c of cols) {
        assert.equal(c.format, c.name === "Name" ? "name" : "", c.name);
        assert.ok(c.description.length > 0, `${res.kind} ${c.name} description`);
        assert.ok(["string", "integer", "boolean", "date"].includes(c.type));
      }
    });
  }
});

const rowCases: Array<{ name: string; resource: ResourceInfo; object: KubeObject; cells: unknown[] }> = [
  {
    name: "configmap counts data and binaryData",
    resource: r("", "configmaps"),
    object: { metadata: { name: "cm", creationTimestamp: "2024-05-01T11:00:00Z" }, data: { a: "1", b: "2" }, binaryData: { c: "AA==" } },
    cells: ["cm", 3, "60m"],
  },
  {
    name: "secret",
    resource: r("", "secrets"),
    object: { metadata: { name: "s", creationTimestamp: "2024-05-01T11:59:00Z" }, type: "kubernetes.io/tls", data: { "tls.crt": "", "tls.key": "" } },
    cells: ["s", "kubernetes.io/tls", 2, "60s"],
  },
  {
    name: "serviceaccount",
    resource: r("", "serviceaccounts"),
    object: { metadata: { name: "default", creationTimestamp: "2024-05-01T11:59:00Z" } },
    cells: ["default", 0, "60s"],
  },
  {
    name: "priorityclass",
    resource: r("scheduling.k8s.io", "priorityclasses"),
    object: { metadata: { name: "system-node-critical", creationTimestamp: "2024-04-30T12:00:00Z" }, value: 2000001000, preemptionPolicy: "PreemptLowerPriority" },
    cells: ["system-node-critical", 2000001000, false, "24h", "PreemptLowerPriority"],
  },
  {
    name: "daemonjob that failed on one node",
    resource: r("everynode.dev", "daemonjobs"),
    object: {
      metadata: { name: "scan", creationTimestamp: "2024-05-01T11:58:00Z" },
      spec: { selector: { matchLabels: { app: "scan" } }, template: { spec: { containers: [{ name: "task", image: "busybox" }] } } },
      status: { desired: 5, active: 0, succeeded: 4, failed: 1, startTime: "2024-05-01T11:58:00Z", completionTime: "2024-05-01T11:58:42Z",
        conditions: [{ type: "Failed", status: "True", reason: "FailedNodes" }] },
    },
    cells: ["scan", "Failed", 5, 0, 4, 1, "4/5", "42s", "2m", "task", "busybox", "app=scan"],
  },
  {
    name: "daemonjob running",
    resource: r("everynode.dev", "daemonjobs"),
    object: { metadata: { name: "scan", creationTimestamp: "2024-05-01T11:59:00Z" }, spec: {}, status: { desired: 3, active: 2, succeeded: 1, startTime: "2024-05-01T11:59:30Z" } },
    cells: ["scan", "Running", 3, 2, 1, 0, "1/3", "30s", "60s", "", "", "<none>"],
  },
  {
    name: "daemonset",
    resource: r("apps", "daemonsets"),
    object: {
      metadata: { name: "agent", namespace: "default", creationTimestamp: "2024-05-01T11:57:58Z" },
      spec: {
        selector: { matchLabels: { app: "agent" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] },
        template: { spec: { nodeSelector: { "kubernetes.io/os": "linux", disk: "ssd" }, containers: [{ name: "main", image: "nginx:1.26" }, { name: "side", image: "busybox" }] } },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    },
    cells: ["agent", 3, 3, 2, 3, 2, "disk=ssd,kubernetes.io/os=linux", "2m2s", "main,side", "nginx:1.26,busybox", "app=agent,tier in (a,b)"],
  },
  {
    name: "daemonset without status or selector",
    resource: r("apps", "daemonsets"),
    object: { metadata: { name: "x" }, spec: { template: { spec: { containers: [] } } } },
    cells: ["x", 0, 0, 0, 0, 0, "<none>", "<unknown>", "", "", "<none>"],
  },
  {
    name: "ready node with roles",
    resource: r("", "nodes"),
    object: {
      metadata: { name: "n1", creationTimestamp: "2024-04-26T12:00:00Z", labels: { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "", "kubernetes.io/role": "edge" } },
      spec: {},
      status: {
        conditions: [{ type: "MemoryPressure", status: "False" }, { type: "Ready", status: "True" }],
        addresses: [{ type: "Hostname", address: "n1" }, { type: "InternalIP", address: "10.0.0.1" }],
        nodeInfo: { kubeletVersion: "v1.32.0", osImage: "Debian", kernelVersion: "6.1", containerRuntimeVersion: "containerd://1.7" },
      },
    },
    cells: ["n1", "Ready", "control-plane,edge,worker", "5d", "v1.32.0", "10.0.0.1", "<none>", "Debian", "6.1", "containerd://1.7"],
  },
  {
    name: "cordoned node",
    resource: r("", "nodes"),
    object: { metadata: { name: "n2" }, spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "True" }] } },
    cells: ["n2", "Ready,SchedulingDisabled", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
  },
  {
    name: "not ready node",
    resource: r("", "nodes"),
    object: { metadata: { name: "n3" }, status: { conditions: [{ type: "Ready", status: "Unknown" }], addresses: [{ type: "ExternalIP", address: "1.2.3.4" }] } },
    cells: ["n3", "NotReady", "<none>", "<unknown>", "", "<none>", "1.2.3.4", "<unknown>", "<unknown>", "<unknown>"],
  },
  {
    name: "node without a Ready condition",
    resource: r("", "nodes"),
    object: { metadata: { name: "n4" }, spec: { unschedulable: true } },
    cells: ["n4", "Unknown,SchedulingDisabled", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
  },
  {
    name: "namespace",
    resource: r("", "namespaces"),
    object: { metadata: { name: "default", creationTimestamp: "2024-05-01T07:00:00Z" }, status: { phase: "Active" } },
    cells: ["default", "Active", "5h"],
  },
  {
    name: "event",
    resource: r("", "events"),
    object: {
      metadata: { name: "agent.17c", namespace: "default" }, type: "Normal", reason: "SuccessfulCreate", message: " Created pod: agent-x \n",
      involvedObject: { kind: "DaemonSet", name: "agent", fieldPath: "" }, source: { component: "daemonset-controller" },
      firstTimestamp: "2024-05-01T11:50:00Z", lastTimestamp: "2024-05-01T11:59:00Z", count: 3,
    },
    cells: ["60s", "Normal", "SuccessfulCreate", "daemonset/agent", "", "daemonset-controller", "Created pod: agent-x", "10m", 3, "agent.17c"],
  },
  {
    name: "event with eventTime, series and reporting fields",
    resource: r("", "events"),
    object: {
      metadata: { name: "e2" }, type: "Warning", reason: "BackOff", message: "m", involvedObject: { kind: "Pod", name: "p", fieldPath: "spec.containers{c}" },
      reportingComponent: "kubelet", reportingInstance: "n1", eventTime: "2024-05-01T11:00:00.000000Z",
      series: { count: 7, lastObservedTime: "2024-05-01T11:59:30.000000Z" },
    },
    cells: ["30s", "Warning", "BackOff", "pod/p", "spec.containers{c}", "kubelet, n1", "m", "60m", 7, "e2"],
  },
  {
    name: "singleton event without timestamps",
    resource: r("", "events"),
    object: { metadata: { name: "e3" }, involvedObject: { kind: "Node" } },
    cells: ["<unknown>", "", "", "node", "", "", "", "<unknown>", 1, "e3"],
  },
  {
    name: "controller revision",
    resource: r("apps", "controllerrevisions"),
    object: {
      metadata: { name: "agent-5d8f", creationTimestamp: "2024-05-01T11:59:59Z", ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", uid: "u", controller: true }] },
      revision: 2, data: {},
    },
    cells: ["agent-5d8f", "daemonset.apps/agent", 2, "1s"],
  },
  {
    name: "controller revision: core owner, no controller",
    resource: r("apps", "controllerrevisions"),
    object: { metadata: { name: "a", ownerReferences: [{ apiVersion: "v1", kind: "Pod", name: "x", uid: "u", controller: false }] }, revision: 1 },
    cells: ["a", "<none>", 1, "<unknown>"],
  },
  {
    name: "lease",
    resource: r("coordination.k8s.io", "leases"),
    object: { metadata: { name: "n1", namespace: "kube-node-lease", creationTimestamp: "2024-04-01T12:00:00Z" }, spec: { holderIdentity: "n1", leaseDurationSeconds: 40 } },
    cells: ["n1", "n1", "30d"],
  },
  { name: "lease without holder", resource: r("coordination.k8s.io", "leases"), object: { metadata: { name: "l" } }, cells: ["l", "", "<unknown>"] },
];

void describe("rows", () => {
  for (const c of rowCases) {
    void test(c.name, () => {
      const row = printTableRow(c.resource, c.object, { now });
      assert.deepEqual(row.cells, c.cells);
      assert.equal(row.cells.length, columnDefinitions(c.resource.kind).length);
    });
  }
});

void describe("printTable", () => {
  const ds = r("apps", "daemonsets");
  const object: KubeObject = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "a", namespace: "ns", labels: { x: "y" } }, spec: {} };

  void test("envelope, metadata and default PartialObjectMetadata rows", () => {
    const table = printTable(ds, [object], { now, resourceVersion: "42", continue: "tok" });
    assert.equal(table.kind, "Table");
    assert.equal(table.apiVersion, "meta.k8s.io/v1");
    assert.deepEqual(table.metadata, { resourceVersion: "42", continue: "tok" });
    assert.equal(table.columnDefinitions.length, 11);
    assert.deepEqual(table.rows[0]?.object, { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: "a", namespace: "ns", labels: { x: "y" } } });
    assert.deepEqual(JSON.parse(JSON.stringify(table)), table);
  });

  void test("includeObject None and Object, noHeaders, empty lists", () => {
    assert.equal(printTable(ds, [object], { now, includeObject: "None" }).rows[0]?.object, undefined);
    assert.equal(printTable(ds, [object], { now, includeObject: "Object" }).rows[0]?.object, object);
    assert.deepEqual(printTable(ds, [object], { now, noHeaders: true }).columnDefinitions, []);
    const empty = printTable(ds, [], { now, resourceVersion: "7" });
    assert.deepEqual(empty.rows, []);
    assert.deepEqual(empty.metadata, { resourceVersion: "7" });
  });
});

void describe("formatLabelSelector", () => {
  const cases: Array<[unknown, string]> = [
    [undefined, "<none>"], [{}, "<none>"], [{ matchLabels: { b: "2", a: "1" } }, "a=1,b=2"],
    [{ matchExpressions: [{ key: "k", operator: "NotIn", values: ["y", "x"] }, { key: "e", operator: "Exists" }, { key: "d", operator: "DoesNotExist" }] }, "!d,e,k notin (x,y)"],
    [{ matchExpressions: [{ key: "k", operator: "Bogus" }] }, "<error>"], ["junk", "<error>"],
  ];
  for (const [sel, want] of cases) void test(`${JSON.stringify(sel)} → ${want}`, () => assert.equal(formatLabelSelector(sel), want));
});
