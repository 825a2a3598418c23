import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Lease, Node, Pod } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { NodeSimulator, nodeWorkers, type NodeSimulatorOptions } from "./node-simulator.js";
import { simulatedAnnotation } from "./node-status.js";
import { R, startCluster, type TestCluster } from "./testing/cluster.js";

type Extra = Partial<Omit<NodeSimulatorOptions, "client" | "informers">>;

async function withSimulator(extra: Extra, body: (c: TestCluster, sim: NodeSimulator) => Promise<void>): Promise<void> {
  const c = await startCluster();
  const sim = new NodeSimulator({ client: c.client, informers: c.informers, clock: c.clock, now: c.now, random: () => 0.5, graceScale: 0.01, ...extra });
  c.startInformers();
  const run = sim.run(c.signal);
  try {
    await body(c, sim);
  } finally {
    await c.stop(run);
  }
}

function pod(name: string, node: string | undefined, image = "nginx:1.27"): Pod {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" },
    spec: { nodeName: node, containers: [{ name: "app", image }, { name: "side", image: "busybox" }] },
  };
}

/** Polls the API (not a cache) until `check` passes on the object, then returns it. */
async function waitFor<T>(c: TestCluster, read: () => Promise<T>, check: (obj: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  await eventuallyAsync(async () => {
    try {
      last = await read();
      return check(last);
    } catch {
      return false;
    }
  }, what);
  return last as T;
}

async function eventuallyAsync(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await cond()) return;
    await settle(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const getPod = (c: TestCluster, name: string) => () => c.client.get<Pod>(R.pods, "default", name);
const condition = (p: Pod, type: string) => p.status?.conditions?.find((x) => x.type === type)?.status;

describe("NodeSimulator nodes", () => {
  test("creates node-1..N registered and ready, with labels, addresses, nodeInfo and leases", async () => {
    await withSimulator({ nodeCount: 3, capacity: { cpu: "8" } }, async (c) => {
      await waitFor(c, () => c.client.list<Lease>(R.leases, "kube-node-lease"), (l) => l.items.length === 3, "3 leases");
      const nodes = (await c.client.list<Node>(R.nodes, undefined)).items;
      assert.deepEqual(nodes.map((n) => n.metadata?.name).sort(), ["node-1", "node-2", "node-3"]);
      const n1 = nodes.find((n) => n.metadata?.name === "node-1")!;
      assert.equal(n1.metadata?.annotations?.[simulatedAnnotation], "true");
      assert.deepEqual(n1.metadata?.labels, { "kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" });
      assert.deepEqual(n1.status?.capacity, { cpu: "8", memory: "16Gi", pods: "110" });
      assert.deepEqual(n1.status?.allocatable, n1.status?.capacity);
      const ready = n1.status?.conditions?.find((x) => x.type === "Ready");
      assert.equal(ready?.status, "True");
      assert.equal(ready?.reason, "KubeletReady");
      assert.equal(ready?.message, "kubelet is posting ready status");
      assert.deepEqual(n1.status?.conditions?.map((x) => `${x.type}=${x.status}`), ["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True"]);
      assert.deepEqual(n1.status?.addresses, [{ type: "InternalIP", address: "10.0.0.1" }, { type: "Hostname", address: "node-1" }]);
      assert.equal(n1.status?.nodeInfo?.kubeletVersion, "v1.32.0");
      assert.equal(n1.status?.nodeInfo?.containerRuntimeVersion, "everynode://0.1.0");
      assert.equal(n1.status?.nodeInfo?.operatingSystem, "linux");
      assert.equal(n1.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
      const lease = await c.client.get<Lease>(R.leases, "kube-node-lease", "node-2");
      assert.equal(lease.spec?.holderIdentity, "node-2");
      assert.equal(lease.spec?.leaseDurationSeconds, 40);
      assert.equal(lease.spec?.renewTime, "2026-01-01T00:00:00.000000Z");
      const node2 = nodes.find((n) => n.metadata?.name === "node-2")!;
      assert.deepEqual(lease.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [["Node", "node-2", node2.metadata?.uid]]);
    });
  });

  test("renews leases on the interval and posts status heartbeats", async () => {
    await withSimulator({ nodeCount: 2 }, async (c) => {
      await waitFor(c, () => c.client.list<Lease>(R.leases, "kube-node-lease"), (l) => l.items.length === 2, "leases");
      c.clock.advance(10_000);
      const renewed = await waitFor(c, () => c.client.list<Lease>(R.leases, "kube-node-lease"),
        (l) => l.items.every((x) => x.spec?.renewTime !== "2026-01-01T00:00:00.000000Z"), "renewed leases");
      for (const l of renewed.items) assert.ok(Date.parse(l.spec?.renewTime ?? "") <= Date.parse("2026-01-01T00:00:10Z"));
      const beat = (n: Node) => n.status?.conditions?.find((x) => x.type === "Ready")?.lastHeartbeatTime;
      assert.equal(beat(await c.client.get<Node>(R.nodes, undefined, "node-1")), "2026-01-01T00:00:00Z");
      c.clock.advance(60_000);
      await settle();
      c.clock.advance(60_000);
      const n1 = await waitFor(c, () => c.client.get<Node>(R.nodes, undefined, "node-1"), (n) => beat(n) !== "2026-01-01T00:00:00Z", "heartbeat");
      const ready = n1.status?.conditions?.find((x) => x.type === "Ready");
      assert.equal(ready?.lastTransitionTime, "2026-01-01T00:00:00Z");
    });
  });

  test("simulates nodes created through the API with the annotation, ignores others, stops on delete", async () => {
    await withSimulator({}, async (c, sim) => {
      await c.client.create<Node>(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "plain" } });
      await c.client.create<Node>(R.nodes, undefined, {
        apiVersion: "v1", kind: "Node",
        metadata: { name: "edge-7", labels: { "kubernetes.io/os": "custom", zone: "a" }, annotations: { [simulatedAnnotation]: "true" } },
      });
      const edge = await waitFor(c, () => c.client.get<Node>(R.nodes, undefined, "edge-7"), (n) => condition0(n) === "True", "edge-7 ready");
      assert.deepEqual(edge.metadata?.labels, { "kubernetes.io/os": "custom", zone: "a", "kubernetes.io/hostname": "edge-7", "kubernetes.io/arch": "amd64" });
      assert.equal(edge.status?.capacity?.cpu, "4");
      await waitFor(c, () => c.client.get<Lease>(R.leases, "kube-node-lease", "edge-7"), (l) => l.spec?.holderIdentity === "edge-7", "lease");
      assert.deepEqual(sim.simulatedNodes(), ["edge-7"]);
      await c.client.create(R.pods, "default", pod("on-plain", "plain"));
      c.clock.advance(5_000);
      await settle(50);
      const plain = await c.client.get<Node>(R.nodes, undefined, "plain");
      assert.equal(plain.status?.conditions, undefined);
      assert.equal((await c.client.get<Pod>(R.pods, "default", "on-plain")).status?.phase, "Pending");
      await assert.rejects(c.client.get(R.leases, "kube-node-lease", "plain"), /not found/);
      await c.client.patch(R.nodes, undefined, "edge-7", "merge", { metadata: { annotations: { [simulatedAnnotation]: null } } });
      await eventuallyAsync(async () => (await c.client.list(R.leases, "kube-node-lease")).items.length === 0, "lease deleted when unannotated");
      assert.deepEqual(sim.simulatedNodes(), []);
      await c.client.patch(R.nodes, undefined, "edge-7", "merge", { metadata: { annotations: { [simulatedAnnotation]: "true" } } });
      await waitFor(c, () => c.client.get<Lease>(R.leases, "kube-node-lease", "edge-7"), (l) => l.spec?.holderIdentity === "edge-7", "lease again");
      await c.client.delete(R.nodes, undefined, "edge-7");
      await eventuallyAsync(async () => (await c.client.list(R.leases, "kube-node-lease")).items.length === 0, "lease deleted");
      assert.deepEqual(sim.simulatedNodes(), []);
    });
  });
});

function condition0(n: Node): string | undefined {
  return n.status?.conditions?.find((x) => x.type === "Ready")?.status;
}

describe("NodeSimulator addresses", () => {
  test("a node created without a pod CIDR gets one no other node holds, and its addresses and pod IPs follow it", async () => {
    await withSimulator({ nodeCount: 1 }, async (c) => {
      await waitFor(c, () => c.client.list<Lease>(R.leases, "kube-node-lease"), (l) => l.items.length === 1, "node-1");
      // node-2's range is held by a hand-written node, so node-2 (created without one) gets the highest free range.
      await c.client.create(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "hand" }, spec: { podCIDR: "10.64.1.0/24", podCIDRs: ["10.64.1.0/24"] } });
      await settle(20);
      await c.client.create(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "node-2", annotations: { [simulatedAnnotation]: "true" } } });
      await c.client.create(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "worker-1", annotations: { [simulatedAnnotation]: "true" } } });
      const ready = (n: Node): boolean => n.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true;
      const worker = await waitFor(c, () => c.client.get<Node>(R.nodes, undefined, "worker-1"), ready, "worker-1 ready");
      const n1 = await c.client.get<Node>(R.nodes, undefined, "node-1");
      const n2 = await waitFor(c, () => c.client.get<Node>(R.nodes, undefined, "node-2"), ready, "node-2 ready");
      assert.equal(n2.spec?.podCIDR, "10.255.255.0/24", "its name's range is held: the highest free one");
      assert.deepEqual(worker.spec?.podCIDRs, [worker.spec?.podCIDR]);
      const cidrs = [n1, n2, worker].map((n) => n.spec?.podCIDR);
      const ips = [n1, n2, worker].map((n) => n.status?.addresses?.find((a) => a.type === "InternalIP")?.address);
      assert.equal(new Set(cidrs).size, 3, cidrs.join(" "));
      assert.equal(new Set(ips).size, 3, ips.join(" "));
      await c.client.create(R.pods, "default", pod("on-worker", "worker-1"));
      await settle(50);
      c.clock.advance(1000);
      const p = await waitFor(c, getPod(c, "on-worker"), (x) => x.status?.phase === "Running", "running on worker-1");
      assert.equal(p.status?.hostIP, ips[2]);
      assert.equal(`${(p.status?.podIP ?? "").split(".").slice(0, 3).join(".")}.0/24`, worker.spec?.podCIDR);
    });
  });
});

describe("NodeSimulator pods", () => {
  test("a bound pod goes Pending → Running and Ready after the stage delay", async () => {
    await withSimulator({ nodeCount: 2 }, async (c) => {
      await waitFor(c, () => c.client.list<Lease>(R.leases, "kube-node-lease"), (l) => l.items.length === 2, "nodes");
      await c.client.create(R.pods, "default", pod("web", "node-1"));
      await settle(50);
      c.clock.advance(999);
      await settle(50);
      assert.equal((await c.client.get<Pod>(R.pods, "default", "web")).status?.phase, "Pending");
      c.clock.advance(1);
      const p = await waitFor(c, getPod(c, "web"), (x) => x.status?.phase === "Running", "running");
      for (const t of ["Initialized", "Ready", "ContainersReady", "PodScheduled"]) assert.equal(condition(p, t), "True", t);
      assert.equal(p.status?.hostIP, "10.0.0.1");
      assert.match(p.status?.podIP ?? "", /^10\.64\.0\.\d+$/);
      assert.deepEqual(p.status?.podIPs, [{ ip: p.status?.podIP }]);
      assert.equal(p.status?.startTime, "2026-01-01T00:00:01Z");
      assert.deepEqual(p.status?.containerStatuses?.map((s) => [s.name, s.ready, s.restartCount, s.state?.running?.startedAt]),
        [["app", true, 0, "2026-01-01T00:00:01Z"], ["side", true, 0, "2026-01-01T00:00:01Z"]]);
      await c.client.create(R.pods, "default", pod("web2", "node-1"));
      await settle(50);
      c.clock.advance(1000);
      const p2 = await waitFor(c, getPod(c, "web2"), (x) => x.status?.phase === "Running", "second running");
      assert.notEqual(p2.status?.podIP, p.status?.podIP);
    });
  });

  test("a deleted pod's containers stop promptly: it is removed after the short stop delay, not the grace period", async () => {
    await withSimulator({ nodeCount: 1 }, async (c) => {
      await c.client.create(R.pods, "default", { ...pod("quick", "node-1"), spec: { ...pod("quick", "node-1").spec!, terminationGracePeriodSeconds: 3000 } });
      await settle(50);
      c.clock.advance(1000);
      await waitFor(c, getPod(c, "quick"), (x) => x.status?.phase === "Running", "running");
      await c.client.delete(R.pods, "default", "quick");
      await settle(50);
      c.clock.advance(499);
      await settle(50);
      await c.client.get<Pod>(R.pods, "default", "quick");
      c.clock.advance(1);
      await eventuallyAsync(async () => (await c.client.list(R.pods, "default")).items.length === 0, "pod deleted");
    });
  });

  test("slow-stop images finish graceful deletion after the scaled grace period", async () => {
    await withSimulator({ nodeCount: 1 }, async (c) => {
      const slow = pod("gone", "node-1", "everynode.dev/slow-stop:1");
      await c.client.create(R.pods, "default", { ...slow, spec: { ...slow.spec!, terminationGracePeriodSeconds: 30 } });
      await settle(50);
      c.clock.advance(1000);
      await waitFor(c, getPod(c, "gone"), (x) => x.status?.phase === "Running", "running");
      await c.client.delete(R.pods, "default", "gone");
      const deleting = await c.client.get<Pod>(R.pods, "default", "gone");
      assert.equal(deleting.metadata?.deletionGracePeriodSeconds, 30);
      await settle(50);
      c.clock.advance(299);
      await settle(50);
      await c.client.get<Pod>(R.pods, "default", "gone");
      c.clock.advance(1);
      await eventuallyAsync(async () => (await c.client.list(R.pods, "default")).items.length === 0, "pod deleted");
    });
  });

  test("image-triggered faults: failing, never-ready and crash-looping pods", async () => {
    await withSimulator({ nodeCount: 1 }, async (c) => {
      await c.client.create(R.pods, "default", pod("bad", "node-1", "everynode.dev/fail:1"));
      await c.client.create(R.pods, "default", pod("slow", "node-1", "everynode.dev/not-ready"));
      await c.client.create(R.pods, "default", pod("crash", "node-1", "everynode.dev/crash:2"));
      await settle(50);
      c.clock.advance(1000);
      const bad = await waitFor(c, getPod(c, "bad"), (x) => x.status?.phase === "Failed", "failed");
      assert.equal(bad.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
      assert.equal(condition(bad, "Ready"), "False");
      const slow = await waitFor(c, getPod(c, "slow"), (x) => x.status?.phase === "Running", "not ready");
      assert.equal(condition(slow, "Ready"), "False");
      assert.equal(slow.status?.conditions?.find((x) => x.type === "Ready")?.reason, "ContainersNotReady");
      await waitFor(c, getPod(c, "crash"), (x) => x.status?.phase === "Running", "crash started");
      await settle(50);
      c.clock.advance(5000);
      const crashed = await waitFor(c, getPod(c, "crash"), (x) => x.status?.containerStatuses?.[0]?.restartCount === 1, "crashed");
      assert.equal(crashed.status?.containerStatuses?.[0]?.state?.waiting?.reason, "CrashLoopBackOff");
      assert.equal(crashed.status?.containerStatuses?.[0]?.lastState?.terminated?.reason, "Error");
      await settle(50);
      c.clock.advance(10_000);
      await waitFor(c, getPod(c, "crash"), (x) => x.status?.containerStatuses?.[0]?.state?.running !== undefined, "restarted");
      c.clock.advance(60_000);
      await settle(50);
      assert.equal((await c.client.get<Pod>(R.pods, "default", "slow")).status?.phase, "Running");
      assert.equal((await c.client.get<Pod>(R.pods, "default", "bad")).status?.phase, "Failed");
    });
  });

  test("pods that run to completion finish: Never and OnFailure succeed; on a node simulating `fail` they fail", async () => {
    await withSimulator({ nodeCount: 2 }, async (c) => {
      await waitFor(c, () => c.client.get<Node>(R.nodes, undefined, "node-2"), () => true, "node-2");
      await c.client.patch(R.nodes, undefined, "node-2", "merge", { metadata: { annotations: { "everynode.dev/simulate-fault": "fail" } } });
      const job = (name: string, node: string, restartPolicy: string): Pod => ({ ...pod(name, node), spec: { nodeName: node, restartPolicy, containers: [{ name: "task", image: "busybox" }] } });
      await c.client.create(R.pods, "default", job("once", "node-1", "Never"));
      await c.client.create(R.pods, "default", job("retry", "node-1", "OnFailure"));
      await c.client.create(R.pods, "default", job("doomed", "node-2", "Never"));
      await c.client.create(R.pods, "default", job("restarting", "node-2", "OnFailure"));
      for (let i = 0; i < 4; i++) {
        await settle(50);
        c.clock.advance(1500);
      }
      for (const name of ["once", "retry"]) {
        const done = await waitFor(c, getPod(c, name), (x) => x.status?.phase === "Succeeded", `${name} succeeded`);
        assert.deepEqual(done.status?.containerStatuses?.[0]?.state?.terminated?.reason, "Completed");
        assert.equal(done.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 0);
        assert.equal(done.status?.conditions?.find((x) => x.type === "Ready")?.reason, "PodCompleted");
      }
      const doomed = await waitFor(c, getPod(c, "doomed"), (x) => x.status?.phase === "Failed", "doomed failed");
      assert.equal(doomed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 1);
      const restarting = await waitFor(c, getPod(c, "restarting"), (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, "restarted in place");
      assert.equal(restarting.status?.phase, "Running");
      assert.equal(restarting.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    });
  });

  test("a share-limited fault stage applies to the drawn share of pods", async () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    let i = 0;
    const stages = {
      stages: [
        { name: "flaky", selector: { phases: ["Pending"], share: 0.5 }, next: { phase: "Failed" as const } },
        { name: "ok", selector: { phases: ["Pending"] }, delay: { ms: 10 }, next: { phase: "Running" as const, ready: true, containers: { state: "running" as const } } },
      ],
    };
    await withSimulator({ nodeCount: 1, stages, random: () => draws[i++ % draws.length]! }, async (c) => {
      for (const n of ["a", "b", "c", "d"]) {
        await c.client.create(R.pods, "default", pod(n, "node-1"));
        await settle(30); // observed (and its share drawn) before the next pod exists
      }
      c.clock.advance(10);
      await eventuallyAsync(async () => (await c.client.list<Pod>(R.pods, "default")).items.every((p) => p.status?.phase !== "Pending"), "all moved");
      const phases = (await c.client.list<Pod>(R.pods, "default")).items.map((p) => `${p.metadata?.name}=${p.status?.phase}`).sort();
      assert.deepEqual(phases, ["a=Failed", "b=Running", "c=Failed", "d=Running"]);
    });
  });

  test("pods that are unbound or on nodes that are not simulated are left alone", async () => {
    await withSimulator({ nodeCount: 1 }, async (c) => {
      await c.client.create(R.pods, "default", pod("unbound", undefined));
      await c.client.create(R.pods, "default", pod("elsewhere", "real-node"));
      await settle(50);
      c.clock.advance(10_000);
      await settle(100);
      for (const n of ["unbound", "elsewhere"]) assert.equal((await c.client.get<Pod>(R.pods, "default", n)).status?.phase, "Pending");
    });
  });
});

describe("nodeWorkers", () => {
  const cases: [string, number, number, number][] = [
    ["small clusters keep the configured concurrency", 64, 3, 64],
    ["up to 6,400 nodes still 64", 64, 6_400, 64],
    ["one per 100 nodes beyond", 64, 10_000, 100],
    ["50,000 nodes: 500 node writes in flight", 64, 50_000, 500],
    ["rounded up", 1, 101, 2],
  ];
  for (const [name, concurrency, nodes, want] of cases) test(name, () => assert.equal(nodeWorkers(concurrency, nodes), want));
});
