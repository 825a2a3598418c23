import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { daemonsNotReadyTaint, hasDaemonsNotReadyTaint, nodeReadinessGateAnnotation } from "../../api/readiness-gate.js";
import type { DaemonSet, Node, Pod, Taint } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { R, settle, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { makeDaemonSet } from "../daemonset/testing/fixtures.js";
import { NodeReadinessGateController } from "./node-readiness-gate-controller.js";

async function createNode(c: TestCluster, name: string, labels: Record<string, string> = {}, taints: Taint[] = []): Promise<void> {
  await c.client.create<Node>(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name, labels }, spec: { taints: [daemonsNotReadyTaint(), ...taints] } });
}

async function tainted(c: TestCluster, name: string): Promise<boolean> {
  return hasDaemonsNotReadyTaint(await c.client.get<Node>(R.nodes, undefined, name));
}

async function createGate(c: TestCluster, name: string, nodeSelector?: Record<string, string>): Promise<DaemonSet> {
  const ds = makeDaemonSet({ name, nodeSelector });
  ds.metadata = { ...ds.metadata, annotations: { [nodeReadinessGateAnnotation]: "true" } };
  return c.client.create<DaemonSet>(R.daemonsets, "default", ds);
}

async function createDaemonPod(c: TestCluster, ds: DaemonSet, nodeName: string): Promise<Pod> {
  const name = `${ds.metadata?.name ?? ""}-${nodeName}`;
  return c.client.create<Pod>(R.pods, "default", {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, labels: { app: ds.metadata?.name ?? "" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: ds.metadata?.name ?? "", uid: ds.metadata?.uid ?? "", controller: true }] },
    spec: { nodeName, containers: [{ name: "main", image: "x" }] },
  });
}

async function setReady(c: TestCluster, name: string, ready: boolean): Promise<void> {
  const pod = await c.client.get<Pod>(R.pods, "default", name);
  await c.client.updateStatus<Pod>(R.pods, "default", { ...pod, status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False" }] } });
}

const run = (fn: (c: TestCluster) => Promise<void>): Promise<void> =>
  withControlLoop((o) => new NodeReadinessGateController(o), (c) => fn(c));

/** The controller's node writes (update or patch of a node), each preceded once by `meanwhile` (another writer's change). */
interface NodeWrites { writes: number; failed: number }

/** Runs the controller on a client whose first node write is preceded by `meanwhile`, as if it had raced the controller's write. */
function runRacing(meanwhile: (c: TestCluster, name: string) => Promise<void>, fn: (c: TestCluster, w: NodeWrites) => Promise<void>): Promise<void> {
  const w: NodeWrites = { writes: 0, failed: 0 };
  let cluster: TestCluster | undefined;
  const counted = async <T>(name: string, write: () => Promise<T>): Promise<T> => {
    if (w.writes++ === 0 && cluster) await meanwhile(cluster, name);
    return write().catch((error: unknown) => { w.failed++; throw error; });
  };
  return withControlLoop((o) => {
    const client: Client = {
      ...o.client,
      update: (resource, namespace, object, options) => resource.resource === "nodes" ? counted(object.metadata?.name ?? "", () => o.client.update(resource, namespace, object, options)) : o.client.update(resource, namespace, object, options),
      patch: (resource, namespace, name, type, patch, options) => resource.resource === "nodes" ? counted(name, () => o.client.patch(resource, namespace, name, type, patch, options)) : o.client.patch(resource, namespace, name, type, patch, options),
    };
    return new NodeReadinessGateController({ ...o, client });
  }, (c) => { cluster = c; return fn(c, w); });
}

async function heartbeat(c: TestCluster, name: string): Promise<void> {
  const node = await c.client.get<Node>(R.nodes, undefined, name);
  await c.client.updateStatus<Node>(R.nodes, undefined, { ...node, status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady" }] } });
}

async function setTaints(c: TestCluster, name: string, taints: Taint[]): Promise<void> {
  const node = await c.client.get<Node>(R.nodes, undefined, name);
  await c.client.update<Node>(R.nodes, undefined, { ...node, spec: { ...node.spec, taints } });
}

describe("node readiness gate controller", () => {
  test("a node no gating DaemonSet should run on loses the taint, and only that taint", () => run(async (c) => {
    await createGate(c, "cni");
    await createNode(c, "n1", {}, [{ key: "other", value: "x", effect: "NoSchedule" }]);
    await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted");
    const node = await c.client.get<Node>(R.nodes, undefined, "n1");
    assert.deepEqual(node.spec?.taints, [{ key: "other", value: "x", effect: "NoSchedule" }]);
  }));

  test("a gated node keeps the taint until its gating pod is Ready, and is not tainted again", () => run(async (c) => {
    const ds = await createGate(c, "cni");
    await createNode(c, "n1");
    await settle();
    c.clock.advance(1000);
    await settle();
    assert.equal(await tainted(c, "n1"), true);
    const pod = await createDaemonPod(c, ds, "n1");
    await setReady(c, pod.metadata?.name ?? "", false);
    await settle();
    assert.equal(await tainted(c, "n1"), true);
    await setReady(c, pod.metadata?.name ?? "", true);
    await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted once Ready");
    await setReady(c, pod.metadata?.name ?? "", false);
    await settle();
    assert.equal(await tainted(c, "n1"), false);
  }));

  test("every gating DaemonSet that should run on the node counts; others do not", () => run(async (c) => {
    const cni = await createGate(c, "cni");
    const gpu = await createGate(c, "gpu", { gpu: "true" });
    await createNode(c, "plain");
    await createNode(c, "gpu-node", { gpu: "true" });
    await createDaemonPod(c, cni, "plain");
    await createDaemonPod(c, cni, "gpu-node");
    await setReady(c, "cni-plain", true);
    await setReady(c, "cni-gpu-node", true);
    await until(c.clock, async () => !(await tainted(c, "plain")), "plain node lifted");
    assert.equal(await tainted(c, "gpu-node"), true);
    await createDaemonPod(c, gpu, "gpu-node");
    await setReady(c, "gpu-gpu-node", true);
    await until(c.clock, async () => !(await tainted(c, "gpu-node")), "gpu node lifted");
  }));

  test("deleting the gating DaemonSet, or dropping its annotation, releases the nodes it held", () => run(async (c) => {
    await createGate(c, "cni");
    const other = await createGate(c, "csi");
    await createNode(c, "n1");
    await settle();
    assert.equal(await tainted(c, "n1"), true);
    await c.client.delete(R.daemonsets, "default", "cni");
    await settle();
    assert.equal(await tainted(c, "n1"), true);
    await c.client.update<DaemonSet>(R.daemonsets, "default", { ...other, metadata: { ...other.metadata, annotations: {} } });
    await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted");
  }));

  test("a status heartbeat written since the cached node does not hold the release: one write, no retry", () => runRacing(heartbeat, async (c, w) => {
    await createGate(c, "cni");
    await createNode(c, "n1", {}, [{ key: "other", value: "x", effect: "NoSchedule" }]);
    await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted");
    assert.deepEqual(w, { writes: 1, failed: 0 });
    const node = await c.client.get<Node>(R.nodes, undefined, "n1");
    assert.deepEqual(node.spec?.taints, [{ key: "other", value: "x", effect: "NoSchedule" }]);
    assert.equal(node.status?.conditions?.[0]?.reason, "KubeletReady", "the heartbeat's status is kept");
  }));

  test("the last taint lifted leaves the node without taints", () => run(async (c) => {
    await createNode(c, "n1");
    await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted");
    assert.equal((await c.client.get<Node>(R.nodes, undefined, "n1")).spec?.taints, undefined);
  }));

  test("a taint changed since the cached node fails the write, and the node is judged again on its new taints", () => runRacing(
    // The node was judged with `dedicated`, which the gating DaemonSet does not tolerate; without it, the node waits for cni.
    (c, name) => setTaints(c, name, [daemonsNotReadyTaint()]),
    async (c, w) => {
      await createGate(c, "cni");
      await createNode(c, "n1", {}, [{ key: "dedicated", value: "db", effect: "NoSchedule" }]);
      await until(c.clock, () => w.failed > 0, "the write failed");
      c.clock.advance(1000);
      await settle();
      assert.equal(await tainted(c, "n1"), true, "held: cni now should run there and has no Ready pod");
      assert.equal(w.writes, 1);
      const ds = await c.client.get<DaemonSet>(R.daemonsets, "default", "cni");
      const pod = await createDaemonPod(c, ds, "n1");
      await setReady(c, pod.metadata?.name ?? "", true);
      await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted once cni is Ready");
      assert.deepEqual(w, { writes: 2, failed: 1 });
    },
  ));

  test("a taint added since the cached node is kept when the node is released", () => runRacing(
    (c, name) => setTaints(c, name, [daemonsNotReadyTaint(), { key: "added", effect: "PreferNoSchedule" }]),
    async (c, w) => {
      await createNode(c, "n1");
      await until(c.clock, async () => !(await tainted(c, "n1")), "taint lifted");
      assert.deepEqual(w, { writes: 2, failed: 1 });
      assert.deepEqual((await c.client.get<Node>(R.nodes, undefined, "n1")).spec?.taints, [{ key: "added", effect: "PreferNoSchedule" }]);
    },
  ));
});
