import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod, PodCondition } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { NodeSimulator } from "./node-simulator.js";
import { statusResyncStage } from "./pod-status.js";
import { R, startCluster } from "./testing/cluster.js";

const readiness = (p: Pod): string[] =>
  (p.status?.conditions ?? []).filter((c) => c.type === "Ready" || c.type === "ContainersReady").map((c) => `${c.type}=${c.status}`).sort();

function running(ready: boolean, conditions: PodCondition[]): Pod {
  return {
    metadata: { name: "p", namespace: "default" },
    spec: { nodeName: "node-1", containers: [{ name: "app", image: "nginx" }] },
    status: { phase: "Running", conditions, containerStatuses: [{ name: "app", image: "nginx", imageID: "", ready, restartCount: 0, state: { running: {} } }] },
  };
}

describe("kubelet status resync", () => {
  test("only a running pod whose Ready or ContainersReady disagrees with its containers needs one", () => {
    const t = (type: string, status: string): PodCondition => ({ type, status });
    assert.equal(statusResyncStage(running(true, [t("Ready", "True"), t("ContainersReady", "True")])), undefined);
    assert.equal(statusResyncStage(running(false, [t("Ready", "False"), t("ContainersReady", "False")])), undefined);
    assert.equal(statusResyncStage(running(true, [t("Ready", "False"), t("ContainersReady", "True")]))?.next.ready, true);
    assert.equal(statusResyncStage(running(false, [t("Ready", "True"), t("ContainersReady", "False")]))?.next.ready, false);
    const deleting = running(true, [t("Ready", "False")]);
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: "2026-01-01T00:00:00Z" };
    assert.equal(statusResyncStage(deleting), undefined);
    assert.equal(statusResyncStage({ ...running(true, []), status: { phase: "Pending" } }), undefined);
    // The kubelet's own verdict decides for running containers: flags and conditions all False but reported ready.
    assert.equal(statusResyncStage(running(false, [t("Ready", "False"), t("ContainersReady", "False")]), true)?.next.ready, true);
    assert.equal(statusResyncStage(running(true, [t("Ready", "True"), t("ContainersReady", "True")]), true), undefined);
    assert.equal(statusResyncStage(running(true, [t("Ready", "True"), t("ContainersReady", "True")]), false)?.next.ready, false);
    // The same stage object for the same drift, so a plan is recognised when the pod is seen again.
    assert.equal(statusResyncStage(running(true, [])), statusResyncStage(running(true, [t("Ready", "False")])));
  });

  test("a pod marked not ready while its node was away is reported Ready again once the node is simulated", async () => {
    const c = await startCluster();
    const sim = new NodeSimulator({ client: c.client, informers: c.informers, clock: c.clock, now: c.now, random: () => 0.5, nodeCount: 1 });
    c.startInformers();
    const run = sim.run(c.signal);
    try {
      await c.client.create(R.pods, "default", { metadata: { name: "web", namespace: "default" }, spec: { nodeName: "node-1", containers: [{ name: "app", image: "nginx" }] } });
      const read = (): Promise<Pod> => c.client.get<Pod>(R.pods, "default", "web");
      const waitUntil = async (check: (p: Pod) => boolean, what: string): Promise<Pod> => {
        for (let i = 0; i < 500; i++) {
          const p = await read();
          if (check(p)) return p;
          c.clock.advance(100);
          await settle(2);
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      await waitUntil((p) => p.status?.phase === "Running" && readiness(p).join() === "ContainersReady=True,Ready=True", "running and ready");
      // What the node lifecycle controller writes for a pod of an unreachable node: Ready, ContainersReady and the
      // containers' ready flags turn False.
      const p = await read();
      const conditions = (p.status?.conditions ?? []).map((x) => (x.type === "Ready" || x.type === "ContainersReady" ? { ...x, status: "False" } : x));
      const containerStatuses = p.status?.containerStatuses?.map((s) => ({ ...s, ready: false }));
      await c.client.updateStatus<Pod>(R.pods, "default", { ...p, status: { ...p.status, conditions, containerStatuses } });
      const back = await waitUntil((x) => readiness(x).join() === "ContainersReady=True,Ready=True", "Ready re-reported");
      assert.deepEqual(back.status?.containerStatuses?.map((s) => s.ready), [true]);
      assert.equal(back.status?.phase, "Running");
    } finally {
      await c.stop(run);
    }
  });
});
