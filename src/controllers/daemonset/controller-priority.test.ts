import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet, KubeObject } from "../../api/types.js";
import { R, startTestCluster, until } from "../../controller/testing/cluster.js";
import { DaemonSetController } from "./daemonset-controller.js";
import { makeDaemonSet } from "./testing/fixtures.js";

describe("DaemonSet controller: priority order", () => {
  test("waiting DaemonSets are synced highest pod priority first (priorityClassName resolved to its value)", async () => {
    const c = await startTestCluster();
    const controller = new DaemonSetController({ client: c.client, informers: c.informers, clock: c.clock });
    try {
      for (const [name, value] of [["node-critical", 1_000_000_000], ["monitoring", 1000], ["batch", -5]] as const) {
        await c.client.create<KubeObject>(R.priorityclasses, undefined, { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value } as KubeObject);
      }
      const sets: [string, string | undefined][] = [["logs", undefined], ["scratch", "batch"], ["metrics", "monitoring"], ["cni", "node-critical"], ["proxy", undefined]];
      for (const [name, cls] of sets) {
        const ds = makeDaemonSet({ name });
        const spec = ds.spec?.template.spec;
        if (spec && cls) spec.priorityClassName = cls;
        await c.client.create<DaemonSet>(R.daemonsets, "default", ds);
      }
      // Only the informers run (no workers): the DaemonSets pile up in the queue, in arrival order logs … proxy. The
      // PriorityClasses may arrive after them: the controller reads the priorities again once everything is synced.
      c.startInformers();
      await until(c.clock, () => controller.queue.len() === 5, "five DaemonSets queued");
      await until(c.clock, async () => (await c.informers.informerFor(R.priorityclasses).waitForSync(c.signal)), "classes synced");
      controller.queue.reprioritize();
      const order: string[] = [];
      for (let i = 0; i < 5; i++) order.push((await controller.queue.get()) ?? "");
      assert.deepEqual(order, ["default/cni", "default/metrics", "default/logs", "default/proxy", "default/scratch"]);
    } finally {
      await c.stop();
    }
  });
});
