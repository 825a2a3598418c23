import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startEtcdCluster, type EtcdCluster } from "../storage/testing/etcd-cluster.js";
import { fixturePath } from "./fixtures.js";
import { eventually, kubectlStream, startTestCluster, type TestCluster } from "./harness.js";

const election = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

/** Two API servers on one etcd, sharing a data dir (CA, tokens): one cluster, driven by the real kubectl. */
describe("two API servers on one etcd", () => {
  let etcd: EtcdCluster;
  let shared: string;
  let a: TestCluster;
  let b: TestCluster;
  before(async () => {
    etcd = await startEtcdCluster();
    shared = await mkdtemp(join(tmpdir(), "everynode-shared-"));
    const storage = { kind: "etcd" as const, endpoints: etcd.endpoints };
    a = await startTestCluster({ storage, dataDir: shared, nodes: 3, leaderElection: election });
    b = await startTestCluster({ storage, dataDir: shared, nodes: 3, leaderElection: election });
  });
  after(async () => {
    await a.stop().catch(() => undefined);
    await b.stop().catch(() => undefined);
    await etcd.stop();
    await rm(shared, { recursive: true, force: true });
  });

  const holder = async (c: TestCluster): Promise<string> =>
    (await c.kubectlOk(["get", "lease", "-n", "kube-system", "everynode-controller-manager", "-o", "jsonpath={.spec.holderIdentity}"])).trim();

  test("writes through one server reach a watch on the other in order, without gaps", async () => {
    const watch = kubectlStream(b, ["get", "namespaces", "-w", "-o", "name"]);
    try {
      await watch.waitFor(/namespace\/default/, 10_000);
      for (let i = 0; i < 20; i++) await a.kubectlOk(["create", "namespace", `order-${String(i).padStart(2, "0")}`]);
      await watch.waitFor(/namespace\/order-19/, 15_000);
      const seen = watch.output().split("\n").map((l) => /^namespace\/(order-\d+)$/.exec(l.trim())?.[1]).filter((n) => n !== undefined);
      assert.deepEqual(seen, Array.from({ length: 20 }, (_, i) => `order-${String(i).padStart(2, "0")}`));
    } finally {
      await watch.stop();
    }
  });

  test("the seed DaemonSet created through one server converges and reads the same through both", async () => {
    assert.equal((await a.kubectlOk(["create", "-f", fixturePath("daemon-set-definition.yaml")])).trim(), "daemonset.apps/monitoring-daemon created");
    for (const c of [a, b]) {
      await eventually(async () => {
        const row = (await c.kubectlOk(["get", "ds", "monitoring-daemon", "--no-headers"])).trim();
        assert.match(row, /^monitoring-daemon\s+3\s+3\s+3\s+3\s+3\s/);
      }, 30_000);
    }
    const pods = async (c: TestCluster): Promise<string[]> =>
      (await c.kubectlOk(["get", "pods", "-l", "app=monitoring-agent", "-o", "jsonpath={.items[*].spec.nodeName}"])).trim().split(" ").sort();
    assert.deepEqual(await pods(a), ["node-1", "node-2", "node-3"]);
    assert.deepEqual(await pods(b), await pods(a));
    assert.equal(await holder(a), await holder(b), "one leader, seen alike through both servers");
  });

  test("each server's /metrics reports leader_election_master_status: 1 on the Lease holder, 0 on the other", async () => {
    const status = async (c: TestCluster): Promise<string | undefined> =>
      /^leader_election_master_status\{name="everynode-controller-manager"\} (\d+)$/m.exec(await c.kubectlOk(["get", "--raw", "/metrics"]))?.[1];
    const leader = await holder(a);
    for (const c of [a, b]) assert.equal(await status(c), c.plane.identity === leader ? "1" : "0", `server ${c.plane.identity ?? ""} (holder ${leader})`);
  });

  test("when the leading server stops, the other takes over and finishes a rollout", async () => {
    const leader = await holder(a);
    const [gone, survivor] = leader.length > 0 && a.plane.identity === leader ? [a, b] : [b, a];
    assert.equal(gone.plane.identity, leader, "the lease names one of the two servers");
    await survivor.kubectlOk(["set", "image", "ds/monitoring-daemon", "*=monitoring-agent:v2"]);
    await gone.stop();
    await eventually(async () => assert.equal(await holder(survivor), survivor.plane.identity), election.leaseDurationMs * 4);
    await eventually(async () => assert.match(await survivor.kubectlOk(["get", "--raw", "/metrics"]), /^leader_election_master_status\{name="everynode-controller-manager"\} 1$/m, "the new leader reports it"), 5_000);
    const out = await survivor.kubectlOk(["rollout", "status", "ds/monitoring-daemon", "--timeout=60s"]);
    assert.match(out, /successfully rolled out/);
    const images = (await survivor.kubectlOk(["get", "pods", "-l", "app=monitoring-agent", "-o", "jsonpath={.items[*].spec.containers[0].image}"])).trim().split(" ");
    assert.deepEqual(images, ["monitoring-agent:v2", "monitoring-agent:v2", "monitoring-agent:v2"]);
  });
});
