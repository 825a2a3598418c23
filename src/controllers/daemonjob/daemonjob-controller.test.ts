import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { podTargetNodeName } from "../../api/node-affinity.js";
import { mustFindResource } from "../../api/resources.js";
import type { DaemonJob, DaemonJobSpec, Node, Pod } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { R, until, withControlLoop } from "../../controller/testing/cluster.js";
import { makeNode } from "../daemonset/testing/fixtures.js";
import { DaemonJobController } from "./daemonjob-controller.js";

const daemonJobs = mustFindResource("everynode.dev", "daemonjobs");

function manifest(spec: Partial<DaemonJobSpec>): DaemonJob {
  return {
    apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob", metadata: { name: "scan" },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "task", image: "busybox" }] } }, ...spec },
  };
}

async function pods(client: Client): Promise<Pod[]> {
  return (await client.list<Pod>(R.pods, "default")).items;
}

async function podsOn(client: Client, node: string): Promise<Pod[]> {
  return (await pods(client)).filter((p) => p.spec && podTargetNodeName(p.spec) === node);
}

/** Plays the kubelet: the pod ends in `phase`, its container terminated now. */
async function finish(client: Client, pod: Pod, phase: "Succeeded" | "Failed", now: string): Promise<void> {
  const exitCode = phase === "Succeeded" ? 0 : 1;
  const state = { terminated: { exitCode, reason: phase === "Succeeded" ? "Completed" : "Error", startedAt: now, finishedAt: now } };
  await client.updateStatus<Pod>(R.pods, "default", { ...pod, status: { phase, containerStatuses: [{ name: "task", image: "busybox", imageID: "", ready: false, restartCount: 0, state }] } });
}

async function get(client: Client): Promise<DaemonJob> {
  return client.get<DaemonJob>(daemonJobs, "default", "scan");
}

describe("DaemonJob controller", () => {
  test("one pod per node; a failing node is retried after its back-off, then counted failed; Failed names it", async () => {
    await withControlLoop((base) => new DaemonJobController({ ...base, now: () => base.clock?.now() ?? 0 }), async (c) => {
      for (const n of ["n1", "n2", "n3"]) await c.client.create<Node>(R.nodes, undefined, makeNode(n));
      c.clock.advance(1000);
      const dj = await c.client.create<DaemonJob>(daemonJobs, "default", manifest({ backoffLimitPerNode: 1 }));
      await until(c.clock, async () => (await pods(c.client)).length === 3, "3 pods");
      for (const p of await pods(c.client)) {
        assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: "everynode.dev/v1alpha1", kind: "DaemonJob", name: "scan", uid: dj.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
        assert.equal(p.metadata?.labels?.["everynode.dev/daemonjob-name"], "scan");
      }
      const now = (): string => new Date(c.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
      for (const n of ["n1", "n2"]) for (const p of await podsOn(c.client, n)) await finish(c.client, p, "Succeeded", now());
      for (const p of await podsOn(c.client, "n3")) await finish(c.client, p, "Failed", now());
      await until(c.clock, async () => (await get(c.client)).status?.succeeded === 2, "2 succeeded");
      assert.deepEqual((await get(c.client)).status?.active, 0);
      assert.equal((await podsOn(c.client, "n3")).length, 1, "no retry before the back-off");
      await until(c.clock, async () => (await podsOn(c.client, "n3")).length === 2, "retry on n3", 500, 100);
      const retry = (await podsOn(c.client, "n3")).find((p) => !p.status?.phase || p.status.phase === "Pending");
      assert.ok(retry);
      await finish(c.client, retry, "Failed", now());
      await until(c.clock, async () => (await get(c.client)).status?.failed === 1, "n3 failed");
      const status = (await get(c.client)).status;
      assert.deepEqual([status?.desired, status?.active, status?.succeeded, status?.failed], [3, 0, 2, 1]);
      assert.deepEqual(status?.conditions?.map((x) => [x.type, x.status, x.reason, x.message]), [["Failed", "True", "FailedNodes", "DaemonJob failed on 1 of 3 nodes: n3"]]);
      c.clock.advance(60_000);
      assert.equal((await podsOn(c.client, "n3")).length, 2, "a failed node gets no more pods");
    });
  });

  test("parallelism 1 runs one node at a time; Complete with completionTime; ttlSecondsAfterFinished deletes it", async () => {
    await withControlLoop((base) => new DaemonJobController({ ...base, now: () => base.clock?.now() ?? 0 }), async (c) => {
      for (const n of ["n1", "n2"]) await c.client.create<Node>(R.nodes, undefined, makeNode(n));
      c.clock.advance(1000);
      await c.client.create<DaemonJob>(daemonJobs, "default", manifest({ parallelism: 1, ttlSecondsAfterFinished: 5 }));
      await until(c.clock, async () => (await pods(c.client)).length === 1, "first pod");
      const now = (): string => new Date(c.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
      for (let i = 0; i < 20; i++) await until(c.clock, async () => true);
      assert.equal((await pods(c.client)).length, 1, "parallelism holds the second node back");
      const [first] = await pods(c.client);
      assert.ok(first);
      await finish(c.client, first, "Succeeded", now());
      await until(c.clock, async () => (await pods(c.client)).length === 2, "second pod");
      const second = (await pods(c.client)).find((p) => p.metadata?.name !== first.metadata?.name);
      assert.ok(second);
      await finish(c.client, second, "Succeeded", now());
      await until(c.clock, async () => (await get(c.client)).status?.conditions?.[0]?.type === "Complete", "Complete");
      const status = (await get(c.client)).status;
      assert.deepEqual([status?.desired, status?.succeeded, status?.conditions?.[0]?.status, status?.completionTime !== undefined], [2, 2, "True", true]);
      await until(c.clock, async () => (await c.client.list<DaemonJob>(daemonJobs, "default")).items.length === 0, "deleted after its TTL", 500, 100);
    });
  });
});
