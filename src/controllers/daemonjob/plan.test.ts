import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonJob, DaemonJobSpec, Node, Pod } from "../../api/types.js";
import { DaemonPlacement } from "../daemonset/placement.js";
import { makeNode } from "../daemonset/testing/fixtures.js";
import { nodeState, nodeStates, retryBackoffMs } from "./node-states.js";
import { newDaemonJobPod } from "./pod-template.js";
import { metaTime, parallelismLimit, planDaemonJob } from "./plan.js";

const t0 = Date.parse("2024-05-01T10:00:00Z");

function dj(spec: Partial<DaemonJobSpec> = {}, status: DaemonJob["status"] = {}): DaemonJob {
  return {
    apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob",
    metadata: { name: "scan", namespace: "default", uid: "u1", generation: 1 },
    spec: { backoffLimitPerNode: 6, runOnNewNodes: false, template: { spec: { restartPolicy: "Never", containers: [{ name: "t", image: "busybox" }] } }, ...spec },
    status,
  };
}

function node(name: string, createdMs = t0 - 60_000, taints: Node["spec"] = {}): Node {
  const n = makeNode(name);
  n.metadata = { ...n.metadata, creationTimestamp: metaTime(createdMs) };
  n.spec = taints;
  return n;
}

function pod(owner: DaemonJob, nodeName: string, phase: string, extra: { finishedMs?: number; restarts?: number } = {}): Pod {
  const p = newDaemonJobPod(owner, nodeName);
  const status: NonNullable<Pod["status"]> = { phase };
  if (extra.finishedMs !== undefined) status.containerStatuses = [{ name: "t", image: "busybox", imageID: "", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, finishedAt: metaTime(extra.finishedMs) } } }];
  if (extra.restarts !== undefined) status.containerStatuses = [{ name: "t", image: "busybox", imageID: "", ready: true, restartCount: extra.restarts, state: { running: {} } }];
  return { ...p, metadata: { ...p.metadata, name: `${nodeName}-${phase}` }, status };
}

const open = { startMs: t0, closed: false };

describe("DaemonJob node states", () => {
  test("covers eligible nodes that existed at the start; new ones only with runOnNewNodes; tainted ones never", () => {
    const nodes = [node("a"), node("b", t0 + 5000), node("c", t0 - 1000, { taints: [{ key: "gpu", effect: "NoSchedule" }] })];
    assert.deepEqual(nodeStates(dj(), nodes, [], new DaemonPlacement(dj()), open).map((s) => s.node), ["a"]);
    const onNew = dj({ runOnNewNodes: true });
    assert.deepEqual(nodeStates(onNew, nodes, [], new DaemonPlacement(onNew), open).map((s) => s.node), ["a", "b"]);
    const closedWithPod = nodeStates(dj(), nodes, [pod(dj(), "b", "Running")], new DaemonPlacement(dj()), { startMs: t0, closed: true });
    assert.deepEqual(closedWithPod.map((s) => [s.node, s.phase]), [["b", "active"]]);
  });

  test("a node succeeds once, fails after more than backoffLimitPerNode failures, and waits its back-off in between", () => {
    const owner = dj();
    assert.equal(nodeState("a", [pod(owner, "a", "Failed"), pod(owner, "a", "Succeeded")], 1).phase, "succeeded");
    const once = nodeState("a", [pod(owner, "a", "Failed", { finishedMs: t0 })], 1);
    assert.deepEqual([once.phase, once.failures, once.retryAtMs], ["pending", 1, t0 + 10_000]);
    const twice = nodeState("a", [pod(owner, "a", "Failed", { finishedMs: t0 }), pod(owner, "a", "Failed", { finishedMs: t0 + 11_000 })], 1);
    assert.deepEqual([twice.phase, twice.failures], ["failed", 2]);
    const onFailure = pod(owner, "a", "Running", { restarts: 2 });
    if (onFailure.spec) onFailure.spec.restartPolicy = "OnFailure";
    const restarted = nodeState("a", [onFailure], 1);
    assert.deepEqual([restarted.phase, restarted.running.length], ["failed", 1]);
    assert.deepEqual([10, 20, 40, 80, 160, 320, 360, 360].map((s) => s * 1000), [1, 2, 3, 4, 5, 6, 7, 30].map(retryBackoffMs));
  });
});

describe("DaemonJob plan", () => {
  test("parallelism: a count or a percentage of the covered nodes, rounded up; default all", () => {
    assert.equal(parallelismLimit(dj(), 5), 5);
    assert.equal(parallelismLimit(dj({ parallelism: 2 }), 5), 2);
    assert.equal(parallelismLimit(dj({ parallelism: "30%" }), 5), 2);
    const owner = dj({ parallelism: 2 });
    const states = nodeStates(owner, ["a", "b", "c", "d"].map((n) => node(n)), [pod(owner, "a", "Running")], new DaemonPlacement(owner), open);
    const plan = planDaemonJob(owner, states, t0, 250);
    assert.deepEqual(plan.create, ["b"]);
    assert.deepEqual({ desired: plan.status.desired, active: plan.status.active, startTime: plan.status.startTime }, { desired: 4, active: 2, startTime: "2024-05-01T10:00:00Z" });
    assert.equal(plan.status.conditions, undefined);
  });

  test("4 succeeded and 1 failed: Failed (FailedNodes) naming the node, no completionTime; all succeeded: Complete", () => {
    const owner = dj({ backoffLimitPerNode: 0 }, { startTime: metaTime(t0) });
    const pods = ["a", "b", "c", "d"].map((n) => pod(owner, n, "Succeeded")).concat(pod(owner, "e", "Failed", { finishedMs: t0 }));
    const states = nodeStates(owner, ["a", "b", "c", "d", "e"].map((n) => node(n)), pods, new DaemonPlacement(owner), open);
    const plan = planDaemonJob(owner, states, t0 + 30_000, 250);
    assert.deepEqual(plan.create, []);
    assert.deepEqual([plan.status.desired, plan.status.active, plan.status.succeeded, plan.status.failed], [5, 0, 4, 1]);
    assert.deepEqual(plan.status.conditions, [{ type: "Failed", status: "True", reason: "FailedNodes", message: "DaemonJob failed on 1 of 5 nodes: e", lastProbeTime: "2024-05-01T10:00:30Z", lastTransitionTime: "2024-05-01T10:00:30Z" }]);
    assert.equal(plan.status.completionTime, undefined);
    assert.deepEqual(plan.transitions.map((c) => c.type), ["Failed"]);

    const good = nodeStates(owner, ["a", "b"].map((n) => node(n)), pods.slice(0, 2), new DaemonPlacement(owner), open);
    const done = planDaemonJob(owner, good, t0 + 30_000, 250);
    assert.deepEqual(done.status.conditions?.map((c) => [c.type, c.status, c.reason]), [["Complete", "True", "CompletionsReached"]]);
    assert.equal(done.status.completionTime, "2024-05-01T10:00:30Z");
  });

  test("a node joining a completed DaemonJob with runOnNewNodes turns Complete False until it succeeds there", () => {
    const complete = { type: "Complete", status: "True", reason: "CompletionsReached", message: "Succeeded on all 1 nodes", lastTransitionTime: metaTime(t0) };
    const owner = dj({ runOnNewNodes: true }, { startTime: metaTime(t0 - 10_000), conditions: [complete] });
    const states = nodeStates(owner, [node("a"), node("b", t0 + 60_000)], [pod(owner, "a", "Succeeded")], new DaemonPlacement(owner), open);
    const plan = planDaemonJob(owner, states, t0 + 61_000, 250);
    assert.deepEqual(plan.create, ["b"]);
    assert.deepEqual(plan.status.conditions?.map((c) => [c.type, c.status, c.reason]), [["Complete", "False", "NewNodes"]]);
  });

  test("deadline: running pods deleted, nodes not succeeded count as failed, Failed DeadlineExceeded", () => {
    const owner = dj({ activeDeadlineSeconds: 60 }, { startTime: metaTime(t0) });
    const pods = [pod(owner, "a", "Succeeded"), pod(owner, "b", "Running")];
    const states = nodeStates(owner, ["a", "b", "c"].map((n) => node(n)), pods, new DaemonPlacement(owner), open);
    const early = planDaemonJob(owner, states, t0 + 20_000, 250);
    assert.deepEqual([early.create, early.requeueAfterMs], [["c"], 40_000]);
    const late = planDaemonJob(owner, states, t0 + 60_000, 250);
    assert.deepEqual(late.create, []);
    assert.deepEqual(late.delete.map((p) => p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchFields?.[0]?.values), [["b"]]);
    assert.deepEqual([late.status.succeeded, late.status.failed, late.status.active], [1, 2, 0]);
    assert.deepEqual(late.status.conditions?.map((c) => [c.type, c.status, c.reason, c.message]), [["Failed", "True", "DeadlineExceeded", "DaemonJob was active longer than specified deadline"]]);
  });

  test("ttlSecondsAfterFinished: requeued until it passed, then expired", () => {
    const complete = { type: "Complete", status: "True", reason: "CompletionsReached", message: "Succeeded on all 1 nodes", lastTransitionTime: metaTime(t0) };
    const owner = dj({ ttlSecondsAfterFinished: 30 }, { startTime: metaTime(t0 - 5000), completionTime: metaTime(t0), conditions: [complete] });
    const states = nodeStates(owner, [node("a")], [pod(owner, "a", "Succeeded")], new DaemonPlacement(owner), { startMs: t0, closed: true });
    const before = planDaemonJob(owner, states, t0 + 10_000, 250);
    assert.deepEqual([before.expired, before.requeueAfterMs], [false, 20_000]);
    assert.equal(planDaemonJob(owner, states, t0 + 30_000, 250).expired, true);
  });
});
