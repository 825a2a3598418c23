import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mustFindResource } from "../../api/resources.js";
import type { Endpoints, EndpointSlice, KubeObject, Pod } from "../../api/types.js";
import { node, pod } from "../../apiserver/registry/testing/fixtures.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { R, settle, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { EndpointsController } from "../endpoints/endpoints-controller.js";
import { EndpointSliceController } from "./endpointslice-controller.js";

const services = mustFindResource("", "services");
const endpoints = mustFindResource("", "endpoints");
const slices = mustFindResource("discovery.k8s.io", "endpointslices");

/** Both controllers as one loop. */
class Both {
  readonly eps: EndpointsController;
  readonly slices: EndpointSliceController;
  constructor(base: ControlLoopOptions, maxEndpointsPerSlice?: number) {
    this.eps = new EndpointsController(base);
    this.slices = new EndpointSliceController({ ...base, maxEndpointsPerSlice });
  }
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.eps.run(signal), this.slices.run(signal)]);
  }
}

async function runningPod(c: TestCluster, name: string, ip: string, ready: boolean, labels = { app: "agent" }): Promise<void> {
  const p = pod(name, { labels, nodeName: "n1" }) as Pod;
  p.spec!.containers[0]!.ports = [{ name: "http", containerPort: 2020 }];
  const created = await c.client.create<Pod>(R.pods, "default", p);
  const status = { phase: "Running", podIP: ip, podIPs: [{ ip }], conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: "2024-05-01T10:00:01Z" }] };
  await c.client.updateStatus(R.pods, "default", { ...created, status });
}

function service(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: "v1", kind: "Service", metadata: { name, labels: { team: "obs" } }, spec };
}

async function managedSlices(c: TestCluster, svc: string): Promise<EndpointSlice[]> {
  return (await c.client.list<EndpointSlice>(slices, "default", { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

async function getEndpoints(c: TestCluster, name: string): Promise<Endpoints | undefined> {
  return (await c.client.list<Endpoints>(endpoints, "default")).items.find((e) => e.metadata?.name === name);
}

describe("Endpoints and EndpointSlice controllers", () => {
  test("a headless Service with a named port: ready and not-ready pods, zone, labels, trigger time, then a pod leaving", () => withControlLoop((base) => new Both(base), async (c) => {
    await c.client.create(R.nodes, undefined, node("n1", { "topology.kubernetes.io/zone": "zone-a" }));
    await runningPod(c, "a", "10.244.0.1", true);
    await runningPod(c, "b", "10.244.0.2", false);
    await runningPod(c, "other", "10.244.0.3", true, { app: "else" });
    await c.client.create(services, "default", service("agent", { clusterIP: "None", selector: { app: "agent" }, ports: [{ name: "http", port: 2020, targetPort: "http" }] }));
    await until(c.clock, async () => (await getEndpoints(c, "agent"))?.subsets?.[0]?.notReadyAddresses?.length === 1, "endpoints");
    const ep = await getEndpoints(c, "agent");
    assert.deepEqual(ep?.subsets?.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports]), [[["10.244.0.1"], ["10.244.0.2"], [{ name: "http", port: 2020, protocol: "TCP" }]]]);
    assert.deepEqual(ep?.metadata?.labels, { team: "obs", "service.kubernetes.io/headless": "" });
    assert.ok(ep?.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"]);

    await until(c.clock, async () => (await managedSlices(c, "agent")).some((s) => s.endpoints.length === 2), "slice");
    const [slice, ...more] = await managedSlices(c, "agent");
    assert.equal(more.length, 0);
    assert.equal(slice?.addressType, "IPv4");
    assert.match(slice?.metadata?.name ?? "", /^agent-/);
    assert.deepEqual(slice?.metadata?.labels, { team: "obs", "service.kubernetes.io/headless": "", "kubernetes.io/service-name": "agent", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" });
    assert.deepEqual(slice?.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [["Service", "agent", true]]);
    assert.deepEqual(slice?.ports, [{ name: "http", port: 2020, protocol: "TCP" }]);
    const byIp = Object.fromEntries(slice!.endpoints.map((e) => [e.addresses[0], e]));
    assert.deepEqual(byIp["10.244.0.1"]?.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(byIp["10.244.0.2"]?.conditions, { ready: false, serving: false, terminating: false });
    assert.deepEqual([byIp["10.244.0.1"]?.nodeName, byIp["10.244.0.1"]?.zone, byIp["10.244.0.1"]?.targetRef?.name], ["n1", "zone-a", "a"]);

    await c.client.delete(R.pods, "default", "b", { gracePeriodSeconds: 0 });
    await until(c.clock, async () => (await getEndpoints(c, "agent"))?.subsets?.[0]?.notReadyAddresses === undefined, "b gone from endpoints");
    await until(c.clock, async () => (await managedSlices(c, "agent"))[0]?.endpoints.length === 1, "b gone from slice");
  }));

  test("Services without a selector keep their Endpoints; no pods gives a placeholder slice; a deleted Service's Endpoints go", () => withControlLoop((base) => new Both(base), async (c) => {
    await c.client.create(services, "default", service("manual", { ports: [{ port: 80 }] }));
    const manual = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "manual" }, subsets: [{ addresses: [{ ip: "192.0.2.1" }], ports: [{ port: 80 }] }] };
    await c.client.create(endpoints, "default", manual);
    await c.client.create(services, "default", service("empty", { selector: { app: "none" }, ports: [{ port: 80 }] }));
    await until(c.clock, async () => (await managedSlices(c, "empty")).length === 1 && (await getEndpoints(c, "empty")) !== undefined, "empty service synced");
    assert.deepEqual((await managedSlices(c, "empty"))[0]?.endpoints ?? [], []);
    assert.equal((await getEndpoints(c, "empty"))?.subsets, undefined);
    await settle();
    assert.deepEqual((await getEndpoints(c, "manual"))?.subsets?.[0]?.addresses, [{ ip: "192.0.2.1" }]);
    assert.equal((await managedSlices(c, "manual")).length, 0);
    await c.client.delete(services, "default", "empty");
    await until(c.clock, async () => (await getEndpoints(c, "empty")) === undefined, "endpoints of a deleted service deleted");
  }));

  test("slices hold at most maxEndpointsPerSlice endpoints and follow readiness changes", () => withControlLoop((base) => new Both(base, 2), async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    for (let i = 1; i <= 5; i++) await runningPod(c, `p${i}`, `10.244.1.${i}`, true);
    await c.client.create(services, "default", service("agent", { selector: { app: "agent" }, ports: [{ name: "http", port: 80, targetPort: "http" }] }));
    const count = async (): Promise<number[]> => (await managedSlices(c, "agent")).map((s) => s.endpoints.length).sort();
    await until(c.clock, async () => JSON.stringify(await count()) === "[1,2,2]", "three slices");
    const p3 = await c.client.get<Pod>(R.pods, "default", "p3");
    await c.client.updateStatus(R.pods, "default", { ...p3, status: { ...p3.status, conditions: [{ type: "Ready", status: "False" }] } });
    await until(c.clock, async () => (await managedSlices(c, "agent")).flatMap((s) => s.endpoints).some((e) => e.addresses[0] === "10.244.1.3" && e.conditions?.ready === false), "p3 not ready");
    assert.deepEqual(await count(), [1, 2, 2]);
    const ep = await getEndpoints(c, "agent");
    assert.deepEqual(ep?.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ["10.244.1.3"]);
  }));
});
