import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Node, PodSpec } from "../api/types.js";
import { ClusterState } from "./cluster-state.js";
import { insufficientResources, preFilterNodeNames, runFilters } from "./filters.js";
import { podDemand } from "./pod-demand.js";

const mi = 1024n * 1024n;
const gi = 1024n * mi;
const req = (cpu?: string, memory?: string) => ({ requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } });

describe("podDemand", () => {
  test("sums containers, takes the init peak, adds sidecars and overhead", () => {
    const spec: PodSpec = {
      containers: [{ name: "a", resources: req("100m", "1Gi") }, { name: "b", resources: req("250m") }],
      initContainers: [
        { name: "setup", resources: req("2", "64Mi") },
        { name: "proxy", restartPolicy: "Always", resources: req("50m", "10Mi") },
      ],
      overhead: { cpu: "10m" },
    };
    const d = podDemand(spec);
    assert.equal(d.requests.get("cpu"), 2010n, "init peak 2 cpu beats 350m + 50m sidecar, plus overhead");
    assert.equal(d.requests.get("memory"), gi + 10n * mi);
    assert.equal(d.nonZeroCpu, 2010n);
    assert.equal(d.nonZeroMemory, gi + 200n * mi + 10n * mi, "b counts 200Mi when scoring");
  });

  test("host ports default to TCP on all addresses", () => {
    const d = podDemand({ containers: [{ name: "a", ports: [{ containerPort: 80, hostPort: 80 }, { containerPort: 53, hostPort: 53, protocol: "UDP", hostIP: "10.0.0.1" }, { containerPort: 9 }] }] });
    assert.deepEqual(d.hostPorts, [{ protocol: "TCP", ip: "0.0.0.0", port: 80 }, { protocol: "UDP", ip: "10.0.0.1", port: 53 }]);
  });
});

describe("preFilterNodeNames", () => {
  const terms = (...ts: { fields?: string[][]; labels?: boolean }[]): PodSpec => ({
    containers: [],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: ts.map((t) => ({
      matchFields: t.fields?.map((values) => ({ key: "metadata.name", operator: "In", values })),
      matchExpressions: t.labels ? [{ key: "x", operator: "Exists" }] : undefined,
    })) } } },
  });
  const cases: [string, PodSpec, string[] | undefined][] = [
    ["no affinity", { containers: [] }, undefined],
    ["one pinned node", terms({ fields: [["n1"]] }), ["n1"]],
    ["terms are ORed", terms({ fields: [["n1"]] }, { fields: [["n2", "n3"]] }), ["n1", "n2", "n3"]],
    ["requirements in a term are ANDed", terms({ fields: [["n1", "n2"], ["n2", "n3"]] }), ["n2"]],
    ["a term without names allows every node", terms({ fields: [["n1"]] }, { labels: true }), undefined],
    ["conflicting requirements", terms({ fields: [["n1"], ["n2"]] }), []],
  ];
  for (const [name, spec, want] of cases) test(name, () => assert.deepEqual(preFilterNodeNames(spec) && [...preFilterNodeNames(spec)!].sort(), want));
});

describe("filters on cluster state", () => {
  const node = (name: string, allocatable: Record<string, string>): Node => ({ metadata: { name }, status: { allocatable } });

  test("running totals follow pods added, moved and removed", () => {
    const state = new ClusterState();
    state.setNode(node("a", { cpu: "1", memory: "1Gi", pods: "2", "example.com/gpu": "1" }));
    const one = podDemand({ containers: [{ name: "c", resources: req("600m") }] });
    state.assume("ns/p1", "u1", "a", one);
    const a = state.get("a")!;
    assert.deepEqual(insufficientResources(one, a), ["Insufficient cpu"]);
    state.observeBound("ns/p1", "u1", "a", () => { throw new Error("not recomputed for a known pod"); });
    state.forget("ns/p1", "u1");
    assert.equal(a.podCount, 1, "a confirmed pod is not forgotten");
    state.remove("ns/p1");
    assert.equal(a.podCount, 0);
    assert.equal(a.requested.get("cpu"), 0n);
    const gpu = podDemand({ containers: [{ name: "c", resources: { requests: { "example.com/gpu": "2" } } }] });
    assert.deepEqual(insufficientResources(gpu, a), ["Insufficient example.com/gpu"]);
    state.observeBound("ns/x", "ux", "a", () => podDemand({ containers: [] }));
    state.observeBound("ns/y", "uy", "a", () => podDemand({ containers: [] }));
    assert.deepEqual(insufficientResources(podDemand({ containers: [] }), a), ["Too many pods"]);
    assert.equal(runFilters({ containers: [] }, podDemand({ containers: [] }), a)?.plugin, "NodeResourcesFit");
    state.removeNode("a");
    assert.equal(state.nodeCount, 0);
    assert.equal(state.get("a"), undefined);
  });

  test("host port conflicts consider the wildcard address", () => {
    const state = new ClusterState();
    state.setNode(node("a", { pods: "10" }));
    const on = (ip: string, port = 80) => podDemand({ containers: [{ name: "c", ports: [{ containerPort: port, hostPort: port, hostIP: ip }] }] });
    state.assume("ns/p", "u", "a", on("10.0.0.1"));
    const a = state.get("a")!;
    assert.equal(runFilters({ containers: [] }, on("10.0.0.2"), a), undefined);
    assert.equal(runFilters({ containers: [] }, on("10.0.0.1"), a)?.plugin, "NodePorts");
    assert.equal(runFilters({ containers: [] }, on("0.0.0.0"), a)?.plugin, "NodePorts");
    assert.equal(runFilters({ containers: [] }, on("0.0.0.0", 81), a), undefined);
  });
});
