import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mustFindResource } from "../api/resources.js";
import type { CoreEvent, Node, Pod, PodSpec, Taint } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { R, type TestCluster } from "../simulator/testing/cluster.js";
import { until, withScheduler } from "./testing/scheduler-cluster.js";

interface NodeShape { labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; cpu?: string; memory?: string; pods?: string }

function node(name: string, s: NodeShape = {}): Node {
  const allocatable = { cpu: s.cpu ?? "4", memory: s.memory ?? "16Gi", pods: s.pods ?? "110" };
  return {
    apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/hostname": name, ...s.labels } },
    spec: { taints: s.taints, unschedulable: s.unschedulable },
    status: { capacity: allocatable, allocatable },
  };
}

function pod(name: string, spec: Partial<PodSpec> = {}): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { containers: [{ name: "c", image: "nginx" }], ...spec } };
}

function pinned(nodeName: string): Partial<PodSpec> {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeName] }] }] } } } };
}

const controlPlane: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

const getPod = (c: TestCluster, name: string) => () => c.client.get<Pod>(R.pods, "default", name);
const boundTo = (c: TestCluster, name: string) => until(getPod(c, name), (p) => Boolean(p.spec?.nodeName), `${name} bound`).then((p) => p.spec?.nodeName);
const scheduledCondition = (p: Pod) => p.status?.conditions?.find((x) => x.type === "PodScheduled");
const unschedulableMessage = (c: TestCluster, name: string) =>
  until(getPod(c, name), (p) => scheduledCondition(p)?.status === "False", `${name} unschedulable`).then((p) => scheduledCondition(p));

async function eventsFor(c: TestCluster, podName: string): Promise<CoreEvent[]> {
  return (await c.client.list<CoreEvent>(R.events, "default")).items.filter((e) => e.involvedObject.name === podName);
}

describe("Scheduler binding", () => {
  test("binds to the only feasible node and records a Scheduled event", async () => {
    await withScheduler([node("a"), node("b", { labels: { disk: "ssd" } }), node("c")], async (c) => {
      await c.client.create(R.pods, "default", pod("web", { nodeSelector: { disk: "ssd" } }));
      assert.equal(await boundTo(c, "web"), "b");
      const p = await c.client.get<Pod>(R.pods, "default", "web");
      assert.equal(scheduledCondition(p)?.status, "True");
      const events = await until(() => eventsFor(c, "web"), (e) => e.length > 0, "event");
      assert.equal(events[0]?.reason, "Scheduled");
      assert.equal(events[0]?.type, "Normal");
      assert.equal(events[0]?.message, "Successfully assigned default/web to b");
      assert.equal(events[0]?.source?.component, "default-scheduler");
    });
  });

  const cases: [string, Node[], Partial<PodSpec>, string][] = [
    ["matchFields metadata.name (DaemonSet pods)", [node("a"), node("b"), node("c")], pinned("c"), "c"],
    ["required node affinity expressions", [node("a", { labels: { zone: "x" } }), node("b", { labels: { zone: "y" } })],
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "NotIn", values: ["x"] }] }] } } } }, "b"],
    ["untolerated NoSchedule taint", [node("a", { taints: [controlPlane] }), node("b", { taints: [{ key: "k", value: "v", effect: "NoExecute" }] }), node("c")], {}, "c"],
    ["tolerated taint", [node("a", { taints: [controlPlane] }), node("b", { unschedulable: true })], { tolerations: [{ key: controlPlane.key, operator: "Exists" }] }, "a"],
    ["PreferNoSchedule taints do not filter", [node("a", { taints: [{ key: "soft", effect: "PreferNoSchedule" }], cpu: "1" })], {}, "a"],
    ["unschedulable nodes", [node("a", { unschedulable: true }), node("b")], {}, "b"],
    ["unschedulable tolerated", [node("a", { unschedulable: true }), node("b", { taints: [controlPlane] })],
      { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }, "a"],
    ["cpu requests", [node("a", { cpu: "500m" }), node("b", { cpu: "2" })], { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "1" } } }] }, "b"],
    ["memory requests", [node("a", { memory: "1Gi" }), node("b", { memory: "3Gi" })], { containers: [{ name: "c", image: "x", resources: { requests: { memory: "2Gi" } } }] }, "b"],
    ["least allocated wins among feasible nodes", [node("a", { cpu: "2" }), node("b", { cpu: "8" })], {}, "b"],
  ];
  for (const [name, nodes, spec, want] of cases) {
    test(name, async () => {
      await withScheduler(nodes, async (c) => {
        await c.client.create(R.pods, "default", pod("p", spec));
        assert.equal(await boundTo(c, "p"), want);
      });
    });
  }

  test("pods count against the node: pod count, resources and host ports", async () => {
    await withScheduler([node("a", { pods: "2", cpu: "2" }), node("b", { cpu: "2" })], async (c) => {
      const big = { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "1500m" } } }] };
      await c.client.create(R.pods, "default", pod("big-1", { ...big, nodeSelector: { "kubernetes.io/hostname": "a" } }));
      assert.equal(await boundTo(c, "big-1"), "a");
      await c.client.create(R.pods, "default", pod("big-2", big));
      assert.equal(await boundTo(c, "big-2"), "b", "a has only 500m left");
      const port = { containers: [{ name: "c", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] }] };
      await c.client.create(R.pods, "default", pod("port-1", { ...port, nodeSelector: { "kubernetes.io/hostname": "b" } }));
      assert.equal(await boundTo(c, "port-1"), "b");
      await c.client.create(R.pods, "default", pod("port-2", port));
      assert.equal(await boundTo(c, "port-2"), "a", "8080 is taken on b");
      await c.client.create(R.pods, "default", pod("third-on-a", pinned("a")));
      const cond = await unschedulableMessage(c, "third-on-a");
      assert.equal(cond?.message, "0/2 nodes are available: 1 Too many pods, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.");
      await c.client.delete(R.pods, "default", "big-1", { gracePeriodSeconds: 0 });
      c.clock.advance(1000);
      assert.equal(await boundTo(c, "third-on-a"), "a", "freed slot is retried");
    });
  });

  test("pods of other schedulers, bound pods and gated pods are left alone", async () => {
    await withScheduler([node("a")], async (c) => {
      await c.client.create(R.pods, "default", pod("other", { schedulerName: "custom" }));
      await c.client.create(R.pods, "default", pod("gated", { schedulingGates: [{ name: "wait" }] }));
      await c.client.create(R.pods, "default", pod("mine"));
      assert.equal(await boundTo(c, "mine"), "a");
      await settle(50);
      for (const n of ["other", "gated"]) assert.equal((await c.client.get<Pod>(R.pods, "default", n)).spec?.nodeName, undefined);
    });
  });

  test("binds many pinned pods across many nodes", async () => {
    const nodes = Array.from({ length: 60 }, (_, i) => node(`n-${i}`));
    await withScheduler(nodes, async (c) => {
      for (let i = 0; i < 60; i++) await c.client.create(R.pods, "default", pod(`ds-${i}`, pinned(`n-${i}`)));
      const pods = await until(() => c.client.list<Pod>(R.pods, "default"), (l) => l.items.every((p) => p.spec?.nodeName), "all bound");
      for (const p of pods.items) assert.equal(p.spec?.nodeName, p.metadata?.name?.replace("ds-", "n-"));
    }, { bindConcurrency: 8 });
  });
});

describe("Scheduler failures", () => {
  test("unschedulable pods get the upstream condition and FailedScheduling event, then bind once a node fits", async () => {
    const nodes = [node("a"), node("b", { labels: { role: "db" }, taints: [controlPlane] }), node("c", { labels: { role: "db" }, taints: [controlPlane] })];
    await withScheduler(nodes, async (c) => {
      await c.client.create(R.pods, "default", pod("db", { nodeSelector: { role: "db" } }));
      const expected = "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
      const cond = await unschedulableMessage(c, "db");
      assert.equal(cond?.reason, "Unschedulable");
      assert.equal(cond?.message, expected);
      const events = await until(() => eventsFor(c, "db"), (e) => e.length > 0, "event");
      assert.deepEqual([events[0]?.type, events[0]?.reason, events[0]?.message, events[0]?.source?.component], ["Warning", "FailedScheduling", expected, "default-scheduler"]);
      await c.client.patch(R.nodes, undefined, "a", "merge", { metadata: { labels: { role: "db" } } });
      await settle(50);
      assert.equal((await c.client.get<Pod>(R.pods, "default", "db")).spec?.nodeName, undefined, "still backing off");
      c.clock.advance(1000);
      assert.equal(await boundTo(c, "db"), "a");
      assert.equal(scheduledCondition(await c.client.get<Pod>(R.pods, "default", "db"))?.status, "True");
    });
  });

  test("a pod waiting for a node that does not exist yet binds when it is created", async () => {
    await withScheduler([node("a")], async (c) => {
      await c.client.create(R.pods, "default", pod("ds", pinned("late")));
      const cond = await unschedulableMessage(c, "ds");
      assert.equal(cond?.message, "0/1 nodes are available: 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
      await c.client.create(R.nodes, undefined, node("late"));
      c.clock.advance(1000);
      assert.equal(await boundTo(c, "ds"), "late");
    });
  });

  test("with no nodes the message says so; node additions and allocatable changes are retried", async () => {
    await withScheduler([], async (c) => {
      await c.client.create(R.pods, "default", pod("lonely", { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "1" } } }] }));
      assert.equal((await unschedulableMessage(c, "lonely"))?.message, "no nodes available to schedule pods");
      await c.client.create(R.nodes, undefined, node("x", { cpu: "100m" }));
      c.clock.advance(1000);
      await until(getPod(c, "lonely"), (p) => scheduledCondition(p)?.message !== "no nodes available to schedule pods", "new message");
      assert.equal(scheduledCondition(await c.client.get<Pod>(R.pods, "default", "lonely"))?.message,
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
      await c.client.patch(R.nodes, undefined, "x", "merge", { status: { allocatable: { cpu: "4" } } }, { subresource: "status" });
      c.clock.advance(2000);
      assert.equal(await boundTo(c, "lonely"), "x");
    });
  });

  test("insufficient resources and preemptionPolicy Never", async () => {
    await withScheduler([node("a", { cpu: "1" }), node("b", { cpu: "1", memory: "1Gi" })], async (c) => {
      const priorityClasses = mustFindResource("scheduling.k8s.io", "priorityclasses");
      await c.client.create(priorityClasses, undefined, { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass", metadata: { name: "never" }, value: 10, preemptionPolicy: "Never" });
      await c.client.create(R.pods, "default", pod("huge", {
        priorityClassName: "never",
        containers: [{ name: "c", image: "x", resources: { requests: { cpu: "2", memory: "2Gi" } } }],
      }));
      assert.equal((await unschedulableMessage(c, "huge"))?.message,
        "0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
      c.clock.advance(60_000);
      await settle(50);
      c.clock.advance(60_000);
      await until(() => eventsFor(c, "huge"), (e) => (e[0]?.count ?? 0) >= 2, "retried periodically");
    }, { retryIntervalMs: 60_000 });
  });
});
