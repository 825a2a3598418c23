import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreEvent, KubeObject, Lease, Node, Pod, Taint } from "../../api/types.js";
import { node, pod } from "../../apiserver/registry/testing/fixtures.js";
import { R, settle, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { NodeLifecycleController } from "./node-lifecycle-controller.js";

const iso = (ms: number): string => new Date(ms).toISOString();

function withController(fn: (c: TestCluster, nlc: NodeLifecycleController) => Promise<void>): Promise<void> {
  return withControlLoop((base) => new NodeLifecycleController({ ...base, gracePeriodMs: 50_000, monitorPeriodMs: 5_000 }), fn, { namespaces: ["default", "other", "kube-node-lease"] });
}

/** Moves the fake clock in monitor-period steps, letting the controller work after each. */
async function advance(c: TestCluster, ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= 5_000) {
    c.clock.advance(Math.min(5_000, left));
    await settle(20);
  }
}

async function renewLease(c: TestCluster, name: string): Promise<void> {
  const lease: Lease = { metadata: { name, namespace: "kube-node-lease" }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: iso(c.clock.now()) } };
  try {
    const current = await c.client.get<Lease>(R.leases, "kube-node-lease", name);
    await c.client.update(R.leases, "kube-node-lease", { ...current, spec: lease.spec });
  } catch {
    await c.client.create(R.leases, "kube-node-lease", lease);
  }
  await settle(); // the controller times renewals by when it observes them
}

async function getNode(c: TestCluster, name: string): Promise<Node> {
  return c.client.get<Node>(R.nodes, undefined, name);
}

const taintsOf = (n: Node): string[] => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
const ready = (n: Node) => n.status?.conditions?.find((x) => x.type === "Ready");

async function events(c: TestCluster, reason: string): Promise<CoreEvent[]> {
  return (await c.client.list<CoreEvent>(R.events, undefined)).items.filter((e) => e.reason === reason);
}

async function readyPod(c: TestCluster, name: string, nodeName: string, extra: Partial<Pod["spec"]> = {}): Promise<void> {
  const p = pod(name, { nodeName });
  Object.assign(p.spec as object, extra);
  const created = await c.client.create<KubeObject>(R.pods, "default", p);
  await c.client.updateStatus(R.pods, "default", { ...created, status: {
    phase: "Running",
    conditions: [{ type: "ContainersReady", status: "True" }, { type: "Ready", status: "True" }],
    containerStatuses: [{ name: "c", image: "img", imageID: "", ready: true, restartCount: 0, started: true, state: { running: {} } }],
  } });
}

describe("NodeLifecycleController", () => {
  test("lease expiry → Ready Unknown, unreachable taints, events, pods not ready; renewal + Ready=True → taints removed", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await renewLease(c, "n1");
    await readyPod(c, "p1", "n1", { tolerations: [{ operator: "Exists" }] });
    await settle();

    await advance(c, 40_000);
    await renewLease(c, "n1");
    await advance(c, 45_000);
    assert.equal(ready(await getNode(c, "n1"))?.status, "True", "renewed 45 s ago: still healthy");

    await advance(c, 10_000);
    await until(c.clock, async () => ready(await getNode(c, "n1"))?.status === "Unknown", "Ready Unknown", 1000, 20);
    const cond = ready(await getNode(c, "n1"));
    assert.equal(cond?.reason, "NodeStatusUnknown");
    assert.equal(cond?.message, "Kubelet stopped posting node status.");
    await until(c.clock, async () => taintsOf(await getNode(c, "n1")).length === 2, "unreachable taints", 0);
    const n = await getNode(c, "n1");
    assert.deepEqual(taintsOf(n), ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"]);
    assert.ok(n.spec?.taints?.find((t: Taint) => t.effect === "NoExecute")?.timeAdded);
    await until(c.clock, async () => (await c.client.get<Pod>(R.pods, "default", "p1")).status?.conditions?.find((x) => x.type === "Ready")?.status === "False", "pod not ready", 0);
    const notReady = await c.client.get<Pod>(R.pods, "default", "p1");
    assert.equal(notReady.status?.conditions?.find((x) => x.type === "ContainersReady")?.status, "False");
    assert.deepEqual(notReady.status?.containerStatuses?.map((s) => s.ready), [false], "the READY column follows the Ready condition");
    await until(c.clock, async () => (await events(c, "NodeNotReady")).length === 2, "NodeNotReady events", 0);
    const [nodeEvent] = (await events(c, "NodeNotReady")).filter((e) => e.involvedObject.kind === "Node");
    assert.equal(nodeEvent?.message, "Node n1 status is now: NodeNotReady");
    assert.equal(nodeEvent?.metadata?.namespace, "default");
    assert.ok(await c.client.get(R.pods, "default", "p1"), "a pod tolerating everything is not evicted");

    // The kubelet comes back: renews its lease and posts Ready=True.
    await renewLease(c, "n1");
    const back = await getNode(c, "n1");
    await c.client.updateStatus(R.nodes, undefined, { ...back, status: { ...back.status, conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: iso(c.clock.now()).replace(/\.\d{3}Z$/, "Z") }] } });
    await until(c.clock, async () => taintsOf(await getNode(c, "n1")).length === 0, "taints removed", 0);
    await advance(c, 45_000);
    assert.equal(ready(await getNode(c, "n1"))?.status, "True");
  }));

  test("only Leases in kube-node-lease are signs of life: a namesake Lease elsewhere keeps nobody healthy", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await renewLease(c, "n1");
    await advance(c, 40_000);
    const elsewhere: Lease = { metadata: { name: "n1", namespace: "other" }, spec: { holderIdentity: "n1", leaseDurationSeconds: 40, renewTime: iso(c.clock.now()) } };
    await c.client.create(R.leases, "other", elsewhere);
    await settle();
    await advance(c, 15_000);
    await until(c.clock, async () => ready(await getNode(c, "n1"))?.status === "Unknown", "Ready Unknown despite the Lease in other", 1000, 20);
  }));

  test("Ready=False posted by the kubelet → not-ready taints; nodes never posting Ready get the startup grace", () => withController(async (c) => {
    const n = node("sick");
    (n.status as { conditions: unknown[] }).conditions = [{ type: "Ready", status: "False" }];
    await c.client.create(R.nodes, undefined, n);
    await c.client.create(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "silent" }, spec: {} });
    await until(c.clock, async () => taintsOf(await getNode(c, "sick")).length === 2, "not-ready taints", 0);
    assert.deepEqual(taintsOf(await getNode(c, "sick")), ["node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute"]);

    await advance(c, 55_000);
    assert.equal(ready(await getNode(c, "silent")), undefined, "within the 60 s startup grace");
    await advance(c, 10_000);
    await until(c.clock, async () => ready(await getNode(c, "silent"))?.reason === "NodeStatusNeverUpdated", "never updated", 1000, 20);
    assert.equal(ready(await getNode(c, "silent"))?.message, "Kubelet never posted node status.");
  }));

  test("cordon adds the unschedulable taint, uncordon removes it", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await c.client.patch(R.nodes, undefined, "n1", "strategic", { spec: { unschedulable: true } });
    await until(c.clock, async () => taintsOf(await getNode(c, "n1")).includes("node.kubernetes.io/unschedulable:NoSchedule"), "cordon taint", 0);
    await c.client.patch(R.nodes, undefined, "n1", "strategic", { spec: { unschedulable: null } });
    await until(c.clock, async () => taintsOf(await getNode(c, "n1")).length === 0, "uncordon", 0);
    assert.equal((await events(c, "RegisteredNode"))[0]?.message, "Node n1 event: Registered Node n1 in Controller");
  }));
});
