import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findResource } from "../api/resources.js";
import type { Lease } from "../api/types.js";
import type { Client } from "../client/client.js";
import { runWithLeaderElection, tryAcquireOrRenew } from "./leader-election.js";
import { startTestCluster } from "./testing/cluster.js";

const leases = findResource("coordination.k8s.io", "leases")!;

async function setup(): Promise<{ client: Client; stop: () => Promise<void> }> {
  const c = await startTestCluster({ registryOnClock: false, namespaces: ["kube-system"] });
  return { client: c.client, stop: () => c.stop() };
}

describe("leader election on a Lease", () => {
  test("only one candidate holds an unexpired lease; it can be taken over once expired", async () => {
    const { client, stop } = await setup();
    try {
      let t = Date.parse("2026-01-01T00:00:00Z");
      const base = { client, namespace: "kube-system", name: "cm", leaseDurationMs: 15_000, now: () => new Date(t) };
      assert.equal(await tryAcquireOrRenew({ ...base, identity: "a" }), true);
      assert.equal(await tryAcquireOrRenew({ ...base, identity: "b" }), false);
      t += 5_000;
      assert.equal(await tryAcquireOrRenew({ ...base, identity: "a" }), true);
      t += 16_000;
      assert.equal(await tryAcquireOrRenew({ ...base, identity: "b" }), true);
      const lease = await client.get<Lease>(leases, "kube-system", "cm");
      assert.equal(lease.spec?.holderIdentity, "b");
      assert.equal(lease.spec?.leaseTransitions, 1);
      assert.match(lease.spec?.renewTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    } finally {
      await stop();
    }
  });

  test("runWithLeaderElection runs one leader at a time and hands over on release", async () => {
    const { client, stop } = await setup();
    try {
      const opts = { client, namespace: "kube-system", name: "cm", retryPeriodMs: 20, leaseDurationMs: 15_000, renewDeadlineMs: 1_000 };
      const outer = new AbortController();
      let leaders = 0;
      let maxLeaders = 0;
      const order: string[] = [];
      const candidate = (identity: string, holdMs: number): Promise<boolean> => runWithLeaderElection({ ...opts, identity }, outer.signal, async () => {
        leaders++;
        maxLeaders = Math.max(maxLeaders, leaders);
        order.push(identity);
        await new Promise((r) => setTimeout(r, holdMs));
        leaders--;
      });
      const [a, b] = await Promise.all([candidate("a", 150), candidate("b", 150)]);
      assert.equal(a, true);
      assert.equal(b, true);
      assert.equal(maxLeaders, 1);
      assert.deepEqual([...order].sort(), ["a", "b"]);
    } finally {
      await stop();
    }
  });
});
