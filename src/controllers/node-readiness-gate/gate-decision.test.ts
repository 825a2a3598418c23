import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { daemonsNotReadyTaint, nodeReadinessGateAnnotation } from "../../api/readiness-gate.js";
import type { DaemonSet, Node, Pod } from "../../api/types.js";
import { makeDaemonSet, makeNode, makePod } from "../daemonset/testing/fixtures.js";
import { gatingDaemonSets, pendingGates, withoutConditionTaints } from "./gate-decision.js";

const gate = (name: string, f: Parameters<typeof makeDaemonSet>[0] = {}): DaemonSet => {
  const ds = makeDaemonSet({ name, uid: `uid-${name}`, ...f });
  ds.metadata = { ...ds.metadata, annotations: { [nodeReadinessGateAnnotation]: "true" } };
  return ds;
};
const gatedNode = (labels: Record<string, string> = {}, extra: Node["spec"] = {}): Node =>
  makeNode("n1", labels, [daemonsNotReadyTaint(), ...(extra?.taints ?? [])]);
const readyPod = (owner: string, ready = true): Pod => makePod({ name: `${owner}-x`, node: "n1", ownerUid: `uid-${owner}`, ready, phase: "Running" });
const names = (sets: DaemonSet[]): string[] => sets.map((d) => d.metadata?.name ?? "");

describe("pendingGates", () => {
  test("no gating DaemonSet: nothing holds the node", () => {
    assert.deepEqual(pendingGates(gatedNode(), gatingDaemonSets([makeDaemonSet()]), []), []);
  });

  test("a gating DaemonSet holds the node until its pod there is Ready", () => {
    const g = gatingDaemonSets([gate("cni"), gate("csi")]);
    assert.deepEqual(names(pendingGates(gatedNode(), g, [])), ["cni", "csi"]);
    assert.deepEqual(names(pendingGates(gatedNode(), g, [readyPod("cni"), readyPod("csi", false)])), ["csi"]);
    assert.deepEqual(pendingGates(gatedNode(), g, [readyPod("cni"), readyPod("csi")]), []);
  });

  test("a Ready pod being deleted does not count", () => {
    const pod = readyPod("cni");
    pod.metadata = { ...pod.metadata, deletionTimestamp: "2024-05-01T10:00:00Z" };
    assert.deepEqual(names(pendingGates(gatedNode(), gatingDaemonSets([gate("cni")]), [pod])), ["cni"]);
  });

  test("gating DaemonSets that should not run on the node do not hold it (selector, untolerated taint)", () => {
    const g = gatingDaemonSets([gate("gpu", { nodeSelector: { gpu: "true" } })]);
    assert.deepEqual(pendingGates(gatedNode(), g, []), []);
    assert.deepEqual(names(pendingGates(gatedNode({ gpu: "true" }), g, [])), ["gpu"]);
    const dedicated = gatedNode({}, { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] });
    assert.deepEqual(pendingGates(dedicated, gatingDaemonSets([gate("cni")]), []), []);
  });

  test("condition taints (not-ready at registration) do not release the node", () => {
    const node = gatedNode({}, { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] });
    assert.deepEqual(names(pendingGates(node, gatingDaemonSets([gate("cni")]), [])), ["cni"]);
    assert.deepEqual(withoutConditionTaints(node).spec?.taints, [daemonsNotReadyTaint()]);
  });

  test("DaemonSets being deleted or without the annotation value true do not gate", () => {
    const deleting = gate("old");
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: "2024-05-01T10:00:00Z" };
    const off = gate("off");
    off.metadata = { ...off.metadata, annotations: { [nodeReadinessGateAnnotation]: "false" } };
    assert.deepEqual(gatingDaemonSets([deleting, off]), []);
  });
});
