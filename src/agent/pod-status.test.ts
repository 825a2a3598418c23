import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "../api/types.js";
import { generatePodStatus, podPhase, statusReadiness, type ContainerRecord } from "./pod-status.js";

const pod = (restartPolicy = "Always", deleting = false): Pod => ({
  metadata: { name: "p", namespace: "default", uid: "u", ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { restartPolicy, containers: [{ name: "b" }, { name: "a" }] },
});
const rec = (name: string, state: ContainerRecord["state"], extra: Partial<ContainerRecord> = {}): ContainerRecord =>
  ({ name, image: "busybox", init: false, restartCount: 0, state, ready: state.kind === "running", started: state.kind === "running", ...extra });
const running = { kind: "running", startedAt: 0, containerID: "process://x" } as const;
const exited = (exitCode: number): ContainerRecord["state"] => ({ kind: "terminated", exitCode, reason: exitCode ? "Error" : "Completed", startedAt: 0, finishedAt: 1000 });

test("phase follows the kubelet's rules", () => {
  assert.equal(podPhase(pod(), [rec("a", { kind: "waiting", reason: "ContainerCreating" }), rec("b", running)]), "Pending");
  assert.equal(podPhase(pod(), [rec("a", running), rec("b", running)]), "Running");
  assert.equal(podPhase(pod(), [rec("a", exited(1)), rec("b", exited(0))]), "Running");
  assert.equal(podPhase(pod("Never"), [rec("a", exited(1)), rec("b", exited(0))]), "Failed");
  assert.equal(podPhase(pod("OnFailure"), [rec("a", exited(0)), rec("b", exited(0))]), "Succeeded");
  assert.equal(podPhase(pod("Always", true), [rec("a", exited(143)), rec("b", exited(0))]), "Failed");
  assert.equal(podPhase(pod("Always", true), [rec("a", exited(0)), rec("b", exited(0))]), "Succeeded");
  const inits = [{ ...rec("i", exited(1)), init: true }, rec("a", { kind: "waiting", reason: "PodInitializing" })];
  assert.equal(podPhase(pod("Never"), inits), "Failed");
  assert.equal(podPhase(pod("Always"), inits), "Pending");
});

test("status carries sorted container statuses, kubelet conditions and the node's IPs", () => {
  const s = generatePodStatus(pod(), [rec("b", running), rec("a", { kind: "waiting", reason: "CrashLoopBackOff", message: "back-off 10s" }, { restartCount: 2, lastState: { exitCode: 1, reason: "Error", startedAt: 0, finishedAt: 1000 } })],
    { hostIP: "192.0.2.2", podIP: "192.0.2.2" }, true, 5000);
  assert.deepEqual(s.containerStatuses?.map((c) => c.name), ["a", "b"]);
  assert.equal(s.containerStatuses?.[0]?.state?.waiting?.reason, "CrashLoopBackOff");
  assert.equal(s.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
  assert.equal(s.containerStatuses?.[0]?.restartCount, 2);
  assert.equal(s.phase, "Running");
  const ready = s.conditions?.find((c) => c.type === "Ready");
  assert.equal(ready?.status, "False");
  assert.equal(ready?.reason, "ContainersNotReady");
  assert.equal(ready?.message, "containers with unready status: [a]");
  assert.equal(s.conditions?.find((c) => c.type === "Initialized")?.status, "True");
  assert.equal(s.podIP, "192.0.2.2");
  assert.deepEqual(s.hostIPs, [{ ip: "192.0.2.2" }]);
});

test("statusReadiness tells apart statuses that kubectl would show with different READY", () => {
  const ready = { conditions: [{ type: "Ready", status: "True" }, { type: "ContainersReady", status: "True" }], containerStatuses: [{ name: "a", image: "i", imageID: "", ready: true, restartCount: 0 }] };
  const markedByNodeController = { ...ready, conditions: [{ type: "Ready", status: "False" }, { type: "ContainersReady", status: "False" }], containerStatuses: [{ name: "a", image: "i", imageID: "", ready: false, restartCount: 0 }] };
  assert.notEqual(statusReadiness(ready), statusReadiness(markedByNodeController));
  assert.equal(statusReadiness(ready), statusReadiness({ ...ready, podIP: "10.0.0.1" }));
});
