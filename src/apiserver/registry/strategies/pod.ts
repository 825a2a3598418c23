/** Pod strategy: initial status with the QoS class, graceful deletion of bound pods. */
import type { KubeObject } from "../../../api/types.js";
import { isPlainObject } from "../../../util/json.js";
import type { Strategy } from "../strategy.js";
import { tryParseQuantity } from "../../../api/quantity.js";

const qosResources = ["cpu", "memory"] as const;

function containersOf(spec: Record<string, unknown>): Record<string, unknown>[] {
  const all: unknown[] = [
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
    ...(Array.isArray(spec.containers) ? spec.containers : []),
  ];
  return all.filter(isPlainObject);
}

function amounts(list: unknown): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (!isPlainObject(list)) return out;
  for (const name of qosResources) {
    const q = tryParseQuantity(list[name])?.nanos;
    if (q !== undefined && q > 0n) out.set(name, q);
  }
  return out;
}

/** The pod's QoS class: BestEffort, Burstable or Guaranteed, from cpu/memory requests and limits. */
export function podQosClass(pod: KubeObject): "BestEffort" | "Burstable" | "Guaranteed" {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of containersOf(spec)) {
    const resources = isPlainObject(c.resources) ? c.resources : {};
    const cl = amounts(resources.limits);
    const cr = amounts(resources.requests);
    for (const [name, q] of cl) if (!cr.has(name)) cr.set(name, q);
    for (const [name, q] of cr) requests.set(name, (requests.get(name) ?? 0n) + q);
    for (const [name, q] of cl) limits.set(name, (limits.get(name) ?? 0n) + q);
    if (!qosResources.every((r) => cl.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed && requests.size === limits.size && [...requests].every(([n, q]) => limits.get(n) === q)) return "Guaranteed";
  return "Burstable";
}

function podSpec(pod: KubeObject): Record<string, unknown> {
  return isPlainObject(pod.spec) ? pod.spec : {};
}

/** Pods: status reset to Pending with the QoS class; bound, non-terminal pods are deleted gracefully. */
export const podStrategy: Strategy = {
  prepareForCreate(pod) {
    const status: Record<string, unknown> = { phase: "Pending", qosClass: podQosClass(pod) };
    const gates = podSpec(pod).schedulingGates;
    if (Array.isArray(gates) && gates.length > 0) {
      status.conditions = [{
        type: "PodScheduled", status: "False", reason: "SchedulingGated",
        message: "Scheduling is blocked due to non-empty scheduling gates", lastProbeTime: null, lastTransitionTime: null,
      }];
    }
    pod.status = status;
  },
  prepareForUpdate: () => undefined,
  gracePeriodSeconds(pod, requested) {
    const spec = podSpec(pod);
    const phase = isPlainObject(pod.status) ? pod.status.phase : undefined;
    if (typeof spec.nodeName !== "string" || spec.nodeName === "") return 0;
    if (phase === "Succeeded" || phase === "Failed") return 0;
    const fromSpec = typeof spec.terminationGracePeriodSeconds === "number" ? spec.terminationGracePeriodSeconds : 30;
    const period = requested ?? fromSpec;
    return period < 0 ? 1 : period;
  },
  returnsDeletedObject: true,
  indexers: {
    "spec.nodeName": (pod) => {
      const n = podSpec(pod).nodeName;
      return typeof n === "string" ? n : "";
    },
  },
};
