import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { UserInfo } from "./auth.js";
import { nodeUser } from "./authz-node.js";
import { createAuthorizer } from "./authz.js";
import { startTestApi, type TestApi } from "./testing/api-fixture.js";

const users: Record<string, UserInfo> = {
  admin: { name: "admin", groups: ["system:masters"] },
  node1: nodeUser("node-1"),
  jane: { name: "jane", groups: ["developers"] },
};

const merge = { "content-type": "application/merge-patch+json" };

describe("authorization over HTTP", () => {
  let api: TestApi;
  const as = (token: string) => (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    api.call(method, path, body, { authorization: `Bearer ${token}`, ...headers });
  const admin = as("admin");
  const node1 = as("node1");

  const pod = (name: string, nodeName: string) => ({
    apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { nodeName, containers: [{ name: "c", image: "nginx" }] },
  });

  async function expectForbidden(res: Response, message: string): Promise<void> {
    const body = await res.json() as { code: number; reason: string; message: string };
    assert.equal(res.status, 403, body.message);
    assert.equal(body.reason, "Forbidden");
    assert.equal(body.message, message);
  }

  before(async () => {
    api = await startTestApi({ handler: { authenticate: (t) => (t ? users[t] : undefined), authorize: createAuthorizer() } });
    for (const name of ["node-1", "node-2"]) {
      assert.equal((await admin("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name } })).status, 201);
    }
    assert.equal((await admin("PATCH", "/api/v1/nodes/node-1", { spec: { taints: [{ key: "k", effect: "NoSchedule" }] } }, merge)).status, 200);
    for (const [name, nodeName] of [["mine", "node-1"], ["theirs", "node-2"]] as const) {
      assert.equal((await admin("POST", "/api/v1/namespaces/default/pods", pod(name, nodeName))).status, 201);
    }
  });
  after(async () => { await api.close(); });

  test("unknown and missing tokens are 401; a user that is neither master nor node may do nothing", async () => {
    assert.equal((await as("bogus")("GET", "/api/v1/nodes")).status, 401);
    assert.equal((await api.call("GET", "/api/v1/nodes")).status, 401);
    await expectForbidden(await as("jane")("GET", "/api/v1/nodes"), 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope');
    assert.equal((await as("jane")("GET", "/api")).status, 200, "discovery stays readable");
  });

  test("a node reads nodes, its own pods and discovery, nothing else", async () => {
    assert.equal((await node1("GET", "/api/v1/nodes")).status, 200);
    assert.equal((await node1("GET", "/apis")).status, 200);
    const list = await node1("GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1");
    assert.deepEqual(((await list.json()) as { items: { metadata: { name: string } }[] }).items.map((p) => p.metadata.name), ["mine"]);
    assert.equal((await node1("GET", "/api/v1/namespaces/default/pods/mine")).status, 200);
    await expectForbidden(await node1("GET", "/api/v1/namespaces/default/pods/theirs"),
      'pods "theirs" is forbidden: User "system:node:node-1" cannot get resource "pods" in API group "" in the namespace "default": no relationship found between node \'node-1\' and this object');
    await expectForbidden(await node1("GET", "/apis/apps/v1/namespaces/default/daemonsets"),
      'daemonsets.apps is forbidden: User "system:node:node-1" cannot list resource "daemonsets" in API group "apps" in the namespace "default"');
    await expectForbidden(await node1("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } }),
      'namespaces is forbidden: User "system:node:node-1" cannot create resource "namespaces" in API group "" at the cluster scope');
  });

  test("a node changes its own Node and status only, never its taints or restricted labels", async () => {
    const labeled = await node1("PATCH", "/api/v1/nodes/node-1", { metadata: { labels: { x: "y", "node.kubernetes.io/role": "w" } } }, merge);
    assert.equal(labeled.status, 200);
    assert.equal(((await labeled.json()) as { metadata: { labels: Record<string, string> } }).metadata.labels.x, "y");
    assert.equal((await node1("PATCH", "/api/v1/nodes/node-1/status", { status: { capacity: { pods: "10" } } }, merge)).status, 200);
    await expectForbidden(await node1("PATCH", "/api/v1/nodes/node-2", { metadata: { labels: { x: "y" } } }, merge),
      'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    await expectForbidden(await node1("PATCH", "/api/v1/nodes/node-2/status", { status: {} }, merge),
      'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    await expectForbidden(await node1("PATCH", "/api/v1/nodes/node-1", { spec: { taints: null } }, merge),
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints');
    await expectForbidden(await node1("PATCH", "/api/v1/nodes/node-1", { metadata: { labels: { "node-restriction.kubernetes.io/a": "1", "kubernetes.io/b": "2" } } }, merge),
      'nodes "node-1" is forbidden: is not allowed to modify labels: kubernetes.io/b, node-restriction.kubernetes.io/a');
    await expectForbidden(await node1("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-3" } }),
      'nodes "node-3" is forbidden: node "node-1" is not allowed to modify node "node-3"');

    const current = (await (await node1("GET", "/api/v1/nodes/node-1")).json()) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const relabeled = { ...current, metadata: { ...current.metadata, labels: { x: "z" } } };
    assert.equal((await node1("PUT", "/api/v1/nodes/node-1", relabeled)).status, 200);
    const fresh = (await (await node1("GET", "/api/v1/nodes/node-1")).json()) as typeof current;
    await expectForbidden(await node1("PUT", "/api/v1/nodes/node-1", { ...fresh, spec: { ...fresh.spec, taints: [] } }),
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints');
    const unchanged = (await (await admin("GET", "/api/v1/nodes/node-1")).json()) as { spec: { taints: unknown[] }; metadata: { labels: Record<string, string> } };
    assert.equal(unchanged.spec.taints.length, 1);
    assert.deepEqual(unchanged.metadata.labels, { x: "z" });
  });

  test("a dry-run patch of its own Node writes nothing", async () => {
    const res = await node1("PATCH", "/api/v1/nodes/node-1?dryRun=All", { metadata: { labels: { dry: "run" } } }, merge);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { metadata: { labels: Record<string, string> } }).metadata.labels.dry, "run");
    const stored = (await (await admin("GET", "/api/v1/nodes/node-1")).json()) as { metadata: { labels: Record<string, string> } };
    assert.equal(stored.metadata.labels.dry, undefined);
  });

  test("a node updates the status of and deletes only pods bound to it", async () => {
    assert.equal((await node1("PATCH", "/api/v1/namespaces/default/pods/mine/status", { status: { phase: "Running" } }, merge)).status, 200);
    await expectForbidden(await node1("PATCH", "/api/v1/namespaces/default/pods/theirs/status", { status: { phase: "Running" } }, merge),
      'pods "theirs" is forbidden: node "node-1" can only update pod status for pods with spec.nodeName set to itself');
    await expectForbidden(await node1("DELETE", "/api/v1/namespaces/default/pods/theirs"),
      'pods "theirs" is forbidden: node "node-1" can only delete pods with spec.nodeName set to itself');
    await expectForbidden(await node1("POST", "/api/v1/namespaces/default/pods", pod("sneaky", "node-1")),
      'pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node-1" can only create mirror pods');
    assert.equal((await node1("DELETE", "/api/v1/namespaces/default/pods/missing")).status, 404);
    assert.equal((await node1("DELETE", "/api/v1/namespaces/default/pods/mine")).status, 200);
    assert.equal((await admin("GET", "/api/v1/namespaces/default/pods/theirs")).status, 200);
  });

  test("a node holds its own Lease in kube-node-lease and creates events", async () => {
    const lease = (name: string) => ({ apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name }, spec: { holderIdentity: name } });
    const leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";
    assert.equal((await node1("POST", leases, lease("node-1"))).status, 201);
    assert.equal((await node1("PATCH", `${leases}/node-1`, { spec: { leaseDurationSeconds: 40 } }, merge)).status, 200);
    await expectForbidden(await node1("POST", leases, lease("node-2")),
      'leases.coordination.k8s.io "node-2" is forbidden: can only access node lease with the same name as the requesting node');
    await expectForbidden(await node1("POST", "/apis/coordination.k8s.io/v1/namespaces/default/leases", lease("node-1")),
      'leases.coordination.k8s.io is forbidden: User "system:node:node-1" cannot create resource "leases" in API group "coordination.k8s.io" in the namespace "default": can only access leases in the "kube-node-lease" system namespace');
    const event = {
      apiVersion: "v1", kind: "Event", metadata: { name: "e1" }, involvedObject: { kind: "Node", name: "node-1" },
      reason: "Started", message: "m", type: "Normal", source: { component: "kubelet", host: "node-1" },
    };
    assert.equal((await node1("POST", "/api/v1/namespaces/default/events", event)).status, 201);
  });
});
