import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet, Node, Taint, Toleration } from "../../api/types.js";
import { DaemonPlacement, nodeShouldRunDaemonPod } from "./placement.js";
import { newDaemonPod } from "./pod-template.js";
import { makeDaemonSet, makeNode } from "./testing/fixtures.js";

function ds(mut: (d: DaemonSet) => void = () => undefined): DaemonSet {
  const d = makeDaemonSet();
  mut(d);
  return d;
}

const spec = (d: DaemonSet) => d.spec!.template.spec!;
const taint = (key: string, effect: string, value?: string): Taint => (value === undefined ? { key, effect } : { key, value, effect });
const tolerate = (...t: Toleration[]) => (d: DaemonSet) => { spec(d).tolerations = t; };

describe("nodeShouldRunDaemonPod", () => {
  const cases: { name: string; node: Node; ds: DaemonSet; want: [boolean, boolean] }[] = [
    { name: "plain node", node: makeNode("a"), ds: ds(), want: [true, true] },
    { name: "template nodeName matches", node: makeNode("a"), ds: ds((d) => { spec(d).nodeName = "a"; }), want: [true, true] },
    { name: "template nodeName differs", node: makeNode("a"), ds: ds((d) => { spec(d).nodeName = "b"; }), want: [false, false] },
    { name: "nodeSelector matches", node: makeNode("a", { color: "blue" }), ds: ds((d) => { spec(d).nodeSelector = { color: "blue" }; }), want: [true, true] },
    { name: "nodeSelector misses", node: makeNode("a", { color: "green" }), ds: ds((d) => { spec(d).nodeSelector = { color: "blue" }; }), want: [false, false] },
    { name: "nodeSelector needs every label", node: makeNode("a", { color: "blue" }), ds: ds((d) => { spec(d).nodeSelector = { color: "blue", size: "xl" }; }), want: [false, false] },
    {
      name: "required affinity terms are ORed", node: makeNode("a", { zone: "z2" }),
      ds: ds((d) => { spec(d).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
        { matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] },
        { matchExpressions: [{ key: "zone", operator: "In", values: ["z2"] }] },
      ] } } }; }),
      want: [true, true],
    },
    {
      name: "required affinity misses", node: makeNode("a", { zone: "z3" }),
      ds: ds((d) => { spec(d).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] }] } } }; }),
      want: [false, false],
    },
    {
      name: "matchFields on metadata.name", node: makeNode("b"),
      ds: ds((d) => { spec(d).affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }] }] } } }; }),
      want: [false, false],
    },
    {
      name: "preferred affinity is ignored", node: makeNode("a"),
      ds: ds((d) => { spec(d).affinity = { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["z1"] }] } }] } }; }),
      want: [true, true],
    },
    { name: "untolerated NoSchedule keeps existing pods", node: makeNode("a", {}, [taint("dedicated", "NoSchedule", "x")]), ds: ds(), want: [false, true] },
    { name: "untolerated NoExecute evicts", node: makeNode("a", {}, [taint("dedicated", "NoExecute", "x")]), ds: ds(), want: [false, false] },
    { name: "PreferNoSchedule ignored", node: makeNode("a", {}, [taint("dedicated", "PreferNoSchedule", "x")]), ds: ds(), want: [true, true] },
    { name: "tolerated NoExecute", node: makeNode("a", {}, [taint("dedicated", "NoExecute", "x")]), ds: ds(tolerate({ key: "dedicated", operator: "Equal", value: "x", effect: "NoExecute" })), want: [true, true] },
    { name: "tolerate-everything toleration", node: makeNode("a", {}, [taint("k", "NoExecute"), taint("j", "NoSchedule")]), ds: ds(tolerate({ operator: "Exists" })), want: [true, true] },
    { name: "cordoned node is tolerated by default", node: makeNode("a", {}, [taint("node.kubernetes.io/unschedulable", "NoSchedule")]), ds: ds(), want: [true, true] },
    { name: "not-ready NoExecute tolerated by default", node: makeNode("a", {}, [taint("node.kubernetes.io/not-ready", "NoExecute")]), ds: ds(), want: [true, true] },
    { name: "unreachable NoExecute tolerated by default", node: makeNode("a", {}, [taint("node.kubernetes.io/unreachable", "NoExecute")]), ds: ds(), want: [true, true] },
    { name: "memory-pressure tolerated by default", node: makeNode("a", {}, [taint("node.kubernetes.io/memory-pressure", "NoSchedule")]), ds: ds(), want: [true, true] },
    { name: "network-unavailable not tolerated without hostNetwork", node: makeNode("a", {}, [taint("node.kubernetes.io/network-unavailable", "NoSchedule")]), ds: ds(), want: [false, true] },
    { name: "network-unavailable tolerated with hostNetwork", node: makeNode("a", {}, [taint("node.kubernetes.io/network-unavailable", "NoSchedule")]), ds: ds((d) => { spec(d).hostNetwork = true; }), want: [true, true] },
    { name: "NoSchedule tolerated, NoExecute not", node: makeNode("a", {}, [taint("a", "NoSchedule"), taint("b", "NoExecute")]), ds: ds(tolerate({ key: "a", operator: "Exists" })), want: [false, false] },
    { name: "selector miss beats taints", node: makeNode("a", {}, [taint("b", "NoSchedule")]), ds: ds((d) => { spec(d).nodeSelector = { x: "y" }; }), want: [false, false] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = nodeShouldRunDaemonPod(c.node, c.ds);
      assert.deepEqual([got.shouldRun, got.shouldContinueRunning], c.want);
      const compiled = new DaemonPlacement(c.ds).decide(c.node);
      assert.deepEqual(compiled, got);
    });
  }
});

describe("node readiness gate", () => {
  const gated = makeNode("a", {}, [{ key: "node.everynode.dev/daemons-not-ready", effect: "NoSchedule" }]);
  test("only gating DaemonSets tolerate the daemons-not-ready taint (and get the toleration on their pods)", () => {
    const gating = ds((d) => { d.metadata = { ...d.metadata, annotations: { "everynode.dev/node-readiness-gate": "true" } }; });
    assert.deepEqual(new DaemonPlacement(gating).decide(gated), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(new DaemonPlacement(ds()).decide(gated), { shouldRun: false, shouldContinueRunning: true });
    const tolerating = ds(tolerate({ operator: "Exists" }));
    assert.deepEqual(new DaemonPlacement(tolerating).decide(gated), { shouldRun: true, shouldContinueRunning: true });
    assert.deepEqual(newDaemonPod(gating, "a", "h", 1).spec?.tolerations?.at(-1), { key: "node.everynode.dev/daemons-not-ready", operator: "Exists", effect: "NoSchedule" });
    assert.equal(newDaemonPod(ds(), "a", "h", 1).spec?.tolerations?.some((t) => t.key === "node.everynode.dev/daemons-not-ready"), false);
  });
});
