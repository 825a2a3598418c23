import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { stuckNodes, summarizeStuckNodes } from "./stuck-nodes.js";
import { makeNode, makePod } from "./testing/fixtures.js";

const run: NodeDecision = { shouldRun: true, shouldContinueRunning: true };

function withContainer(pod: Pod, state: NonNullable<NonNullable<Pod["status"]>["containerStatuses"]>[number]["state"]): Pod {
  return { ...pod, status: { ...(pod.status ?? {}), phase: "Running", containerStatuses: [{ name: "c", image: "x", imageID: "", ready: false, restartCount: 0, state }] } };
}

describe("stuckNodes", () => {
  const nodes = ["n1", "n2", "n3", "n4", "n5", "n6"].map((n) => makeNode(n));
  const notReady: Node = { ...makeNode("n5"), status: { conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown" }] } };
  const unschedulable: Pod = {
    ...makePod({ name: "p3", target: "n3", hash: "h2", ready: false }),
    status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/6 nodes are available: 1 Insufficient cpu." }] },
  };
  const pods = new Map<string, Pod[]>([
    ["n1", [makePod({ name: "p1", node: "n1", hash: "h2", ready: true, readySince: 0 })]],
    ["n2", [withContainer(makePod({ name: "p2", node: "n2", hash: "h2", ready: false }), { waiting: { reason: "CrashLoopBackOff" } })]],
    ["n3", [unschedulable]],
    ["n4", [makePod({ name: "p4", node: "n4", hash: "h1", ready: true, readySince: 0 })]],
    ["n5", [makePod({ name: "p5", node: "n5", hash: "h2", ready: false })]],
  ]);
  const ctx = { hash: "h2", generation: undefined, minReadySeconds: 0, nowMs: 1_000_000, nodeOf: (n: string) => (n === "n5" ? notReady : makeNode(n)) };

  test("names each node the rollout waits on with the first reason found", () => {
    assert.deepEqual(stuckNodes(nodes, () => run, pods, ctx), [
      { node: "n2", reason: "pod p2 not Ready: container c waiting: CrashLoopBackOff" },
      { node: "n3", reason: "pod p3 Unschedulable: 0/6 nodes are available: 1 Insufficient cpu." },
      { node: "n5", reason: "node NotReady (NodeStatusUnknown)" },
      { node: "n6", reason: "no daemon pod" },
    ]);
  });
  test("old pods waiting their turn are listed only when asked; nodes outside the scope never", () => {
    const listed = stuckNodes(nodes, () => run, pods, { ...ctx, includeWaiting: true, updatable: new Set(["n1", "n4"]) });
    assert.deepEqual(listed, [{ node: "n4", reason: "pod p4 of an old revision waits to be replaced" }]);
  });
  test("a running container that is not Ready, and the summary naming at most three", () => {
    const p = withContainer(makePod({ name: "p", node: "n1", hash: "h2", ready: false }), { running: { startedAt: "2024-01-01T00:00:00Z" } });
    const stuck = stuckNodes([makeNode("n1")], () => run, new Map([["n1", [p]]]), ctx);
    assert.deepEqual(stuck, [{ node: "n1", reason: "pod p not Ready: container c running, not Ready" }]);
    const many = ["a", "b", "c", "d", "e"].map((node) => ({ node, reason: "why" }));
    assert.equal(summarizeStuckNodes(many), "5 nodes stuck: a (why), b (why), c (why) and 2 more");
    assert.equal(summarizeStuckNodes(many.slice(0, 1)), "1 node stuck: a (why)");
    assert.equal(summarizeStuckNodes([]), "");
  });
});
