import assert from "node:assert/strict";
import { test } from "node:test";
import { daemonsNotReadyToleration } from "../api/readiness-gate.js";
import type { Pod } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { NodeSimulator } from "../simulator/node-simulator.js";
import { R, startCluster } from "../simulator/testing/cluster.js";
import { Scheduler } from "./scheduler.js";

test("scheduled pods on simulated nodes start running, and deleted ones go away", async () => {
  const c = await startCluster();
  const sim = new NodeSimulator({ client: c.client, informers: c.informers, clock: c.clock, now: c.now, nodeCount: 3, random: () => 0.5, graceScale: 0 });
  const scheduler = new Scheduler({ client: c.client, informers: c.informers, clock: c.clock, now: c.now });
  c.startInformers();
  const runs = [sim.run(c.signal), scheduler.run(c.signal)];
  try {
    for (const n of [1, 2, 3]) {
      await c.client.create<Pod>(R.pods, "default", {
        metadata: { name: `agent-${n}` },
        spec: {
          containers: [{ name: "agent", image: "agent:1" }],
          // Simulated nodes register gated (no gate controller runs here): these pods are the nodes' gating daemons.
          tolerations: [daemonsNotReadyToleration()],
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [`node-${n}`] }] }] } } },
        },
      });
    }
    const list = () => c.client.list<Pod>(R.pods, "default");
    for (let i = 0; i < 500 && !(await list()).items.every((p) => p.spec?.nodeName); i++) await settle(2);
    c.clock.advance(1000);
    for (let i = 0; i < 500 && !(await list()).items.every((p) => p.status?.phase === "Running"); i++) await settle(2);
    const pods = (await list()).items;
    assert.deepEqual(pods.map((p) => [p.spec?.nodeName, p.status?.phase, p.status?.hostIP]).sort(),
      [["node-1", "Running", "10.0.0.1"], ["node-2", "Running", "10.0.0.2"], ["node-3", "Running", "10.0.0.3"]]);
    await c.client.delete(R.pods, "default", "agent-2");
    await settle(20);
    c.clock.advance(1000);
    for (let i = 0; i < 500 && (await list()).items.length !== 2; i++) await settle(2);
    assert.deepEqual((await list()).items.map((p) => p.metadata?.name).sort(), ["agent-1", "agent-3"]);
  } finally {
    await c.stop(...runs);
  }
});
