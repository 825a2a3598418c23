/** The Node an agent registers and the status it reports, computed from the machine's facts (pure functions). */
import type { Node, NodeCondition, NodeStatus, Taint } from "../api/types.js";
import type { MachineFacts } from "./machine.js";

/** Kubelet version the agent reports. */
export const agentKubeletVersion = "v1.32.0";
/** Hard eviction threshold of memory.available (upstream default 100Mi). */
export const memoryEvictionBytes = 100 * 1024 * 1024;
/** Hard eviction threshold of nodefs.available (10 %) and nodefs.inodesFree (5 %). */
export const diskEvictionFraction = 0.1;
export const inodesEvictionFraction = 0.05;
/** PIDPressure when fewer than this fraction of the pid range is free. */
export const pidEvictionFraction = 0.05;

/** Port of the agent's HTTPS endpoint the API server dials (the kubelet's 10250 unless configured). */
export interface NodeObjectOptions {
  name: string;
  facts: MachineFacts;
  /** `<type>://<version>` of the runtime, e.g. `process://0.1.0`. */
  runtimeVersion: string;
  /** Why the runtime cannot run containers; undefined when it can. Makes the node NotReady. */
  runtimeError?: string;
  endpointPort: number;
  /** Annotations the agent keeps on its Node (e.g. its serving certificate's fingerprint). */
  annotations?: Record<string, string>;
  /** Taints a new Node registers with (as the kubelet's --register-with-taints); an existing Node keeps its own. */
  taints?: Taint[];
}

const kib = (bytes: number): string => `${Math.max(0, Math.floor(bytes / 1024))}Ki`;

/** The labels a kubelet sets on its Node. */
export function agentNodeLabels(name: string, facts: MachineFacts): Record<string, string> {
  return {
    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": facts.architecture,
    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": facts.architecture,
  };
}

type Wanted = [type: string, status: string, reason: string, message: string];

/** The four kubelet node conditions (Ready last) for `facts`, keeping transition times of unchanged ones. */
export function agentNodeConditions(o: NodeObjectOptions, existing: readonly NodeCondition[] | undefined, now: string): NodeCondition[] {
  const f = o.facts;
  const memory = f.memoryAvailableBytes < memoryEvictionBytes;
  const disk = f.diskAvailableBytes < f.diskBytes * diskEvictionFraction || f.inodesFreeFraction < inodesEvictionFraction;
  const pid = f.pidMax - f.processes < f.pidMax * pidEvictionFraction;
  const wanted: Wanted[] = [
    memory ? ["MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available"]
      : ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
    disk ? ["DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure"]
      : ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
    pid ? ["PIDPressure", "True", "KubeletHasInsufficientPID", "kubelet has insufficient PID available"]
      : ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
    o.runtimeError ? ["Ready", "False", "KubeletNotReady", `container runtime is down: ${o.runtimeError}`]
      : ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
  ];
  return wanted.map(([type, status, reason, message]) => {
    const old = existing?.find((c) => c.type === type);
    const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** The node status the agent reports (capacity, allocatable, conditions, addresses, nodeInfo, endpoint). */
export function agentNodeStatus(o: NodeObjectOptions, existing: readonly NodeCondition[] | undefined, now: string): NodeStatus {
  const f = o.facts;
  const capacity = {
    cpu: String(f.cpuCount), memory: kib(f.memoryBytes), pods: "110", "ephemeral-storage": kib(f.diskBytes),
    "hugepages-1Gi": "0", "hugepages-2Mi": "0",
  };
  const allocatable = {
    ...capacity,
    memory: kib(f.memoryBytes - memoryEvictionBytes),
    "ephemeral-storage": String(Math.max(0, Math.floor(f.diskBytes * (1 - diskEvictionFraction)))),
  };
  return {
    capacity,
    allocatable,
    conditions: agentNodeConditions(o, existing, now),
    addresses: [{ type: "InternalIP", address: f.internalIP }, { type: "Hostname", address: o.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: o.endpointPort } },
    nodeInfo: {
      machineID: f.machineID, systemUUID: f.machineID, bootID: f.bootID, kernelVersion: f.kernelVersion, osImage: f.osImage,
      containerRuntimeVersion: o.runtimeVersion, kubeletVersion: agentKubeletVersion, kubeProxyVersion: agentKubeletVersion,
      operatingSystem: "linux", architecture: f.architecture,
    },
  };
}

/** A new Node object for the agent's machine (with the registration taints, if any). */
export function newAgentNode(o: NodeObjectOptions, now: string): Node {
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name: o.name, labels: agentNodeLabels(o.name, o.facts), ...(o.annotations ? { annotations: o.annotations } : {}) },
    ...(o.taints && o.taints.length > 0 ? { spec: { taints: o.taints.map((t) => ({ ...t })) } } : {}),
    status: agentNodeStatus(o, undefined, now),
  };
}

/** Whether two statuses differ in anything but heartbeat times (the kubelet then patches at once). */
export function statusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined): string => JSON.stringify({
    ...s, conditions: s?.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })),
  });
  return strip(a) !== strip(b);
}
