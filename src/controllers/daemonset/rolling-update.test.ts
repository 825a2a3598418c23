import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { allowsSurge, findUpdatedPodsOnNode, planRollingUpdate, rollingUpdateLimits, type RollingUpdateContext } from "./rolling-update.js";
import { makeDaemonSet, makeNode, makePod } from "./testing/fixtures.js";

const run: NodeDecision = { shouldRun: true, shouldContinueRunning: true };
const off: NodeDecision = { shouldRun: false, shouldContinueRunning: false };
const old = (node: string, ready = true) => makePod({ name: `old-${node}`, node, hash: "h1", ready, readySince: 0 });
const cur = (node: string, ready = true) => makePod({ name: `new-${node}`, node, hash: "h2", ready, readySince: 0 });

describe("limits", () => {
  const cases = [
    { name: "defaults (int 1)", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, desired: 10, want: { maxSurge: 0, maxUnavailable: 1 } },
    { name: "percent rounds up", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } }, desired: 10, want: { maxSurge: 0, maxUnavailable: 3 } },
    { name: "surge percent", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "20%" } }, desired: 3, want: { maxSurge: 1, maxUnavailable: 0 } },
    { name: "both zero → unavailable 1", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } }, desired: 3, want: { maxSurge: 0, maxUnavailable: 1 } },
    { name: "both zero without nodes", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } }, desired: 0, want: { maxSurge: 0, maxUnavailable: 0 } },
    { name: "OnDelete", strategy: { type: "OnDelete" }, desired: 3, want: { maxSurge: 0, maxUnavailable: 1 } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(rollingUpdateLimits(makeDaemonSet({ strategy: c.strategy }), c.desired), c.want));
  test("allowsSurge", () => {
    assert.equal(allowsSurge(makeDaemonSet({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "1%" } } })), true);
    assert.equal(allowsSurge(makeDaemonSet({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } })), false);
    assert.equal(allowsSurge(makeDaemonSet({ strategy: { type: "OnDelete", rollingUpdate: { maxSurge: 1 } } })), false);
  });
});

describe("findUpdatedPodsOnNode", () => {
  test("one of each, deleting ignored, two of a kind not ok", () => {
    const r = findUpdatedPodsOnNode([old("a"), cur("a"), makePod({ name: "x", node: "a", hash: "h2", deleting: true })], "h2", undefined);
    assert.equal(r.ok, true);
    assert.equal(r.newPod?.metadata?.name, "new-a");
    assert.equal(r.oldPod?.metadata?.name, "old-a");
    assert.equal(findUpdatedPodsOnNode([old("a"), old("a")], "h2", undefined).ok, false);
  });
});

function plan(pods: Record<string, Pod[]>, decisions: Record<string, NodeDecision>, ctx: Partial<RollingUpdateContext>) {
  const nodes = Object.keys(decisions).map((n) => makeNode(n));
  const full: RollingUpdateContext = { hash: "h2", generation: undefined, minReadySeconds: 0, nowMs: 1_000_000, maxSurge: 0, maxUnavailable: 1, ...ctx };
  const p = planRollingUpdate(nodes, (n) => decisions[n.metadata!.name!]!, new Map(Object.entries(pods)), full);
  return { del: p.podsToDelete.map((x) => x.metadata?.name), create: p.nodesToCreate };
}

describe("planRollingUpdate without surge", () => {
  const all = { a: run, b: run, c: run, d: run };
  const cases: { name: string; pods: Record<string, Pod[]>; max: number; del: string[] }[] = [
    { name: "all old available, budget 1", pods: { a: [old("a")], b: [old("b")], c: [old("c")], d: [old("d")] }, max: 1, del: ["old-a"] },
    { name: "all old available, budget 2", pods: { a: [old("a")], b: [old("b")], c: [old("c")], d: [old("d")] }, max: 2, del: ["old-a", "old-b"] },
    { name: "a new pod not available uses the budget", pods: { a: [cur("a", false)], b: [old("b")], c: [old("c")], d: [old("d")] }, max: 1, del: [] },
    { name: "node without pods uses the budget", pods: { b: [old("b")], c: [old("c")], d: [old("d")] }, max: 1, del: [] },
    { name: "unavailable old pods are always replaced", pods: { a: [old("a", false)], b: [old("b", false)], c: [old("c")], d: [old("d")] }, max: 1, del: ["old-a", "old-b"] },
    { name: "old+new on a node counts unavailable", pods: { a: [old("a"), cur("a")], b: [old("b")], c: [old("c")], d: [old("d")] }, max: 2, del: ["old-b"] },
    { name: "done", pods: { a: [cur("a")], b: [cur("b")], c: [cur("c")], d: [cur("d")] }, max: 1, del: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(plan(c.pods, all, { maxUnavailable: c.max }), { del: c.del, create: [] }));
  test("minReadySeconds: a recently ready new pod is unavailable", () => {
    const fresh = makePod({ name: "new-a", node: "a", hash: "h2", ready: true, readySince: 999_000 });
    assert.deepEqual(plan({ a: [fresh], b: [old("b")] }, { a: run, b: run }, { minReadySeconds: 10 }), { del: [], create: [] });
  });
});

describe("planRollingUpdate with surge", () => {
  const all = { a: run, b: run, c: run };
  const cases: { name: string; pods: Record<string, Pod[]>; decisions?: Record<string, NodeDecision>; surge: number; del: string[]; create: string[] }[] = [
    { name: "surge budget 1", pods: { a: [old("a")], b: [old("b")], c: [old("c")] }, surge: 1, del: [], create: ["a"] },
    { name: "surge budget 2", pods: { a: [old("a")], b: [old("b")], c: [old("c")] }, surge: 2, del: [], create: ["a", "b"] },
    { name: "unavailable old pods get a new pod at once", pods: { a: [old("a", false)], b: [old("b", false)], c: [old("c")] }, surge: 1, del: [], create: ["a", "b", "c"] },
    { name: "surged node waiting for availability uses budget", pods: { a: [old("a"), cur("a", false)], b: [old("b")], c: [old("c")] }, surge: 1, del: [], create: [] },
    { name: "new available → old deleted", pods: { a: [old("a"), cur("a")], b: [old("b")], c: [old("c")] }, surge: 1, del: ["old-a"], create: ["b"] },
    {
      name: "old unavailable on a node that should not run → deleted", pods: { a: [old("a", false)], b: [cur("b")], c: [cur("c")] },
      decisions: { a: off, b: run, c: run }, surge: 1, del: ["old-a"], create: [],
    },
    {
      name: "old available on a node that should not run: kept while availability is not above desired", pods: { a: [old("a")], b: [cur("b")], c: [cur("c", false)] },
      decisions: { a: off, b: run, c: run }, surge: 1, del: [], create: [],
    },
    {
      name: "old available on a node that should not run: deleted once availability exceeds desired", pods: { a: [old("a")], b: [cur("b")], c: [cur("c")] },
      decisions: { a: off, b: run, c: run }, surge: 1, del: ["old-a"], create: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(plan(c.pods, c.decisions ?? all, { maxSurge: c.surge, maxUnavailable: 0 }), { del: c.del, create: c.create }));
  }
});

describe("planRollingUpdate with rollout controls", () => {
  const all = { a: run, b: run, c: run, d: run };
  const pods = { a: [old("a")], b: [old("b", false)], c: [old("c")], d: [old("d")] };
  test("held nodes are never replaced; an unavailable held pod still uses the budget", () => {
    assert.deepEqual(plan(pods, all, { maxUnavailable: 2, updatable: new Set(["c", "d"]) }), { del: ["old-c"], create: [] });
    assert.deepEqual(plan(pods, all, { maxUnavailable: 2, updatable: new Set(["b", "d"]) }), { del: ["old-b", "old-d"], create: [] });
    assert.deepEqual(plan(pods, all, { maxUnavailable: 4, updatable: new Set() }), { del: [], create: [] });
  });
  test("with surge, held nodes get no new pod", () => {
    assert.deepEqual(plan(pods, all, { maxSurge: 4, maxUnavailable: 0, updatable: new Set(["a"]) }), { del: [], create: ["a"] });
  });
});

describe("planRollingUpdate with pods on nodes that are not listed", () => {
  test("an old pod of a vanished node counts as on a node that should not run", () => {
    // Without surge it is an ordinary candidate; with surge it goes once availability exceeds the desired count.
    assert.deepEqual(plan({ a: [cur("a")], gone: [old("gone")] }, { a: run }, { maxUnavailable: 1 }), { del: ["old-gone"], create: [] });
    assert.deepEqual(plan({ a: [cur("a")], gone: [old("gone")] }, { a: run }, { maxSurge: 1, maxUnavailable: 0 }), { del: ["old-gone"], create: [] });
    assert.deepEqual(plan({ a: [cur("a", false)], gone: [old("gone")] }, { a: run }, { maxSurge: 1, maxUnavailable: 0 }), { del: [], create: [] });
  });
});
