import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mustFindResource } from "../api/resources.js";
import type { CoreEvent, Node, Pod, PodSpec } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { R, type TestCluster } from "../simulator/testing/cluster.js";
import { until, withScheduler } from "./testing/scheduler-cluster.js";

const priorityClasses = mustFindResource("scheduling.k8s.io", "priorityclasses");

function node(name: string, cpu: string, pods = "110"): Node {
  const allocatable = { cpu, memory: "16Gi", pods };
  return { apiVersion: "v1", kind: "Node", metadata: { name }, status: { capacity: allocatable, allocatable } };
}

function pod(name: string, cpu: string, spec: Partial<PodSpec> = {}): Pod {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" },
    spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu } } }], ...spec },
  };
}

function pinned(nodeName: string): Partial<PodSpec> {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }] } } } };
}

/** Runs `body` with the PriorityClasses low (10), mid (500), high (1000) and high-never (1000, Never) in place. */
async function withClasses(nodes: Node[], body: (c: TestCluster) => Promise<void>): Promise<void> {
  await withScheduler(nodes, async (c) => {
    for (const [name, value, policy] of [["low", 10, undefined], ["mid", 500, undefined], ["high", 1000, undefined], ["high-never", 1000, "Never"]] as const) {
      await c.client.create(priorityClasses, undefined, { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name }, value, preemptionPolicy: policy });
    }
    await body(c);
  });
}

const get = (c: TestCluster, name: string) => () => c.client.get<Pod>(R.pods, "default", name);
const bound = (c: TestCluster, name: string) => until(get(c, name), (p) => Boolean(p.spec?.nodeName), `${name} bound`);
const events = async (c: TestCluster, name: string, reason: string): Promise<CoreEvent[]> =>
  (await c.client.list<CoreEvent>(R.events, "default")).items.filter((e) => e.involvedObject.name === name && e.reason === reason);
const podNames = async (c: TestCluster): Promise<string[]> => (await c.client.list<Pod>(R.pods, "default")).items.map((p) => p.metadata?.name ?? "").sort();

/** Finishes the graceful deletion of a pod (the kubelet's part) once it is marked for deletion. */
async function finishDeletion(c: TestCluster, name: string): Promise<void> {
  await until(get(c, name), (p) => Boolean(p.metadata?.deletionTimestamp), `${name} marked for deletion`);
  await c.client.delete(R.pods, "default", name, { gracePeriodSeconds: 0 });
}

describe("Scheduler preemption", () => {
  test("a pinned high-priority pod evicts the fewest lower-priority pods, is nominated, then binds", async () => {
    await withClasses([node("a", "2"), node("b", "8")], async (c) => {
      for (const [name, cls, cpu] of [["low-1", "low", "500m"], ["low-2", "low", "1"], ["mid", "mid", "500m"]] as const) {
        await c.client.create(R.pods, "default", pod(name, cpu, { priorityClassName: cls, ...pinned("a") }));
        await bound(c, name);
      }
      const high = await c.client.create<Pod>(R.pods, "default", pod("daemon", "1", { priorityClassName: "high", ...pinned("a") }));
      const nominated = await until(get(c, "daemon"), (p) => p.status?.nominatedNodeName === "a", "nominated");
      assert.equal(nominated.spec?.nodeName, undefined);
      assert.equal(nominated.status?.conditions?.find((x) => x.type === "PodScheduled")?.message,
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity].");
      const victim = await until(get(c, "low-2"), (p) => Boolean(p.metadata?.deletionTimestamp), "victim deleted");
      assert.deepEqual(victim.status?.conditions?.find((x) => x.type === "DisruptionTarget"), {
        type: "DisruptionTarget", status: "True", reason: "PreemptionByScheduler",
        message: "default-scheduler: preempting to accommodate a higher priority pod", lastTransitionTime: victim.status?.conditions?.find((x) => x.type === "DisruptionTarget")?.lastTransitionTime,
      });
      for (const spared of ["low-1", "mid"]) assert.equal((await get(c, spared)()).metadata?.deletionTimestamp, undefined, `${spared} spared`);
      const [preempted] = await until(() => events(c, "low-2", "Preempted"), (e) => e.length > 0, "Preempted event");
      assert.equal(preempted?.type, "Normal");
      assert.equal(preempted?.message, `Preempted by pod ${high.metadata?.uid ?? ""} on node a`);
      assert.equal(preempted?.source?.component, "default-scheduler");
      assert.equal(preempted?.action, "Preempting");
      assert.equal(preempted?.related?.name, "daemon");
      await settle(20);
      assert.equal((await get(c, "daemon")()).spec?.nodeName, undefined, "waits for the victim to go");
      // A lower-priority pod created meanwhile may not take the room held for the nominated pod.
      await c.client.create(R.pods, "default", pod("late-low", "1", { priorityClassName: "low", ...pinned("a") }));
      await c.client.delete(R.pods, "default", "low-2", { gracePeriodSeconds: 0 });
      c.clock.advance(2000);
      assert.equal((await bound(c, "daemon")).spec?.nodeName, "a");
      await settle(20);
      assert.equal((await get(c, "late-low")()).spec?.nodeName, undefined);
      assert.deepEqual(await podNames(c), ["daemon", "late-low", "low-1", "mid"]);
    });
  });

  test("a host port held by a lower-priority pod is freed by preemption", async () => {
    await withClasses([node("a", "4")], async (c) => {
      const withPort = (cls: string): Partial<PodSpec> =>
        ({ priorityClassName: cls, containers: [{ name: "c", image: "x", ports: [{ containerPort: 9100, hostPort: 9100 }] }], ...pinned("a") });
      await c.client.create(R.pods, "default", pod("exporter-old", "0", withPort("low")));
      await bound(c, "exporter-old");
      await c.client.create(R.pods, "default", pod("exporter", "0", withPort("high")));
      await finishDeletion(c, "exporter-old");
      c.clock.advance(2000);
      assert.equal((await bound(c, "exporter")).spec?.nodeName, "a");
    });
  });

  test("equal priority, preemptionPolicy Never and pods on other nodes are never victims", async () => {
    await withClasses([node("a", "1"), node("b", "1")], async (c) => {
      await c.client.create(R.pods, "default", pod("peer", "1", { priorityClassName: "high", ...pinned("a") }));
      await c.client.create(R.pods, "default", pod("low-b", "1", { priorityClassName: "low", ...pinned("b") }));
      await bound(c, "peer");
      await bound(c, "low-b");
      await c.client.create(R.pods, "default", pod("same", "1", { priorityClassName: "high", ...pinned("a") }));
      await c.client.create(R.pods, "default", pod("never", "1", { priorityClassName: "high-never", ...pinned("b") }));
      const same = await until(get(c, "same"), (p) => p.status?.conditions?.[0]?.status === "False", "same unschedulable");
      assert.equal(same.status?.conditions?.[0]?.message,
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.");
      const never = await until(get(c, "never"), (p) => p.status?.conditions?.[0]?.status === "False", "never unschedulable");
      assert.equal(never.status?.conditions?.[0]?.message,
        "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: not eligible due to preemptionPolicy=Never.");
      await settle(20);
      for (const n of ["peer", "low-b"]) assert.equal((await get(c, n)()).metadata?.deletionTimestamp, undefined);
      assert.equal(never.status?.nominatedNodeName, undefined);
    });
  });

  test("pending pods are scheduled highest priority first", async () => {
    await withClasses([], async (c) => {
      for (const [name, cls] of [["first-low", "low"], ["then-high", "high"], ["then-mid", "mid"]] as const) {
        await c.client.create(R.pods, "default", pod(name, "1", { priorityClassName: cls }));
        await until(get(c, name), (p) => p.status?.conditions?.[0]?.status === "False", `${name} waits`);
      }
      // One node with room for one pod: the highest-priority pending pod gets it.
      await c.client.create(R.nodes, undefined, node("only", "1"));
      await settle(20);
      c.clock.advance(1000);
      assert.equal((await bound(c, "then-high")).spec?.nodeName, "only");
      await settle(20);
      assert.equal((await get(c, "then-mid")()).spec?.nodeName, undefined);
      assert.equal((await get(c, "first-low")()).spec?.nodeName, undefined);
    });
  });
});
