import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet, Pod } from "../../api/types.js";
import type { WatchEvent as ClientWatchEvent } from "../../client/client.js";
import { R, podsByNode, startCluster } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

describe("DaemonSet controller: pod lifecycle", () => {
  test("a failed pod is deleted and replaced, with a FailedDaemonPod warning; repeated failures back off", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("available", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      const first = (await c.pods())[0]!;
      await c.setPodStatus(first.metadata!.name!, "Failed", false);
      await c.waitFor("replaced", async () => {
        const pods = await c.pods();
        return pods.length === 1 && pods[0]?.metadata?.name !== first.metadata?.name;
      });
      const warn = await c.events("FailedDaemonPod");
      assert.equal(warn.length, 1);
      assert.equal(warn[0]?.type, "Warning");
      assert.equal(warn[0]?.message, `Found failed daemon pod default/${first.metadata?.name} on node n1, will try to kill it`);
      assert.equal((await c.events("SuccessfulDelete"))[0]?.message, `Deleted pod: ${first.metadata?.name}`);

      // The replacement fails at once: it is kept until the 1 s backoff passes (fake time stands still here).
      const second = (await c.pods())[0]!;
      await c.client.createSubresource(R.pods, "default", second.metadata!.name!, "binding", { apiVersion: "v1", kind: "Binding", metadata: { name: second.metadata!.name! }, target: { kind: "Node", name: "n1" } });
      await c.setPodStatus(second.metadata!.name!, "Failed", false);
      await c.settle(30); // 300 ms of fake time: inside the 1 s backoff
      assert.equal((await c.pods())[0]?.metadata?.name, second.metadata?.name, "deletion must wait for the backoff");
      await c.waitFor("replaced after backoff", async () => {
        const pods = await c.pods();
        return pods.length === 1 && pods[0]?.metadata?.name !== second.metadata?.name;
      }, { stepMs: 100 });
      assert.ok((await c.events("FailedDaemonPod")).reduce((n, e) => n + (e.count ?? 0), 0) >= 2);
    } finally {
      await c.stop();
    }
  });

  test("no duplicate pods under rapid events and small bursts", async () => {
    const c = await startCluster({ burstReplicas: 3 });
    const added = new Set<string>();
    const watchAbort = new AbortController();
    try {
      const nodes = Array.from({ length: 20 }, (_, i) => `n${i}`);
      for (const n of nodes) await c.createNode(n);
      const stream = c.client.watch<Pod>(R.pods, "default", {}, watchAbort.signal);
      const watching = (async () => {
        for await (const ev of stream as AsyncIterable<ClientWatchEvent<Pod>>) if (ev.type === "ADDED") added.add((ev.object as Pod).metadata?.name ?? "");
      })();
      await c.createDaemonSet(makeDaemonSet());
      for (let round = 0; round < 10; round++) {
        for (const n of nodes.slice(0, 5)) await c.client.patch(R.nodes, undefined, n, "merge", { metadata: { labels: { churn: String(round) } } });
        await c.client.patch(R.daemonSets, "default", "ds", "merge", { metadata: { annotations: { churn: String(round) } } });
      }
      await c.waitFor("20 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 20, { kubelet: true });
      await c.settle(20, true);
      const pods = await c.pods();
      assert.equal(pods.length, 20);
      for (const [node, list] of podsByNode(pods)) assert.equal(list.length, 1, `node ${node}`);
      assert.equal(added.size, 20, "exactly one pod was ever created per node");
      watchAbort.abort();
      await watching;
    } finally {
      watchAbort.abort();
      await c.stop();
    }
  });

  test("orphans are adopted without restarts (DaemonSet recreated after an orphaning delete)", async () => {
    const c = await startCluster();
    try {
      for (const n of ["n1", "n2", "n3"]) await c.createNode(n);
      const first = await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("3 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 3, { kubelet: true });
      const before = new Map((await c.pods()).map((p) => [p.metadata?.uid, p.metadata?.labels?.["controller-revision-hash"]]));
      const [rev] = await c.revisions();
      // What an orphaning delete leaves behind: the DaemonSet is gone, pods and revisions keep labels but lose their ownerReference.
      await c.client.delete(R.daemonSets, "default", "ds");
      for (const p of await c.pods()) await c.client.patch(R.pods, "default", p.metadata!.name!, "merge", { metadata: { ownerReferences: null } });
      await c.client.patch(R.revisions, "default", rev!.metadata!.name!, "merge", { metadata: { ownerReferences: null } });
      const second = await c.createDaemonSet(makeDaemonSet());
      assert.notEqual(second.metadata?.uid, first.metadata?.uid);
      await c.waitFor("adopted", async () => {
        const pods = await c.pods();
        const revs = await c.revisions();
        return pods.length === 3 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === second.metadata?.uid)
          && revs.length === 1 && revs[0]?.metadata?.ownerReferences?.[0]?.uid === second.metadata?.uid
          && (await c.getDaemonSet()).status?.updatedNumberScheduled === 3;
      }, { kubelet: true });
      await c.settle(10, true);
      const after = await c.pods();
      assert.deepEqual(new Map(after.map((p) => [p.metadata?.uid, p.metadata?.labels?.["controller-revision-hash"]])), before);
      assert.equal((await c.revisions())[0]?.metadata?.name, rev?.metadata?.name);
      const ds = await c.getDaemonSet();
      assert.equal(ds.status?.numberAvailable, 3);
      assert.equal((await c.events("SuccessfulCreate")).filter((e) => e.involvedObject.uid === second.metadata?.uid).length, 0);
    } finally {
      await c.stop();
    }
  });

  test("an owned pod whose labels stop matching is released and replaced", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("available", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      const pod = (await c.pods())[0]!;
      await c.client.patch(R.pods, "default", pod.metadata!.name!, "merge", { metadata: { labels: { app: "other" } } });
      await c.waitFor("released and replaced", async () => {
        const pods = await c.pods();
        const released = pods.find((p) => p.metadata?.name === pod.metadata?.name);
        return pods.length === 2 && released !== undefined && (released.metadata?.ownerReferences ?? []).length === 0;
      }, { kubelet: true });
    } finally {
      await c.stop();
    }
  });

  test("a DaemonSet being deleted is left alone", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("available", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      await c.client.delete(R.daemonSets, "default", "ds", { propagationPolicy: "Foreground" });
      const deleting = await c.getDaemonSet();
      assert.ok(deleting.metadata?.deletionTimestamp);
      await c.createNode("n2");
      await c.settle(20, true);
      assert.equal((await c.pods()).length, 1);
      const after = await c.getDaemonSet();
      assert.equal(after.metadata?.resourceVersion, deleting.metadata?.resourceVersion, "no status writes");
    } finally {
      await c.stop();
    }
  });

  test("status conditions written by clients survive controller status writes", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("status", async () => (await c.getDaemonSet()).status?.observedGeneration === 1);
      const ds = await c.getDaemonSet();
      await c.client.updateStatus<DaemonSet>(R.daemonSets, "default", { ...ds, status: { ...ds.status!, conditions: [{ type: "StatusUpdate", status: "True", reason: "E2E", message: "Set from e2e test" }] } });
      await c.waitFor("available", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      const got = await c.getDaemonSet();
      assert.deepEqual(got.status?.conditions?.map((x) => x.type), ["StatusUpdate"]);
    } finally {
      await c.stop();
    }
  });
});
