import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet } from "../../api/types.js";
import { R, podsByNode, startCluster } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

describe("DaemonSet controller: placement", () => {
  test("one available pod per node, built as upstream builds it, with status and events", async () => {
    const c = await startCluster();
    try {
      for (const n of ["n1", "n2", "n3"]) await c.createNode(n);
      const ds = await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("3 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 3, { kubelet: true });
      const pods = await c.pods();
      assert.equal(pods.length, 3);
      assert.deepEqual([...podsByNode(pods).keys()].sort(), ["n1", "n2", "n3"]);
      const revs = await c.revisions();
      assert.equal(revs.length, 1);
      const hash = revs[0]?.metadata?.labels?.["controller-revision-hash"];
      assert.ok(hash);
      assert.equal(revs[0]?.metadata?.name, `ds-${hash}`);
      assert.equal(revs[0]?.revision, 1);
      for (const pod of pods) {
        assert.equal(pod.metadata?.generateName, "ds-");
        assert.deepEqual(pod.metadata?.labels, { app: "ds", "controller-revision-hash": hash, "pod-template-generation": "1" });
        assert.deepEqual(pod.metadata?.ownerReferences, [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "ds", uid: ds.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
        assert.equal(pod.spec?.tolerations?.length, 6);
      }
      const got = await c.getDaemonSet();
      assert.deepEqual({ ...got.status }, {
        currentNumberScheduled: 3, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3,
        numberAvailable: 3, updatedNumberScheduled: 3, observedGeneration: 1,
      });
      const created = await c.events("SuccessfulCreate");
      assert.equal(created.reduce((n, e) => n + (e.count ?? 0), 0), 3);
      const e = created[0];
      assert.match(e?.message ?? "", /^Created pod: ds-/);
      assert.equal(e?.source?.component, "daemonset-controller");
      assert.equal(e?.type, "Normal");
      assert.deepEqual({ kind: e?.involvedObject.kind, name: e?.involvedObject.name, uid: e?.involvedObject.uid }, { kind: "DaemonSet", name: "ds", uid: ds.metadata?.uid });
      assert.ok(e?.firstTimestamp && e.lastTimestamp);
    } finally {
      await c.stop();
    }
  });

  test("a deleted pod is replaced, and a new node gets a pod", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createNode("n2");
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("2 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 2, { kubelet: true });
      const victim = (await c.pods()).find((p) => p.spec?.nodeName === "n1");
      await c.client.delete(R.pods, "default", victim?.metadata?.name ?? "", { gracePeriodSeconds: 0 });
      await c.waitFor("replacement", async () => {
        const pods = await c.livePods();
        return pods.length === 2 && pods.every((p) => p.metadata?.name !== victim?.metadata?.name) && pods.every((p) => p.status?.phase === "Running");
      }, { kubelet: true });
      await c.createNode("n3");
      await c.waitFor("3 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 3, { kubelet: true });
      assert.equal((await c.pods()).length, 3);
    } finally {
      await c.stop();
    }
  });

  test("nodeSelector and node label changes (upstream 'complex daemon')", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createNode("n2");
      await c.createDaemonSet(makeDaemonSet({ nodeSelector: { color: "blue" } }));
      await c.waitFor("status observed", async () => (await c.getDaemonSet()).status?.observedGeneration === 1);
      await c.settle(10);
      assert.equal((await c.pods()).length, 0);
      await c.client.patch(R.nodes, undefined, "n1", "merge", { metadata: { labels: { color: "blue" } } });
      await c.waitFor("pod on blue node", async () => {
        const pods = await c.livePods();
        return pods.length === 1 && pods[0]?.spec?.nodeName === "n1" && (await c.getDaemonSet()).status?.numberAvailable === 1;
      }, { kubelet: true });
      await c.client.patch(R.nodes, undefined, "n1", "merge", { metadata: { labels: { color: "green" } } });
      await c.waitFor("pod gone", async () => (await c.pods()).length === 0, { kubelet: true });
      const ds = await c.getDaemonSet();
      assert.equal(ds.status?.desiredNumberScheduled, 0);
      await c.client.patch(R.daemonSets, "default", "ds", "merge", { spec: { template: { spec: { nodeSelector: { color: "green" } } } } });
      await c.waitFor("pod on green node", async () => {
        const pods = await c.livePods();
        return pods.length === 1 && pods[0]?.spec?.nodeName === "n1" && pods[0]?.status?.phase === "Running";
      }, { kubelet: true });
    } finally {
      await c.stop();
    }
  });

  test("required node affinity", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1", { zone: "a" });
      await c.createNode("n2", { zone: "b" });
      const ds: DaemonSet = makeDaemonSet();
      ds.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] }] } } };
      await c.createDaemonSet(ds);
      await c.waitFor("one pod on n2", async () => {
        const pods = await c.livePods();
        return pods.length === 1 && pods[0]?.spec?.nodeName === "n2";
      }, { kubelet: true });
      const pod = (await c.pods())[0];
      assert.deepEqual(pod?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }] });
      await c.client.patch(R.nodes, undefined, "n1", "merge", { metadata: { labels: { zone: "b" } } });
      await c.waitFor("pods on both", async () => (await c.livePods()).length === 2, { kubelet: true });
    } finally {
      await c.stop();
    }
  });

  test("taints: NoSchedule keeps running pods and blocks new ones; NoExecute evicts", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createNode("n2", {}, [{ key: "dedicated", value: "db", effect: "NoSchedule" }]);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("pod on n1", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      await c.settle(10, true);
      assert.deepEqual((await c.pods()).map((p) => p.spec?.nodeName), ["n1"]);
      await c.client.patch(R.nodes, undefined, "n1", "strategic", { spec: { taints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }] } });
      await c.waitFor("status desired 0", async () => (await c.getDaemonSet()).status?.desiredNumberScheduled === 0);
      assert.equal((await c.livePods()).length, 1, "NoSchedule must not evict");
      assert.equal((await c.getDaemonSet()).status?.numberMisscheduled, 1);
      await c.client.patch(R.nodes, undefined, "n1", "strategic", { spec: { taints: [{ key: "dedicated", value: "db", effect: "NoExecute" }] } });
      await c.waitFor("evicted", async () => (await c.pods()).length === 0, { kubelet: true });
      await c.client.patch(R.nodes, undefined, "n2", "strategic", { spec: { taints: null } });
      await c.waitFor("pod on untainted n2", async () => (await c.livePods()).map((p) => p.spec?.nodeName).join() === "n2", { kubelet: true });
    } finally {
      await c.stop();
    }
  });
});
