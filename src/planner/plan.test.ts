import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Container, DaemonSet, Node, Pod } from "../api/types.js";
import { currentTemplateHash, newRevision } from "../controllers/daemonset/history.js";
import { makeDaemonSet, makeNode, makePod } from "../controllers/daemonset/testing/fixtures.js";
import { parseRolloutControls } from "../api/rollout-controls.js";
import { DaemonPlacement, type NodeDecision } from "../controllers/daemonset/placement.js";
import { planRollingUpdate } from "../controllers/daemonset/rolling-update.js";
import { updatableNodes } from "../controllers/daemonset/rollout-scope.js";
import { groupPodsByNode } from "../controllers/daemonset/sync.js";
import { formatPlan } from "./format.js";
import { assumedStopSeconds } from "./timing.js";
import { planDaemonSet, type PlanInput } from "./plan.js";

const nowMs = Date.parse("2024-05-01T10:00:00Z");
const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${i + 1}`);
const withCapacity = (node: Node, cpu = "2", pods = "110"): Node => ({ ...node, status: { allocatable: { cpu, memory: "4Gi", pods } } });

function live(maxUnavailable = 2): DaemonSet {
  const ds = makeDaemonSet({ name: "agent", uid: "uid-agent", strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable } } });
  return { ...ds, status: { collisionCount: 0, currentNumberScheduled: 5, desiredNumberScheduled: 5, numberMisscheduled: 0, numberReady: 5 } };
}

function withImage(ds: DaemonSet, image: string): DaemonSet {
  const copy = structuredClone(ds);
  const c = copy.spec?.template.spec?.containers[0];
  if (c) c.image = image;
  return copy;
}

/** The live DaemonSet's pods, Ready since a minute, on each named node. */
function podsOf(ds: DaemonSet, nodes: string[]): Pod[] {
  const hash = currentTemplateHash(ds);
  return nodes.map((n) => makePod({ name: `agent-${n}`, node: n, hash, ownerUid: "uid-agent", ready: true, readySince: nowMs - 60_000, created: nowMs - 62_000 }));
}

function input(p: Partial<PlanInput> & Pick<PlanInput, "desired">): PlanInput {
  const l = p.live;
  const nodes = p.nodes ?? names(5).map((n) => withCapacity(makeNode(n)));
  return { nodes, pods: p.pods ?? (l ? podsOf(l, nodes.map((n) => n.metadata?.name ?? "")) : []), nowMs, ...p };
}

function annotated(ds: DaemonSet, annotations: Record<string, string>): DaemonSet {
  const copy = structuredClone(ds);
  copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, ...annotations } };
  return copy;
}

/** The nodes whose pods the DaemonSet controller's rolling update deletes first for `desired` (budget: every node). */
function controllerDeletes(desired: DaemonSet, ds: DaemonSet, pods = podsOf(ds, names(5)), nodes = names(5).map((n) => withCapacity(makeNode(n)))): string[] {
  const placement = new DaemonPlacement(desired);
  const decide = (node: Node): NodeDecision => placement.decide(node);
  const { nodeToPods } = groupPodsByNode(pods);
  const hash = currentTemplateHash(desired);
  const { controls } = parseRolloutControls(desired.metadata?.annotations);
  const updatable = updatableNodes(nodes, decide, nodeToPods, controls, { hash, generation: undefined, labelsOf: (n) => nodes.find((x) => x.metadata?.name === n)?.metadata?.labels });
  const step = planRollingUpdate(nodes, decide, nodeToPods, { hash, generation: undefined, minReadySeconds: 0, nowMs, maxSurge: 0, maxUnavailable: 5, updatable });
  return step.podsToDelete.map((p) => p.spec?.nodeName ?? "").sort();
}

describe("planDaemonSet", () => {
  test("a no-op change leaves every node unchanged, without waves", () => {
    const ds = live();
    const { plan } = planDaemonSet(input({ desired: ds, live: ds }));
    assert.deepEqual(plan.revision, { current: currentTemplateHash(ds), new: currentTemplateHash(ds), changed: false });
    assert.deepEqual(plan.nodes, { create: [], delete: [], replace: [], unchanged: names(5), blocked: [], heldBack: [] });
    assert.deepEqual(plan.waves, []);
    assert.equal(plan.estimatedSeconds, 0);
    assert.equal(plan.daemonSet, "default/agent");
  });

  test("an image change replaces every pod in maxUnavailable waves, timed from the pods' start-up", () => {
    const ds = live(2);
    const result = planDaemonSet(input({ desired: withImage(ds, "agent:2"), live: ds }));
    const { plan } = result;
    assert.equal(plan.revision.changed, true);
    assert.notEqual(plan.revision.new, plan.revision.current);
    assert.deepEqual(plan.nodes.replace, names(5));
    assert.deepEqual(plan.waves, [["node-1", "node-2"], ["node-3", "node-4"], ["node-5"]]);
    assert.equal(plan.estimatedSeconds, 3 * (2 + assumedStopSeconds), "3 in-place waves: old pods stop, then the observed 2 s from creation to Ready");
    assert.equal(result.timing.worstCaseSeconds, 3 * (2 + 30), "old pods taking their whole (default) grace period");
    assert.match(formatPlan(result), /^estimated duration: ~9s over 3 wave\(s\) \(creation to Ready observed over 5 pod\(s\), median 2s; a wave waits for its slowest pod\)\n {2}old pods are assumed to stop within 1s; up to ~96s if they take their whole 30s grace period$/m);
    assert.match(formatPlan(result), /^waves \(maxUnavailable 2\): 3$/m);
  });

  test("a template equal to an older revision takes that revision's hash (a rollback)", () => {
    const ds = live();
    const old = withImage(ds, "agent:0");
    const rev = newRevision(old, "oldhash", 1);
    const { plan } = planDaemonSet(input({ desired: old, live: ds, revisions: [rev] }));
    assert.equal(plan.revision.new, "oldhash");
  });

  test("blocked nodes name the reason: untolerated taint, selector, resources, host port", () => {
    const desired = makeDaemonSet({ name: "agent" });
    const spec = desired.spec?.template.spec;
    assert.ok(spec);
    spec.containers[0] = { name: "main", image: "a", resources: { requests: { cpu: "500m" } }, ports: [{ containerPort: 80, hostPort: 8080 }] };
    spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "pool", operator: "NotIn", values: ["gpu"] }] }] } } };
    const nodes = [
      withCapacity(makeNode("ok")),
      withCapacity(makeNode("tainted", {}, [{ key: "dedicated", value: "db", effect: "NoSchedule" }])),
      withCapacity(makeNode("gpu", { pool: "gpu" })),
      withCapacity(makeNode("full"), "1"),
      withCapacity(makeNode("port")),
    ];
    const other = (name: string, node: string, extra: Partial<Container>): Pod => ({ metadata: { name, namespace: "x", uid: name }, spec: { nodeName: node, containers: [{ name: "c", image: "i", ...extra }] }, status: { phase: "Running" } } as Pod);
    const pods = [
      other("hog", "full", { resources: { requests: { cpu: "800m" } } }),
      other("web", "port", { ports: [{ containerPort: 80, hostPort: 8080 }] }),
    ];
    const { plan } = planDaemonSet({ desired, nodes, pods, nowMs });
    assert.equal(plan.revision.current, null);
    assert.deepEqual(plan.nodes.create, ["full", "ok", "port"]);
    assert.deepEqual(plan.nodes.blocked, [
      { node: "full", reason: "Insufficient cpu" },
      { node: "gpu", reason: "node(s) didn't match Pod's node affinity/selector" },
      { node: "port", reason: "node(s) didn't have free ports for the requested pod ports" },
      { node: "tainted", reason: "node(s) had untolerated taint {dedicated: db}" },
    ]);
    assert.deepEqual(plan.waves, [["full", "ok", "port"]]);
  });

  test("a pod on a node it may no longer run on is deleted (NoSchedule taint while rolling out, NoExecute, selector)", () => {
    const ds = live();
    const nodes = [
      withCapacity(makeNode("node-1")),
      withCapacity(makeNode("node-2", {}, [{ key: "dedicated", value: "db", effect: "NoSchedule" }])),
      withCapacity(makeNode("node-3", {}, [{ key: "dedicated", value: "db", effect: "NoExecute" }])),
    ];
    const noop = planDaemonSet(input({ desired: ds, live: ds, nodes })).plan;
    assert.deepEqual([noop.nodes.unchanged, noop.nodes.delete], [["node-1", "node-2"], ["node-3"]], "a NoSchedule taint alone keeps the current pod");
    const change = planDaemonSet(input({ desired: withImage(ds, "agent:2"), live: ds, nodes })).plan;
    assert.deepEqual([change.nodes.replace, change.nodes.delete], [["node-1"], ["node-2", "node-3"]]);
    assert.deepEqual(change.nodes.blocked.map((b) => b.node), ["node-2", "node-3"]);
  });

  test("OnDelete and held-back nodes keep their pods (unchanged), out of the waves", () => {
    const ds = live();
    const onDelete = withImage(ds, "agent:2");
    if (onDelete.spec) onDelete.spec.updateStrategy = { type: "OnDelete" };
    const od = planDaemonSet(input({ desired: onDelete, live: ds }));
    assert.deepEqual([od.plan.nodes.replace, od.plan.nodes.unchanged, od.plan.waves], [[], names(5), []]);
    assert.deepEqual(od.plan.nodes.heldBack.map((h) => h.node), names(5));
    assert.match(od.plan.nodes.heldBack[0]?.reason ?? "", /OnDelete/);
    const paused = withImage(ds, "agent:2");
    paused.metadata = { ...paused.metadata, annotations: { "rollout.everynode.dev/paused": "true" } };
    const withNewNode = [...names(5), "node-6"].map((n) => withCapacity(makeNode(n)));
    const held = planDaemonSet(input({ desired: paused, live: ds, nodes: withNewNode, pods: podsOf(ds, names(5)) }));
    assert.deepEqual([held.plan.nodes.create, held.plan.nodes.replace, held.plan.waves], [["node-6"], [], [["node-6"]]], "paused: new nodes still get a pod");
    assert.deepEqual(held.plan.nodes.heldBack.map((h) => h.node), names(5));
    assert.match(formatPlan(held), /^rollout paused \(rollout\.everynode\.dev\/paused "true"\): no pod is replaced/m);
    assert.match(formatPlan(held), /^ {2}held back: node-1, node-2, node-3, node-4, node-5: rollout\.everynode\.dev\/paused is "true"/m);
  });

  test("partition: the controller's own choice of nodes keeps the old revision, and the plan names the annotation", () => {
    const ds = live(2);
    const desired = annotated(withImage(ds, "agent:2"), { "rollout.everynode.dev/partition": "3" });
    const { plan } = planDaemonSet(input({ desired, live: ds }));
    assert.deepEqual(plan.nodes.replace, ["node-4", "node-5"]);
    assert.deepEqual(plan.waves, [["node-4", "node-5"]]);
    assert.deepEqual(plan.nodes.unchanged, ["node-1", "node-2", "node-3"]);
    assert.deepEqual(plan.nodes.heldBack, ["node-1", "node-2", "node-3"].map((node) => ({ node, reason: `kept on the old revision by rollout.everynode.dev/partition "3"` })));
    // The DaemonSet controller, given the same cluster, deletes exactly the old pods of the planned nodes.
    assert.deepEqual(controllerDeletes(desired, ds), ["node-4", "node-5"]);
  });

  test("partition counts nodes already updated, as the controller does; partition ≥ nodes holds every node", () => {
    const ds = live(5);
    const desired = annotated(withImage(ds, "agent:2"), { "rollout.everynode.dev/partition": "3" });
    const pods = [...podsOf(ds, names(4)), ...podsOf(desired, ["node-5"])];
    const { plan } = planDaemonSet(input({ desired, live: ds, pods }));
    assert.deepEqual([plan.nodes.replace, plan.waves], [["node-4"], [["node-4"]]]);
    assert.deepEqual(controllerDeletes(desired, ds, pods), ["node-4"]);
    const all = planDaemonSet(input({ desired: annotated(desired, { "rollout.everynode.dev/partition": "9" }), live: ds })).plan;
    assert.deepEqual([all.nodes.replace, all.waves, all.nodes.heldBack.length], [[], [], 5]);
  });

  test("selector: only matching nodes are replaced; the others are held back naming the selector", () => {
    const ds = live(5);
    const nodes = names(5).map((n, i) => withCapacity(makeNode(n, { zone: i % 2 === 0 ? "a" : "b" })));
    const desired = annotated(withImage(ds, "agent:2"), { "rollout.everynode.dev/selector": "zone=b" });
    const result = planDaemonSet(input({ desired, live: ds, nodes }));
    assert.deepEqual([result.plan.nodes.replace, result.plan.waves], [["node-2", "node-4"], [["node-2", "node-4"]]]);
    assert.deepEqual(result.plan.nodes.heldBack.map((h) => h.node), ["node-1", "node-3", "node-5"]);
    assert.match(formatPlan(result), /^ {2}held back: node-1, node-3, node-5: not matched by rollout\.everynode\.dev\/selector "zone=b"$/m);
    assert.deepEqual(controllerDeletes(desired, ds, undefined, nodes), ["node-2", "node-4"]);
  });

  test("surging paces the waves by maxSurge", () => {
    const ds = live();
    if (ds.spec) ds.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } };
    const { plan } = planDaemonSet(input({ desired: withImage(ds, "agent:2"), live: ds }));
    assert.deepEqual(plan.waves, [["node-1", "node-2"], ["node-3", "node-4"], ["node-5"]]);
    assert.equal(plan.estimatedSeconds, 3 * 2, "surging, no wave waits for old pods to stop");
  });
});
