import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { daemonsNotReadyTaint, hasDaemonsNotReadyTaint, nodeReadinessGateAnnotation } from "../../api/readiness-gate.js";
import type { DaemonSet, Node, Pod, Taint } from "../../api/types.js";
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
});
