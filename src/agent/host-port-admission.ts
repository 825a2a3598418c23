/**
 * The kubelet's admission check for host ports (the scheduler's NodePorts filter, run again on the node): a pod
 * whose hostPort (protocol, host IP, port) is already taken by another pod running here is rejected, since the
 * scheduler can be bypassed with `spec.nodeName`. A pod rejected this way ends Failed with the kubelet's reason and
 * message.
 */
import type { Pod } from "../api/types.js";

/** A host port a pod asks for; `ip` 0.0.0.0 means every address. */
export interface PodHostPort { protocol: string; ip: string; port: number }

/** The host ports of a pod's containers and sidecar init containers (hostPort > 0; TCP and 0.0.0.0 by default). */
export function podHostPorts(pod: Pod): PodHostPort[] {
  const spec = pod.spec;
  const containers = [...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"), ...(spec?.containers ?? [])];
  return containers.flatMap((c) => (c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0)
    .map((p) => ({ protocol: p.protocol || "TCP", ip: p.hostIP || "0.0.0.0", port: p.hostPort ?? 0 })));
}

/** The first host port of `pod` that one of `running` already holds, or undefined. */
export function takenHostPort(pod: Pod, running: readonly Pod[]): PodHostPort | undefined {
  const used = running.flatMap(podHostPorts);
  return podHostPorts(pod).find((want) => used.some((u) => u.protocol === want.protocol && u.port === want.port && (u.ip === want.ip || u.ip === "0.0.0.0" || want.ip === "0.0.0.0")));
}

/** The kubelet's rejection of a pod that does not fit the node's free ports: reason and status message. */
export const nodePortsRejection = {
  reason: "NodePorts",
  message: "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  eventMessage: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
} as const;
