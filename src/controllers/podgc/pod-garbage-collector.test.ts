import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject, Pod } from "../../api/types.js";
import { node, pod } from "../../apiserver/registry/testing/fixtures.js";
import { R, settle, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { PodGarbageCollector, type PodGarbageCollectorOptions } from "./pod-garbage-collector.js";
import type { ResourceInfo } from "../../api/resources.js";
import type { WatchEvent, WatchOptions } from "../../client/client.js";
import { SharedInformerFactory } from "../../client/informer-factory.js";

/** A watch that delivers nothing until `signal` aborts. */
async function* stalled(signal: AbortSignal): AsyncIterable<WatchEvent> {
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
  yield* [];
}

async function podNames(c: TestCluster): Promise<string[]> {
  return (await c.client.list(R.pods, "default")).items.map((p) => p.metadata!.name!).sort();
}

function withPodGc(options: Partial<PodGarbageCollectorOptions>, fn: (c: TestCluster, gc: PodGarbageCollector) => Promise<void>): Promise<void> {
  return withControlLoop((base) => new PodGarbageCollector({ ...base, gcCheckPeriodMs: 500, ...options }), fn);
}

async function setPhase(c: TestCluster, name: string, phase: string, reason?: string): Promise<void> {
  const p = await c.client.get<Pod>(R.pods, "default", name);
  await c.client.updateStatus(R.pods, "default", { ...p, status: { ...p.status, phase, reason } });
}

describe("PodGarbageCollector", () => {
  test("pods bound to a deleted node go at once, marked Failed with DisruptionTarget first", () => withPodGc({}, async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await c.client.create(R.nodes, undefined, node("n2"));
    await c.client.create(R.pods, "default", pod("on-n1", { nodeName: "n1" }));
    await c.client.create(R.pods, "default", pod("on-n2", { nodeName: "n2" }));
    await c.client.create(R.pods, "default", pod("unbound"));
    await settle();
    const from = (await c.client.list(R.pods, "default")).metadata.resourceVersion;
    const watchAbort = new AbortController();
    const seen: { type: string; object: KubeObject }[] = [];
    const watching = (async () => {
      for await (const ev of c.client.watch(R.pods, "default", { resourceVersion: from }, watchAbort.signal)) seen.push(ev as { type: string; object: KubeObject });
    })();

    await c.client.delete(R.nodes, undefined, "n1");
    // No time passes on the clock: a consistent read of the store, not a quarantine, confirms the node is gone.
    await until(c.clock, async () => !(await podNames(c)).includes("on-n1"), "orphan deleted", 0);
    assert.deepEqual(await podNames(c), ["on-n2", "unbound"]);
    watchAbort.abort();
    await watching;
    const failed = seen.find((e) => e.type === "MODIFIED" && (e.object as Pod).status?.phase === "Failed");
    const condition = (failed?.object as Pod | undefined)?.status?.conditions?.find((x) => x.type === "DisruptionTarget");
    assert.equal(condition?.reason, "DeletionByPodGC");
    assert.equal(condition?.message, "PodGC: node no longer exists");
    assert.equal(seen.at(-1)?.type, "DELETED");
  }));

  test("a node that exists but has not reached the node cache keeps its pods; one never created loses them", async () => {
    // The collector's node informer sees the initial list but no watch event: every later node is in the store only.
    let lagging: SharedInformerFactory | undefined;
    await withControlLoop((base) => {
      const client = new Proxy(base.client, {
        get: (target, prop, receiver) => prop === "watch"
          ? (resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal) =>
            resource.resource === "nodes" ? stalled(signal) : target.watch(resource, namespace, options, signal)
          : Reflect.get(target, prop, receiver) as unknown,
      });
      lagging = new SharedInformerFactory(client, { clock: base.clock });
      return new PodGarbageCollector({ ...base, informers: lagging, gcCheckPeriodMs: 500 });
    }, async (c) => {
      lagging?.start(c.signal);
      await c.client.create(R.nodes, undefined, node("late-node"));
      await c.client.create(R.pods, "default", pod("early", { nodeName: "late-node" }));
      await c.client.create(R.pods, "default", pod("lost", { nodeName: "never" }));
      await until(c.clock, async () => !(await podNames(c)).includes("lost"), "pod on a node that never existed deleted", 100);
      c.clock.advance(60_000);
      await settle(100);
      assert.deepEqual(await podNames(c), ["early"]);
    });
    await lagging?.stopped();
  });

  test("terminated pods beyond the threshold: evicted first, then the oldest", () => withPodGc({ terminatedPodThreshold: 2 }, async (c) => {
    for (const name of ["t1", "t2", "t3", "t4", "running"]) {
      await c.client.create(R.pods, "default", pod(name));
      c.clock.advance(1000);
    }
    await setPhase(c, "t1", "Succeeded");
    await setPhase(c, "t2", "Failed");
    await setPhase(c, "t3", "Succeeded");
    await setPhase(c, "t4", "Failed", "Evicted");
    await until(c.clock, async () => (await podNames(c)).length === 3, "two terminated pods collected", 100);
    assert.deepEqual(await podNames(c), ["running", "t2", "t3"]);
  }));

  test("terminating pods on a not-ready out-of-service node are force-deleted", () => withPodGc({}, async (c) => {
    const n = node("down");
    (n.status as { conditions: unknown[] }).conditions = [{ type: "Ready", status: "False" }];
    await c.client.create(R.nodes, undefined, n);
    await c.client.create(R.pods, "default", pod("stuck", { nodeName: "down" }));
    await c.client.create(R.pods, "default", pod("fine", { nodeName: "down" }));
    await c.client.delete(R.pods, "default", "stuck");
    await settle(100);
    assert.ok((await c.client.get(R.pods, "default", "stuck")).metadata?.deletionTimestamp, "graceful deletion pending");
    await c.client.patch(R.nodes, undefined, "down", "merge", { spec: { taints: [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }] } });
    await until(c.clock, async () => !(await podNames(c)).includes("stuck"), "terminating pod force-deleted");
    assert.deepEqual(await podNames(c), ["fine"]);
  }));

  test("an unscheduled terminating pod is marked Failed and force-deleted (finalizers still hold it)", () => withPodGc({}, async (c) => {
    await c.client.create(R.pods, "default", pod("held", { finalizers: ["example.com/hold"] }));
    await c.client.delete(R.pods, "default", "held");
    await until(c.clock, async () => (await c.client.get<Pod>(R.pods, "default", "held")).status?.phase === "Failed", "marked Failed");
    await c.client.patch(R.pods, "default", "held", "merge", { metadata: { finalizers: null } });
    await until(c.clock, async () => (await podNames(c)).length === 0, "gone once the finalizer is removed");
  }));
});
