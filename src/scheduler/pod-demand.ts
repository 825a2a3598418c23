/** What a pod asks of a node: resource requests (as the scheduler sums them) and host ports. */
import { quantityMilliValue, quantityValue, tryParseQuantity } from "../api/quantity.js";
import type { Container, PodSpec } from "../api/types.js";

/** Resource amounts by name: `cpu` in milli-units, every other resource in whole units (bytes for memory). */
export type ResourceAmounts = Map<string, bigint>;

/** One host port a pod binds: protocol, host IP (0.0.0.0 = all) and port. */
export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

/** A pod's demand on the node it lands on. */
export interface PodDemand {
  /** Requests as NodeResourcesFit counts them (containers, init containers, sidecars, overhead). */
  requests: ResourceAmounts;
  /** Requests with cpu/memory defaults (100m / 200Mi) for containers that set none, as scoring counts them. */
  nonZeroCpu: bigint;
  nonZeroMemory: bigint;
  hostPorts: HostPort[];
}

/** Default cpu request (milli) for scoring containers that request none. */
export const defaultMilliCpuRequest = 100n;
/** Default memory request (bytes) for scoring containers that request none. */
export const defaultMemoryRequest = 200n * 1024n * 1024n;

/** Parses a resource list into amounts (`cpu` in milli-units, rounded up; others in units, rounded up). */
export function resourceAmounts(list: Record<string, unknown> | undefined): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [name, raw] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(raw);
    if (q === undefined) continue;
    out.set(name, name === "cpu" ? quantityMilliValue(q) : quantityValue(q));
  }
  return out;
}

function add(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0n) + v);
}

function sum(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  const out = new Map(a);
  add(out, b);
  return out;
}

function maxInto(into: ResourceAmounts, from: ResourceAmounts): void {
  for (const [k, v] of from) if (v > (into.get(k) ?? 0n)) into.set(k, v);
}

/**
 * Pod-level amounts from per-container amounts: the sum of the containers and the sidecars (restartable
 * init containers), or the peak during initialisation if higher, plus the pod overhead.
 */
function aggregate(spec: PodSpec, perContainer: (c: Container) => ResourceAmounts): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const c of spec.containers ?? []) add(total, perContainer(c));
  const sidecars: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const own = perContainer(c);
    if (c.restartPolicy === "Always") {
      add(sidecars, own);
      maxInto(initPeak, sidecars);
    } else {
      maxInto(initPeak, sum(own, sidecars));
    }
  }
  add(total, sidecars);
  maxInto(total, initPeak);
  add(total, resourceAmounts(spec.overhead));
  return total;
}

function requestsOf(c: Container): ResourceAmounts {
  return resourceAmounts(c.resources?.requests);
}

function nonZeroOf(c: Container): ResourceAmounts {
  const r = requestsOf(c);
  const out: ResourceAmounts = new Map([["cpu", r.get("cpu") ?? defaultMilliCpuRequest], ["memory", r.get("memory") ?? defaultMemoryRequest]]);
  return out;
}

/** The host ports of the pod's containers and sidecars (hostPort > 0), with TCP and 0.0.0.0 as defaults. */
export function podHostPorts(spec: PodSpec): HostPort[] {
  const containers = [...(spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...(spec.containers ?? [])];
  const out: HostPort[] = [];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol || "TCP", ip: p.hostIP || "0.0.0.0", port: p.hostPort });
    }
  }
  return out;
}

/** The demand of a pod spec. */
export function podDemand(spec: PodSpec): PodDemand {
  const nonZero = aggregate(spec, nonZeroOf);
  return {
    requests: aggregate(spec, requestsOf),
    nonZeroCpu: nonZero.get("cpu") ?? 0n,
    nonZeroMemory: nonZero.get("memory") ?? 0n,
    hostPorts: podHostPorts(spec),
  };
}
