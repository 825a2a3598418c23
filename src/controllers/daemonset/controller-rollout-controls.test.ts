import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type { DaemonSet, Pod } from "../../api/types.js";
import { R, podsByNode, startCluster, type TestCluster } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

const imageOf = (p: Pod) => p.spec?.containers[0]?.image;
const ready = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true;
const progressing = (ds: DaemonSet) => ds.status?.conditions?.find((x) => x.type === "Progressing");

async function setImage(c: TestCluster, image: string): Promise<void> {
  await c.client.patch(R.daemonSets, "default", "ds", "strategic", { spec: { template: { spec: { containers: [{ name: "main", image }] } } } });
}

async function annotate(c: TestCluster, annotations: Record<string, string | null>): Promise<void> {
  await c.client.patch(R.daemonSets, "default", "ds", "merge", { metadata: { annotations } });
}

/** Image per node of the live pods that are Ready. */
async function readyImages(c: TestCluster): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [node, pods] of podsByNode(await c.livePods())) {
    const pod = pods.find(ready);
    if (pod) out[node] = imageOf(pod) ?? "";
  }
  return out;
}

describe("DaemonSet controller: rollout controls", () => {
  test("paused: no old pod is replaced, a new node gets the current revision, resuming completes", async () => {
    const c = await startCluster();
    try {
      for (const n of ["n1", "n2"]) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("v1", async () => isDeepStrictEqual(await readyImages(c), { n1: "nginx:1.25", n2: "nginx:1.25" }), { kubelet: true });
      await annotate(c, { "rollout.everynode.dev/paused": "true" });
      await setImage(c, "nginx:1.26");
      await c.createNode("n3");
      await c.waitFor("n3 served", async () => (await readyImages(c)).n3 !== undefined, { kubelet: true });
      await c.settle(50, true);
      assert.deepEqual(await readyImages(c), { n1: "nginx:1.25", n2: "nginx:1.25", n3: "nginx:1.26" });
      assert.equal((await c.getDaemonSet()).status?.updatedNumberScheduled, 1);
      await annotate(c, { "rollout.everynode.dev/paused": null });
      await c.waitFor("v2 everywhere", async () => Object.values(await readyImages(c)).filter((i) => i === "nginx:1.26").length === 3, { kubelet: true });
    } finally {
      await c.stop();
    }
  });

  test("a progress deadline: False with the stuck node and a Warning event, then auto-revert to the completed revision", async () => {
    const c = await startCluster({ readyWhen: (pod) => imageOf(pod) !== "broken:1" });
    try {
      for (const n of ["n1", "n2", "n3"]) await c.createNode(n);
      const ds = makeDaemonSet();
      ds.metadata = { ...ds.metadata, annotations: { "rollout.everynode.dev/progress-deadline-seconds": "30" } };
      await c.createDaemonSet(ds);
      await c.waitFor("v1 complete", async () => progressing(await c.getDaemonSet())?.reason === "RolloutComplete", { kubelet: true });
      await c.waitFor("revision 1 marked", async () => (await c.revisions()).some((r) => r.metadata?.annotations?.["rollout.everynode.dev/completed"] === "true"));
      await setImage(c, "broken:1");
      await c.waitFor("rolling out", async () => progressing(await c.getDaemonSet())?.reason === "RevisionRollingOut", { kubelet: true });
      await c.settle(50, true);
      assert.equal(progressing(await c.getDaemonSet())?.status, "True", "within the deadline");
      c.skewMs += 31_000;
      await c.waitFor("deadline exceeded", async () => progressing(await c.getDaemonSet())?.reason === "ProgressDeadlineExceeded", { kubelet: true, stepMs: 1000 });
      const condition = progressing(await c.getDaemonSet());
      assert.equal(condition?.status, "False");
      assert.match(condition?.message ?? "", /^DaemonSet "ds" has timed out progressing: revision 2 made no progress for 30s; 1 node stuck: n1 \(pod ds-\w+ not Ready: phase Pending\)$/);
      const events = await c.events("ProgressDeadlineExceeded");
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, "Warning");
      assert.equal(events[0]?.message, condition?.message);
      assert.deepEqual((await c.events("RolloutNotReverted")).length, 0);

      await annotate(c, { "rollout.everynode.dev/auto-revert": "true" });
      await c.waitFor("reverted", async () => imageOf({ spec: (await c.getDaemonSet()).spec?.template?.spec } as Pod) === "nginx:1.25", { kubelet: true });
      await c.waitFor("v1 everywhere", async () => isDeepStrictEqual(await readyImages(c), { n1: "nginx:1.25", n2: "nginx:1.25", n3: "nginx:1.25" }), { kubelet: true });
      const reverted = await c.events("RolloutReverted");
      assert.equal(reverted.length, 1);
      assert.match(reverted[0]?.message ?? "", /rolling back from revision 2 to revision 1, the last revision that completed/);
    } finally {
      await c.stop();
    }
  });
});
