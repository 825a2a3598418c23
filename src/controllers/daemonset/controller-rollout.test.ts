import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ControllerRevision, DaemonSet, Pod } from "../../api/types.js";
import { R, podsByNode, startCluster, type TestCluster } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

const hashOf = (p: Pod) => p.metadata?.labels?.["controller-revision-hash"];
const imageOf = (p: Pod) => p.spec?.containers[0]?.image;
const ready = (p: Pod) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true;

async function setImage(c: TestCluster, image: string): Promise<void> {
  await c.client.patch(R.daemonSets, "default", "ds", "strategic", { spec: { template: { spec: { containers: [{ name: "main", image }] } } } });
}

function currentRevision(revs: ControllerRevision[]): ControllerRevision | undefined {
  return [...revs].sort((a, b) => b.revision - a.revision)[0];
}

async function rolledOut(c: TestCluster, nodes: number, image: string): Promise<boolean> {
  const ds = await c.getDaemonSet();
  const pods = await c.pods();
  return (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 0) && ds.status?.updatedNumberScheduled === nodes
    && ds.status?.numberAvailable === nodes && pods.length === nodes && pods.every((p) => imageOf(p) === image && ready(p));
}

describe("DaemonSet controller: updates", () => {
  test("RollingUpdate replaces old pods within maxUnavailable and records a new revision", async () => {
    const c = await startCluster();
    try {
      const nodes = ["n1", "n2", "n3", "n4", "n5"];
      for (const n of nodes) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } } }));
      await c.waitFor("v1 rolled out", () => rolledOut(c, 5, "nginx:1.25"), { kubelet: true });
      await setImage(c, "nginx:1.26");
      let worst = 0;
      await c.waitFor("v2 rolled out", async () => {
        const byNode = podsByNode(await c.pods());
        const unavailable = nodes.filter((n) => !(byNode.get(n) ?? []).some(ready)).length;
        worst = Math.max(worst, unavailable);
        return rolledOut(c, 5, "nginx:1.26");
      }, { kubelet: true });
      assert.ok(worst <= 2, `at most 2 nodes without a ready pod, saw ${worst}`);
      assert.ok(worst >= 1, "the rollout did replace pods");
      const revs = await c.revisions();
      assert.equal(revs.length, 2);
      const cur = currentRevision(revs)!;
      assert.equal(cur.revision, 2);
      const pods = await c.pods();
      assert.ok(pods.every((p) => hashOf(p) === cur.metadata?.labels?.["controller-revision-hash"]));
      assert.ok(pods.every((p) => p.metadata?.labels?.["pod-template-generation"] === "2"));
    } finally {
      await c.stop();
    }
  });

  test("OnDelete keeps old pods until they are deleted", async () => {
    const c = await startCluster();
    try {
      for (const n of ["n1", "n2"]) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet({ strategy: { type: "OnDelete" } }));
      await c.waitFor("v1", () => rolledOut(c, 2, "nginx:1.25"), { kubelet: true });
      const before = (await c.pods()).map((p) => p.metadata?.uid).sort();
      await setImage(c, "nginx:1.26");
      await c.waitFor("2 revisions", async () => (await c.revisions()).length === 2 && (await c.getDaemonSet()).status?.observedGeneration === 2, { kubelet: true });
      await c.settle(20, true);
      assert.deepEqual((await c.pods()).map((p) => p.metadata?.uid).sort(), before);
      const ds = await c.getDaemonSet();
      assert.equal(ds.status?.updatedNumberScheduled ?? 0, 0);
      assert.equal(currentRevision(await c.revisions())?.revision, 2);
      const victim = (await c.pods()).find((p) => p.spec?.nodeName === "n1")!;
      await c.client.delete(R.pods, "default", victim.metadata!.name!);
      await c.waitFor("n1 replaced with the new template", async () => {
        const byNode = podsByNode(await c.pods());
        const n1 = byNode.get("n1") ?? [];
        return n1.length === 1 && imageOf(n1[0]!) === "nginx:1.26" && ready(n1[0]!) && imageOf((byNode.get("n2") ?? [])[0]!) === "nginx:1.25";
      }, { kubelet: true });
      await c.waitFor("status", async () => (await c.getDaemonSet()).status?.updatedNumberScheduled === 1);
    } finally {
      await c.stop();
    }
  });

  test("rollback reuses the old revision without restarting pods that carry its hash", async () => {
    const c = await startCluster({ readyWhen: (p) => imageOf(p) !== "nginx:broken" });
    try {
      for (const n of ["n1", "n2", "n3"]) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("v1", () => rolledOut(c, 3, "nginx:1.25"), { kubelet: true });
      const [r1] = await c.revisions();
      const v1Hash = r1!.metadata!.labels!["controller-revision-hash"];
      await setImage(c, "nginx:broken");
      await c.waitFor("one broken pod", async () => (await c.livePods()).filter((p) => imageOf(p) === "nginx:broken" && p.spec?.nodeName).length === 1, { kubelet: true });
      await c.settle(20, true);
      const broken = (await c.livePods()).filter((p) => imageOf(p) === "nginx:broken");
      assert.equal(broken.length, 1, "maxUnavailable 1 stops the rollout at one unready pod");
      const survivors = (await c.livePods()).filter((p) => hashOf(p) === v1Hash).map((p) => p.metadata?.uid).sort();
      assert.equal(survivors.length, 2);
      // kubectl rollout undo: a strategic merge patch with the old revision's data.
      await c.client.patch(R.daemonSets, "default", "ds", "strategic", r1!.data);
      await c.waitFor("rolled back", () => rolledOut(c, 3, "nginx:1.25"), { kubelet: true });
      const pods = await c.pods();
      assert.ok(pods.every((p) => hashOf(p) === v1Hash));
      const kept = pods.map((p) => p.metadata?.uid).filter((u) => survivors.includes(u)).sort();
      assert.deepEqual(kept, survivors, "pods with the old hash were not restarted");
      const revs = await c.revisions();
      assert.equal(revs.length, 2);
      const reused = revs.find((r) => r.metadata?.name === r1!.metadata?.name);
      assert.equal(reused?.revision, 3, "the reused revision is renumbered to max+1");
      assert.equal(revs.find((r) => r !== reused)?.revision, 2);
    } finally {
      await c.stop();
    }
  });

  test("duplicate revisions of the current template: the highest is kept, pods relabelled, the rest deleted", async () => {
    const c = await startCluster();
    try {
      for (const n of ["n1", "n2"]) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("v1", () => rolledOut(c, 2, "nginx:1.25"), { kubelet: true });
      const [orig] = await c.revisions();
      const uids = (await c.pods()).map((p) => p.metadata?.uid).sort();
      const dup: ControllerRevision = {
        apiVersion: "apps/v1", kind: "ControllerRevision",
        metadata: { name: "ds-dup", labels: { app: "ds", "controller-revision-hash": "dup" } },
        data: orig!.data, revision: 5,
      };
      await c.client.create(R.revisions, "default", dup);
      await c.waitFor("deduplicated", async () => {
        const revs = await c.revisions();
        const pods = await c.pods();
        return revs.length === 1 && revs[0]?.metadata?.name === "ds-dup" && pods.every((p) => hashOf(p) === "dup");
      }, { kubelet: true });
      await c.settle(10, true);
      assert.deepEqual((await c.pods()).map((p) => p.metadata?.uid).sort(), uids, "no pod restarted");
      assert.equal((await c.getDaemonSet()).status?.updatedNumberScheduled, 2);
    } finally {
      await c.stop();
    }
  });

  test("history beyond revisionHistoryLimit is cleaned up", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet({ revisionHistoryLimit: 1 }));
      await c.waitFor("v1", () => rolledOut(c, 1, "nginx:1.25"), { kubelet: true });
      for (const v of ["1.26", "1.27", "1.28"]) {
        await setImage(c, `nginx:${v}`);
        await c.waitFor(v, () => rolledOut(c, 1, `nginx:${v}`), { kubelet: true });
      }
      await c.waitFor("2 revisions left", async () => (await c.revisions()).length === 2, { kubelet: true });
      const revs = (await c.revisions()).map((r) => r.revision).sort();
      assert.deepEqual(revs, [3, 4]);
    } finally {
      await c.stop();
    }
  });

  test("surge: new pods start next to old ones, every node keeps an available pod", async () => {
    const c = await startCluster();
    try {
      const nodes = ["n1", "n2", "n3", "n4"];
      for (const n of nodes) await c.createNode(n);
      await c.createDaemonSet(makeDaemonSet({ strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } } }));
      await c.waitFor("v1", () => rolledOut(c, 4, "nginx:1.25"), { kubelet: true });
      await setImage(c, "nginx:1.26");
      let maxPerNode = 0;
      let maxSurged = 0;
      let bare = 0;
      await c.waitFor("v2", async () => {
        const byNode = podsByNode(await c.livePods());
        maxPerNode = Math.max(maxPerNode, ...nodes.map((n) => (byNode.get(n) ?? []).length));
        maxSurged = Math.max(maxSurged, nodes.filter((n) => (byNode.get(n) ?? []).length > 1).length);
        bare = Math.max(bare, nodes.filter((n) => !(byNode.get(n) ?? []).some(ready)).length);
        return rolledOut(c, 4, "nginx:1.26");
      }, { kubelet: true });
      assert.equal(maxPerNode, 2, "one old and one new pod at a time");
      assert.equal(maxSurged, 1, "maxSurge 25% of 4 = 1 node surged at a time");
      assert.equal(bare, 0, "no node without a ready pod");
    } finally {
      await c.stop();
    }
  });

  test("minReadySeconds: pods count as available only after the delay", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet({ minReadySeconds: 30 }));
      await c.waitFor("ready", async () => (await c.getDaemonSet()).status?.numberReady === 1, { kubelet: true });
      const ds: DaemonSet = await c.getDaemonSet();
      assert.equal(ds.status?.numberAvailable ?? 0, 0);
      assert.equal(ds.status?.numberUnavailable, 1);
      c.skewMs = 31_000;
      await c.waitFor("available after the requeue", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { stepMs: 1000 });
      assert.equal((await c.getDaemonSet()).status?.numberUnavailable, undefined);
    } finally {
      await c.stop();
    }
  });
});
