import assert from "node:assert/strict";
import { test } from "node:test";
import type { MachineFacts } from "./machine.js";
import { defaultRouteInterface, meminfoBytes, pickInternalIP } from "./machine.js";
import { agentNodeConditions, agentNodeStatus, newAgentNode } from "./node-object.js";

const facts: MachineFacts = {
  hostname: "vm", internalIP: "192.0.2.2", cpuCount: 2, memoryBytes: 4 * 1024 ** 3, memoryAvailableBytes: 3 * 1024 ** 3,
  diskBytes: 100 * 1024 ** 3, diskAvailableBytes: 50 * 1024 ** 3, inodesFreeFraction: 0.9, processes: 200, pidMax: 32768,
  kernelVersion: "6.1.0", osImage: "Debian GNU/Linux 12 (bookworm)", machineID: "m", bootID: "b", architecture: "amd64",
};
const options = { name: "agent-a", facts, runtimeVersion: "process://0.1.0", endpointPort: 10250 };

test("the Node reports capacity, allocatable after eviction thresholds, addresses, labels and nodeInfo", () => {
  const node = newAgentNode(options, "2026-01-01T00:00:00Z");
  assert.deepEqual(node.metadata?.labels, { "kubernetes.io/hostname": "agent-a", "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64" });
  const s = node.status;
  assert.equal(s?.capacity?.cpu, "2");
  assert.equal(s?.capacity?.memory, "4194304Ki");
  assert.equal(s?.allocatable?.memory, `${4194304 - 102400}Ki`);
  assert.equal(s?.capacity?.pods, "110");
  assert.equal(s?.capacity?.["ephemeral-storage"], `${100 * 1024 * 1024}Ki`);
  assert.deepEqual(s?.addresses, [{ type: "InternalIP", address: "192.0.2.2" }, { type: "Hostname", address: "agent-a" }]);
  assert.equal(s?.nodeInfo?.containerRuntimeVersion, "process://0.1.0");
  assert.deepEqual(s?.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.deepEqual(s?.conditions?.map((c) => `${c.type}=${c.status}`), ["MemoryPressure=False", "DiskPressure=False", "PIDPressure=False", "Ready=True"]);
});

test("pressure and runtime failures flip conditions, keeping transition times of unchanged ones", () => {
  const first = agentNodeStatus(options, undefined, "t0").conditions;
  const low = agentNodeConditions({ ...options, facts: { ...facts, memoryAvailableBytes: 50 * 1024 ** 2, diskAvailableBytes: 1024 }, runtimeError: "boom" }, first, "t1");
  assert.deepEqual(low.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime]), [
    ["MemoryPressure", "True", "KubeletHasInsufficientMemory", "t1"],
    ["DiskPressure", "True", "KubeletHasDiskPressure", "t1"],
    ["PIDPressure", "False", "KubeletHasSufficientPID", "t0"],
    ["Ready", "False", "KubeletNotReady", "t1"],
  ]);
  assert.equal(low[3]?.message, "container runtime is down: boom");
});

test("machine facts parse /proc text and prefer the default route's address", () => {
  assert.equal(meminfoBytes("MemTotal:       16384 kB\nMemAvailable:    8192 kB\n", "MemAvailable"), 8192 * 1024);
  assert.equal(defaultRouteInterface("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\neth1\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n"), "eth1");
  const ifaces = {
    lo: [{ address: "127.0.0.1", family: "IPv4" as const, internal: true, netmask: "", mac: "", cidr: null }],
    eth0: [{ address: "10.0.0.5", family: "IPv4" as const, internal: false, netmask: "", mac: "", cidr: null }],
    eth1: [{ address: "192.0.2.9", family: "IPv4" as const, internal: false, netmask: "", mac: "", cidr: null }],
  };
  assert.equal(pickInternalIP(ifaces, "eth1"), "192.0.2.9");
  assert.equal(pickInternalIP(ifaces, undefined), "10.0.0.5");
  assert.equal(pickInternalIP(ifaces, "eth1", "198.51.100.1"), "198.51.100.1");
});
