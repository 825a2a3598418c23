import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../api/types.js";
import { planManage, planNode, type NodePlanContext } from "./manage-plan.js";
import type { NodeDecision } from "./placement.js";
import { makeNode, makePod } from "./testing/fixtures.js";

const run: NodeDecision = { shouldRun: true, shouldContinueRunning: true };
const keep: NodeDecision = { shouldRun: false, shouldContinueRunning: true };
const evict: NodeDecision = { shouldRun: false, shouldContinueRunning: false };
const ctx: NodePlanContext = { hash: "new", surge: false, minReadySeconds: 0, nowMs: 100_000 };
const surge: NodePlanContext = { ...ctx, surge: true };
const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);

describe("planNode", () => {
  const cases: { name: string; decision: NodeDecision; pods?: Pod[]; ctx?: NodePlanContext; create: boolean; del: string[] }[] = [
    { name: "should run, no pods → create", decision: run, create: true, del: [] },
    { name: "should not run, no pods → nothing", decision: keep, create: false, del: [] },
    { name: "one running pod → nothing", decision: run, pods: [makePod({ name: "a", node: "n" })], create: false, del: [] },
    { name: "only a deleting pod → wait (no create)", decision: run, pods: [makePod({ name: "a", node: "n", deleting: true })], create: false, del: [] },
    { name: "failed pod → delete", decision: run, pods: [makePod({ name: "a", node: "n", phase: "Failed" })], create: false, del: ["a"] },
    { name: "succeeded pod → delete", decision: run, pods: [makePod({ name: "a", node: "n", phase: "Succeeded" })], create: false, del: ["a"] },
    {
      name: "duplicates → keep bound, oldest, by name", decision: run,
      pods: [makePod({ name: "z", target: "n", created: 0 }), makePod({ name: "c", node: "n", created: 2000 }), makePod({ name: "b", node: "n", created: 1000 }), makePod({ name: "a", node: "n", created: 2000 })],
      create: false, del: ["a", "c", "z"],
    },
    { name: "untolerated NoSchedule keeps pods", decision: keep, pods: [makePod({ name: "a", node: "n" })], create: false, del: [] },
    { name: "must not run → delete all but deleting ones", decision: evict, pods: [makePod({ name: "a", node: "n" }), makePod({ name: "b", node: "n", deleting: true })], create: false, del: ["a"] },
    { name: "surge: nothing running but should run → create", decision: run, ctx: surge, pods: [makePod({ name: "a", node: "n", deleting: true })], create: true, del: [] },
    {
      name: "surge: old ready, new not available → keep both", decision: run, ctx: surge,
      pods: [makePod({ name: "old", node: "n", hash: "old", ready: true, created: 0 }), makePod({ name: "new", node: "n", hash: "new", created: 1000 })],
      create: false, del: [],
    },
    {
      name: "surge: old not ready → delete old", decision: run, ctx: surge,
      pods: [makePod({ name: "old", node: "n", hash: "old", created: 0 }), makePod({ name: "new", node: "n", hash: "new", created: 1000 })],
      create: false, del: ["old"],
    },
    {
      name: "surge: new available → delete old", decision: run, ctx: surge,
      pods: [makePod({ name: "old", node: "n", hash: "old", ready: true, created: 0 }), makePod({ name: "new", node: "n", hash: "new", ready: true, created: 1000 })],
      create: false, del: ["old"],
    },
    {
      name: "surge: extra pods of each kind deleted", decision: run, ctx: surge,
      pods: [
        makePod({ name: "old1", node: "n", hash: "old", ready: true, created: 0 }), makePod({ name: "old2", node: "n", hash: "old", created: 10 }),
        makePod({ name: "new1", node: "n", hash: "new", created: 1000 }), makePod({ name: "new2", node: "n", hash: "new", created: 2000 }),
      ],
      create: false, del: ["old2", "new2"],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planNode("n", c.decision, c.pods, c.ctx ?? ctx);
      assert.deepEqual(plan.nodesNeedingPods, c.create ? ["n"] : []);
      assert.deepEqual(names(plan.podsToDelete), c.del);
    });
  }

  test("failed pods go through the gate", () => {
    const seen: string[] = [];
    const plan = planNode("n", run, [makePod({ name: "f", node: "n", phase: "Failed" })], { ...ctx, failedPodGate: (node, pod) => { seen.push(`${node}/${pod.metadata?.name}`); return false; } });
    assert.deepEqual(seen, ["n/f"]);
    assert.deepEqual(plan.podsToDelete, []);
    assert.deepEqual(plan.nodesNeedingPods, []);
  });
});

describe("planManage", () => {
  test("across nodes, with unbound pods of vanished nodes deleted and bound ones left to pod GC", () => {
    const nodes = [makeNode("a"), makeNode("b"), makeNode("c")];
    const decisions: Record<string, NodeDecision> = { a: run, b: run, c: evict };
    const pods = new Map<string, Pod[]>([
      ["b", [makePod({ name: "pb", node: "b" })]],
      ["c", [makePod({ name: "pc", node: "c" })]],
      ["gone", [makePod({ name: "unbound", target: "gone" }), makePod({ name: "bound", node: "gone" })]],
    ]);
    const plan = planManage(nodes, (n) => decisions[n.metadata!.name!]!, pods, ctx);
    assert.deepEqual(plan.nodesNeedingPods, ["a"]);
    assert.deepEqual(names(plan.podsToDelete), ["pc", "unbound"]);
  });
});
