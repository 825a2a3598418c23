import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, until, type TestCluster } from "./harness.js";

interface PodJson { metadata: { name: string }; spec: { nodeName: string }; status: { podIP?: string } }
interface SliceJson { metadata: { labels: Record<string, string> }; endpoints: Array<{ addresses: string[]; nodeName?: string; conditions: { ready: boolean; serving: boolean; terminating: boolean } }>; ports: Array<{ name: string; port: number }> }

describe("Endpoints and EndpointSlices of the logging agent's headless Service through kubectl", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectlOk([...args, "-o", "json"])) as T;

  test("kubectl get endpoints / endpointslices list every ready daemon pod with the named port resolved", async () => {
    await c.kubectlOk(["apply", "-f", fixturePath("logging-agent.yaml")]);
    await until(async () => (await c.kubectlOk(["get", "ds", "log-agent", "-n", "kube-system", "--no-headers"])).split(/\s+/).slice(1, 6).join(" ") === "3 3 3 3 3", "daemonset converged");
    const pods = (await json<{ items: PodJson[] }>(["get", "pods", "-n", "kube-system", "-l", "app.kubernetes.io/name=log-agent"])).items;
    const ips = pods.map((p) => p.status.podIP ?? "").sort();
    assert.equal(ips.filter(Boolean).length, 3);
    await until(async () => {
      const ep = await json<{ subsets?: Array<{ addresses?: Array<{ ip: string }> }> }>(["get", "endpoints", "log-agent", "-n", "kube-system"]);
      return JSON.stringify((ep.subsets?.[0]?.addresses ?? []).map((a) => a.ip).sort()) === JSON.stringify(ips);
    }, "endpoints list the three pods");
    const ep = await json<{ metadata: { labels: Record<string, string> }; subsets: Array<{ ports: Array<{ name: string; port: number; protocol: string }>; notReadyAddresses?: unknown[] }> }>(["get", "endpoints", "log-agent", "-n", "kube-system"]);
    assert.deepEqual(ep.subsets[0]?.ports, [{ name: "http", port: 2020, protocol: "TCP" }]);
    assert.equal(ep.subsets[0]?.notReadyAddresses, undefined);
    assert.equal(ep.metadata.labels["service.kubernetes.io/headless"], "");
    const table = await c.kubectlOk(["get", "endpoints", "log-agent", "-n", "kube-system"]);
    assert.match(table, /^log-agent\s+\d+\.\d+\.\d+\.\d+:2020,\d+\.\d+\.\d+\.\d+:2020,\d+\.\d+\.\d+\.\d+:2020\s+\d+s$/m);

    const slices = (await json<{ items: SliceJson[] }>(["get", "endpointslices", "-n", "kube-system", "-l", "kubernetes.io/service-name=log-agent"])).items;
    assert.equal(slices.length, 1);
    const slice = slices[0]!;
    assert.equal(slice.metadata.labels["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io");
    assert.deepEqual(slice.ports, [{ name: "http", port: 2020, protocol: "TCP" }]);
    assert.deepEqual(slice.endpoints.map((e) => e.addresses[0]).sort(), ips);
    const nodeOf = Object.fromEntries(pods.map((p) => [p.status.podIP, p.spec.nodeName]));
    for (const e of slice.endpoints) {
      assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
      assert.equal(e.nodeName, nodeOf[e.addresses[0] ?? ""]);
    }
    assert.match(await c.kubectlOk(["get", "endpointslices", "-n", "kube-system", "-l", "kubernetes.io/service-name=log-agent"]), /^log-agent-\S+\s+IPv4\s+2020\s+\S+\s+\d+s$/m);
  });

  test("a pod that never becomes Ready is listed as not ready", async () => {
    await c.kubectlOk(["create", "service", "clusterip", "probe", "--tcp=80:80"]);
    await c.kubectlOk(["set", "selector", "service", "probe", "tier=probe"]);
    const podYaml = (name: string, image: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels: {tier: probe}\nspec:\n  containers:\n  - name: main\n    image: ${image}\n`;
    await c.kubectlOk(["create", "-f", "-"], podYaml("probe-ok", "nginx:1.25"));
    await c.kubectlOk(["create", "-f", "-"], podYaml("probe-stuck", "everynode.dev/not-ready"));
    await until(async () => {
      const ep = await json<{ subsets?: Array<{ addresses?: unknown[]; notReadyAddresses?: unknown[] }> }>(["get", "endpoints", "probe"]);
      return ep.subsets?.[0]?.addresses?.length === 1 && ep.subsets[0].notReadyAddresses?.length === 1;
    }, "one ready and one not-ready address");
    const ep = await json<{ subsets: Array<{ notReadyAddresses: Array<{ targetRef: { name: string } }> }> }>(["get", "endpoints", "probe"]);
    assert.equal(ep.subsets[0]?.notReadyAddresses[0]?.targetRef.name, "probe-stuck");
    const slices = (await json<{ items: SliceJson[] }>(["get", "endpointslices", "-l", "kubernetes.io/service-name=probe"])).items;
    const conditions = Object.fromEntries(slices.flatMap((s) => s.endpoints).map((e) => [e.conditions.ready, e.conditions]));
    assert.deepEqual(conditions, { true: { ready: true, serving: true, terminating: false }, false: { ready: false, serving: false, terminating: false } });
  });
});
