import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { podRow } from "./pod.js";

const now = new Date("2024-05-01T12:00:00Z");
const created = "2024-05-01T11:00:00Z"; // 60m

type Obj = Record<string, unknown>;

function pod(spec: Obj, status: Obj, metadata: Obj = {}): Obj {
  return { metadata: { name: "p", creationTimestamp: created, ...metadata }, spec: { containers: [{ name: "c" }], ...spec }, status };
}

const running = (extra: Obj = {}): Obj => ({ name: "c", ready: true, restartCount: 0, state: { running: { startedAt: created } }, ...extra });

void describe("pod row: NAME READY STATUS RESTARTS AGE", () => {
  const cases: Array<{ name: string; pod: Obj; want: [string, string, string] }> = [
    { name: "pending, unscheduled", pod: pod({}, { phase: "Pending" }), want: ["0/1", "Pending", "0"] },
    { name: "no status at all", pod: { metadata: { name: "p", creationTimestamp: created }, spec: { containers: [{ name: "c" }] } }, want: ["0/1", "", "0"] },
    { name: "container creating", pod: pod({}, { phase: "Pending", containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] }), want: ["0/1", "ContainerCreating", "0"] },
    { name: "running and ready", pod: pod({}, { phase: "Running", containerStatuses: [running()] }), want: ["1/1", "Running", "0"] },
    { name: "running, not ready", pod: pod({}, { phase: "Running", containerStatuses: [running({ ready: false })] }), want: ["0/1", "Running", "0"] },
    {
      name: "crash loop with restart age",
      pod: pod({}, { phase: "Running", containerStatuses: [{ name: "c", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2024-05-01T11:57:00Z" } } }] }),
      want: ["0/1", "CrashLoopBackOff", "4 (3m ago)"],
    },
    { name: "completed", pod: pod({}, { phase: "Succeeded", containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] }), want: ["0/1", "Completed", "0"] },
    { name: "error", pod: pod({}, { phase: "Failed", containerStatuses: [{ name: "c", ready: false, restartCount: 0, state: { terminated: { exitCode: 2, reason: "Error" } } }] }), want: ["0/1", "Error", "0"] },
    { name: "terminated without reason, by signal", pod: pod({}, { phase: "Running", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 137, signal: 9 } } }] }), want: ["0/1", "Signal:9", "0"] },
    { name: "terminated without reason, exit code", pod: pod({}, { phase: "Running", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 3 } } }] }), want: ["0/1", "ExitCode:3", "0"] },
    { name: "terminating", pod: pod({}, { phase: "Running", containerStatuses: [running()] }, { deletionTimestamp: "2024-05-01T11:59:00Z" }), want: ["1/1", "Terminating", "0"] },
    { name: "deleted but finished keeps its status", pod: pod({}, { phase: "Succeeded", containerStatuses: [{ name: "c", state: { terminated: { exitCode: 0, reason: "Completed" } } }] }, { deletionTimestamp: "2024-05-01T11:59:00Z" }), want: ["0/1", "Completed", "0"] },
    { name: "node lost", pod: pod({}, { phase: "Running", reason: "NodeLost" }, { deletionTimestamp: "2024-05-01T11:59:00Z" }), want: ["0/1", "Unknown", "0"] },
    { name: "evicted (pod reason)", pod: pod({}, { phase: "Failed", reason: "Evicted" }), want: ["0/1", "Evicted", "0"] },
    { name: "scheduling gated", pod: pod({}, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }), want: ["0/1", "SchedulingGated", "0"] },
    {
      name: "init container running",
      pod: pod({ initContainers: [{ name: "i1" }, { name: "i2" }] }, { phase: "Pending", initContainerStatuses: [{ name: "i1", state: { terminated: { exitCode: 0 } } }, { name: "i2", state: { running: {} } }], containerStatuses: [{ name: "c", state: { waiting: { reason: "PodInitializing" } } }] }),
      want: ["0/1", "Init:1/2", "0"],
    },
    {
      name: "init container crash loop counts init restarts",
      pod: pod({ initContainers: [{ name: "i1" }] }, { phase: "Pending", initContainerStatuses: [{ name: "i1", restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, finishedAt: "2024-05-01T11:59:15Z" } } }] }),
      want: ["0/1", "Init:CrashLoopBackOff", "2 (45s ago)"],
    },
    {
      name: "init container failed",
      pod: pod({ initContainers: [{ name: "i1" }] }, { phase: "Pending", initContainerStatuses: [{ name: "i1", state: { terminated: { exitCode: 1, reason: "Error" } } }] }),
      want: ["0/1", "Init:Error", "0"],
    },
    {
      name: "init container failed without reason",
      pod: pod({ initContainers: [{ name: "i1" }] }, { phase: "Pending", initContainerStatuses: [{ name: "i1", state: { terminated: { exitCode: 7 } } }] }),
      want: ["0/1", "Init:ExitCode:7", "0"],
    },
    {
      name: "sidecar counts in READY and total",
      pod: pod({ initContainers: [{ name: "side", restartPolicy: "Always" }] }, {
        phase: "Running", conditions: [{ type: "Initialized", status: "True" }, { type: "Ready", status: "True" }],
        initContainerStatuses: [{ name: "side", started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: "2024-05-01T10:00:00Z" } } }],
        containerStatuses: [running({ restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: "2024-05-01T11:00:00Z" } } })],
      }),
      want: ["2/2", "Running", "2 (60m ago)"],
    },
    {
      name: "completed main with running sidecar reads Running when Ready",
      pod: pod({ containers: [{ name: "a" }, { name: "b" }] }, {
        phase: "Running", conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [running({ name: "a" }), { name: "b", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
      }),
      want: ["1/2", "Running", "0"],
    },
    {
      name: "completed main with running sidecar reads NotReady otherwise",
      pod: pod({ containers: [{ name: "a" }, { name: "b" }] }, {
        phase: "Running",
        containerStatuses: [running({ name: "a" }), { name: "b", state: { terminated: { exitCode: 0, reason: "Completed" } } }],
      }),
      want: ["1/2", "NotReady", "0"],
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const row = podRow(c.pod, now);
      assert.deepEqual(row.cells.slice(0, 5), ["p", ...c.want, "60m"]);
    });
  }
});

void describe("pod row: wide cells and conditions", () => {
  void test("IP, node, nominated node, readiness gates", () => {
    const row = podRow(pod({ nodeName: "n1", readinessGates: [{ conditionType: "g1" }, { conditionType: "g2" }] }, {
      phase: "Running", podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.9" }, { ip: "fd00::9" }], nominatedNodeName: "n2",
      conditions: [{ type: "g1", status: "True" }, { type: "g2", status: "False" }], containerStatuses: [running()],
    }), now);
    assert.deepEqual(row.cells.slice(5), ["10.0.0.9", "n1", "n2", "1/2"]);
    assert.equal(row.conditions, undefined);
  });

  void test("defaults are <none>", () => {
    assert.deepEqual(podRow(pod({}, {}), now).cells.slice(5), ["<none>", "<none>", "<none>", "<none>"]);
  });

  void test("finished pods carry a Completed row condition", () => {
    assert.deepEqual(podRow(pod({}, { phase: "Succeeded" }), now).conditions, [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }]);
    assert.deepEqual(podRow(pod({}, { phase: "Failed" }), now).conditions, [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }]);
  });

  void test("odd shapes do not throw", () => {
    for (const weird of [{}, { spec: 5, status: "x", metadata: [] }, { status: { containerStatuses: [null, 3, { state: null }] } }]) {
      assert.equal(podRow(weird, now).cells.length, 9);
    }
  });
});
