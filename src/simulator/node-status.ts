/** What a simulated node reports about itself: labels, status, addresses and its heartbeat Lease. */
import type { Lease, Node, NodeCondition, NodeStatus } from "../api/types.js";
import { daemonsNotReadyTaint } from "../api/readiness-gate.js";

/** Annotation that puts a Node under the simulator's care. */
export const simulatedAnnotation = "everynode.dev/simulated";
/** Namespace of node heartbeat leases. */
export const nodeLeaseNamespace = "kube-node-lease";
/** Kubelet version simulated nodes report. */
export const kubeletVersion = "v1.32.0";
/** Container runtime version simulated nodes report. */
export const containerRuntimeVersion = "everynode://0.1.0";

/** Capacity of a simulated node, as quantity strings. */
export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: string;
}

/** Capacity used when none is configured. */
export const defaultCapacity: NodeCapacity = { cpu: "4", memory: "16Gi", pods: "110" };

/** Whether the node carries `everynode.dev/simulated: "true"`. */
export function isSimulated(node: Node): boolean {
  return node.metadata?.annotations?.[simulatedAnnotation] === "true";
}

/** The well-known labels a kubelet sets: hostname, os, arch. */
export function standardLabels(name: string): Record<string, string> {
  return { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" };
}

/** The standard labels the node lacks (user-set values are never replaced); empty when none is missing. */
export function missingLabels(node: Node): Record<string, string> {
  const have = node.metadata?.labels ?? {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(standardLabels(node.metadata?.name ?? ""))) if (!Object.hasOwn(have, k)) out[k] = v;
  return out;
}

/** 32-bit FNV-1a hash of a string. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const indexSpace = 192 * 256;

/** A stable index in [0, 49152) for a node name: the simulator's `node-N` uses N−1 (when in range), others a hash. */
export function nodeIndex(name: string): number {
  const m = /^node-(\d+)$/.exec(name);
  const n = m ? Number(m[1]) : 0;
  if (n >= 1 && n <= indexSpace) return n - 1;
  return fnv1a(name) % indexSpace;
}

/** The InternalIP of the node with addressing index `k` (0 → 10.0.0.1, 254 → 10.0.1.1). */
function internalIPOf(k: number): string {
  return `10.${Math.floor(k / (254 * 256)) % 64}.${Math.floor(k / 254) % 256}.${(k % 254) + 1}`;
}

/** The first three octets of the /24 pod range of addressing index `k` (0 → "10.64.0"). */
function podRangePrefixOf(k: number): string {
  return `10.${64 + Math.floor(k / 256)}.${k % 256}`;
}

/** The addressing index of a pod CIDR the simulator hands out (`10.64.0.0/24` → 0), undefined for any other. */
export function podCIDRIndex(cidr: string | undefined): number | undefined {
  const m = /^10\.(\d{1,3})\.(\d{1,3})\.0\/24$/.exec(cidr ?? "");
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[2]);
  return a >= 64 && a <= 255 && b <= 255 ? (a - 64) * 256 + b : undefined;
}

/**
 * The addressing index of a node: that of its pod CIDR when it has one of ours, else derived from its name. Its
 * InternalIP and pod range follow from it, so nodes with distinct pod CIDRs never share addresses.
 */
export function addressingIndex(node: Node): number {
  return podCIDRIndex(node.spec?.podCIDR) ?? nodeIndex(node.metadata?.name ?? "");
}

/**
 * A pod CIDR for a node that has none: its name's, unless another node holds that (`taken`), then the highest
 * free one (names other than `node-N` are rare; the simulator's own nodes fill the range from the bottom).
 */
export function choosePodCIDR(name: string, taken: ReadonlySet<number>): string | undefined {
  let k = nodeIndex(name);
  if (taken.has(k)) {
    k = indexSpace - 1;
    while (k >= 0 && taken.has(k)) k--;
    if (k < 0) return undefined;
  }
  return `${podRangePrefixOf(k)}.0/24`;
}

/** The node's InternalIP (node-1 → 10.0.0.1, node-255 → 10.0.1.1); see addressingIndex. */
export function nodeInternalIPOf(node: Node): string {
  return internalIPOf(addressingIndex(node));
}

/** The first three octets of the node's /24 pod range (node-1 → "10.64.0"); see addressingIndex. */
export function nodePodRangePrefixOf(node: Node): string {
  return podRangePrefixOf(addressingIndex(node));
}

/** The InternalIP of a node named `name` without a pod CIDR of its own (node-1 → 10.0.0.1, node-255 → 10.0.1.1). */
export function nodeInternalIP(name: string): string {
  return internalIPOf(nodeIndex(name));
}

/** The /24 pod range of a node named `name` without a pod CIDR of its own, as its first three octets (node-1 → "10.64.0"). */
export function nodePodRangePrefix(name: string): string {
  return podRangePrefixOf(nodeIndex(name));
}

/** The pod CIDR a node named `name` is created with (node-1 → 10.64.0.0/24). */
export function nodePodCIDR(name: string): string {
  return `${nodePodRangePrefix(name)}.0/24`;
}

/** A deterministic hex id (for machineID, systemUUID and bootID) from a seed. */
function hexId(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += fnv1a(`${seed}/${i}`).toString(16).padStart(8, "0");
  return out.slice(0, length);
}

function uuid(seed: string): string {
  const h = hexId(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The four node conditions a healthy kubelet reports, keeping transition times of unchanged conditions. */
export function healthyConditions(existing: readonly NodeCondition[] | undefined, now: string): NodeCondition[] {
  const wanted: [string, string, string, string][] = [
    ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
    ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
    ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
    ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
  ];
  return wanted.map(([type, status, reason, message]) => {
    const old = existing?.find((c) => c.type === type);
    const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** Whether the node lacks part of what registration writes (capacity, conditions, addresses, nodeInfo). */
export function needsRegistration(node: Node): boolean {
  const s = node.status;
  return !s?.capacity?.pods || !s.allocatable?.pods || !s.addresses?.length || !s.nodeInfo?.kubeletVersion
    || !s.conditions?.some((c) => c.type === "Ready" && c.reason === "KubeletReady" && c.status === "True")
    || !s.daemonEndpoints?.kubeletEndpoint;
}

/** The full status a simulated node registers with; capacity and allocatable already set on the node are kept. */
export function registrationStatus(node: Node, capacity: NodeCapacity, now: string): NodeStatus {
  const name = node.metadata?.name ?? "";
  const cap = node.status?.capacity ?? { cpu: capacity.cpu, memory: capacity.memory, pods: capacity.pods };
  return {
    capacity: cap,
    allocatable: node.status?.allocatable ?? cap,
    conditions: healthyConditions(node.status?.conditions, now),
    addresses: [{ type: "InternalIP", address: nodeInternalIPOf(node) }, { type: "Hostname", address: name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: hexId(`machine/${name}`, 32),
      systemUUID: uuid(`system/${name}`),
      bootID: uuid(`boot/${name}`),
      kernelVersion: "6.1.0-everynode",
      osImage: "everynode simulated node",
      containerRuntimeVersion,
      kubeletVersion,
      kubeProxyVersion: "",
      operatingSystem: "linux",
      architecture: "amd64",
    },
  };
}

/**
 * A new simulated Node object named `name` as a kubelet registers it: not Ready yet (Ready False, `KubeletNotReady`),
 * with the daemons-not-ready taint (see api/readiness-gate.ts). The node turns Ready through its first status
 * update (see NodeKeeper). Unlike a kubelet it does not register with the `node.kubernetes.io/not-ready:NoSchedule`
 * taint: clusters without a node lifecycle controller (simulator and scheduler alone) would never lift it.
 */
export function newSimulatedNode(name: string, capacity: NodeCapacity, now: string): Node {
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: standardLabels(name), annotations: { [simulatedAnnotation]: "true" } },
    spec: { podCIDR: nodePodCIDR(name), podCIDRs: [nodePodCIDR(name)], taints: [daemonsNotReadyTaint()] },
  };
  const status = registrationStatus(node, capacity, now);
  const conditions = (status.conditions ?? []).map((c) => c.type !== "Ready" ? c
    : { ...c, status: "False", reason: "KubeletNotReady", message: "container runtime status check may not have completed yet" });
  return { ...node, status: { ...status, conditions } };
}

/** RFC 3339 with microseconds, as Lease times serialise (`2006-01-02T15:04:05.000000Z`). */
export function microTime(date: Date): string {
  // toISOString always ends in `.mmmZ`; string slicing is several times cheaper than a regular expression, and this
  // runs for every Lease renewal.
  return `${date.toISOString().slice(0, -1)}000Z`;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function secondsTime(date: Date): string {
  return `${date.toISOString().slice(0, -5)}Z`;
}

/** The heartbeat Lease of a node, owned by the Node. */
export function nodeLease(node: Node, leaseDurationSeconds: number, renewTime: string): Lease {
  const name = node.metadata?.name ?? "";
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: {
      name,
      namespace: nodeLeaseNamespace,
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata?.uid ?? "" }],
    },
    spec: { holderIdentity: name, leaseDurationSeconds, renewTime },
  };
}

/** Milliseconds from `now` to the next time ≡ offset (mod interval), in (0, interval]: spreads periodic work by name. */
export function nextSlotDelay(now: number, intervalMs: number, name: string): number {
  const offset = (fnv1a(name) / 0x1_0000_0000) * intervalMs;
  const phase = ((now - offset) % intervalMs + intervalMs) % intervalMs;
  const delay = intervalMs - phase;
  return delay <= 0 ? intervalMs : delay;
}
