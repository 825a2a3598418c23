import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { computeStatusCounts, statusNeedsUpdate, statusWithCounts, type DaemonSetCounts } from "./status.js";
import { makeDaemonSet, makeNode, makePod } from "./testing/fixtures.js";

const run: NodeDecision = { shouldRun: true, shouldContinueRunning: true };
const no: NodeDecision = { shouldRun: false, shouldContinueRunning: true };

describe("computeStatusCounts", () => {
  const nodes = ["a", "b", "c", "d", "e"].map((n) => makeNode(n));
  const decisions: Record<string, NodeDecision> = { a: run, b: run, c: run, d: run, e: no };
  const pods = new Map<string, Pod[]>([
    // a: ready long ago, current hash → ready, available, updated
    ["a", [makePod({ name: "a1", node: "a", hash: "h2", ready: true, readySince: 0 })]],
    // b: first pod (oldest bound) is old and ready only recently; a younger new pod is ignored
    ["b", [makePod({ name: "b2", node: "b", hash: "h2", ready: true, created: 5000 }), makePod({ name: "b1", node: "b", hash: "h1", ready: true, readySince: 95_000, created: 1000 })]],
    // c: not ready, matched by template generation
    ["c", [makePod({ name: "c1", node: "c", labels: { "pod-template-generation": "2" } })]],
    // d: no pods; e: misscheduled
    ["e", [makePod({ name: "e1", node: "e", hash: "h2", ready: true })]],
  ]);
  const counts = computeStatusCounts(nodes, (n) => decisions[n.metadata!.name!]!, pods, { hash: "h2", generation: 2, minReadySeconds: 10, nowMs: 100_000 });
  test("counters", () => {
    assert.deepEqual(counts, {
      desiredNumberScheduled: 4, currentNumberScheduled: 3, numberMisscheduled: 1, numberReady: 2,
      updatedNumberScheduled: 2, numberAvailable: 1, numberUnavailable: 3,
    });
  });
});

describe("status writes", () => {
  const counts: DaemonSetCounts = { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 0 };
  test("needs update when a counter differs or observedGeneration lags", () => {
    const ds = { ...makeDaemonSet({ generation: 3 }), status: statusWithCounts(undefined, counts, 3) };
    assert.equal(statusNeedsUpdate(ds, counts), false);
    assert.equal(statusNeedsUpdate(ds, { ...counts, numberReady: 1 }), true);
    const newer = { ...ds, metadata: { ...ds.metadata, generation: 4 } };
    assert.equal(statusNeedsUpdate(newer, counts), true);
  });
  test("zero optional fields omitted, always-present ones kept, conditions and collisionCount kept", () => {
    const zero: DaemonSetCounts = { desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0 };
    const prev = { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, numberAvailable: 1, observedGeneration: 2, collisionCount: 1, conditions: [{ type: "X", status: "True" }] };
    const out = statusWithCounts(prev, zero);
    assert.deepEqual(out, { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: 2, collisionCount: 1, conditions: [{ type: "X", status: "True" }] });
    assert.equal(statusWithCounts(prev, zero, 5).observedGeneration, 5);
  });
});
