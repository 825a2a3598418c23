/** What a pod contributes to a Service's endpoints, as upstream's endpoint utilities decide it. */
import type { Pod, Service, ServicePort } from "../../api/types.js";
import { isPodReady } from "../daemonset/pod-util.js";

export { isPodReady };

/**
 * Whether the pod belongs in the endpoints at all: it has an IP, has not terminated (Succeeded/Failed), and is
 * not being deleted unless `includeTerminating` (the EndpointSlice controller keeps terminating pods, flagged).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/**
 * The container port a service port reaches on `pod`: a numeric targetPort (or, absent, the port) as is; a named
 * one is looked up among the containers' (and restartable init containers') ports by name and protocol;
 * undefined when no container declares it.
 */
export function findPort(pod: Pod, port: ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === "number") return target;
  const asNumber = /^[0-9]+$/.test(target) ? Number(target) : NaN;
  if (Number.isInteger(asNumber) && asNumber > 0) return asNumber;
  const protocol = port.protocol ?? "TCP";
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always")];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? "TCP") === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The pod's hostname for the Service's endpoints: spec.hostname when spec.subdomain names the Service (same namespace). */
export function endpointHostname(pod: Pod, service: Service): string | undefined {
  const hostname = pod.spec?.hostname;
  if (!hostname || pod.spec?.subdomain !== service.metadata?.name) return undefined;
  return pod.metadata?.namespace === service.metadata?.namespace ? hostname : undefined;
}

/** The pod's address of one family (`IPv4` or `IPv6`), or undefined. */
export function podAddress(pod: Pod, family: string): string | undefined {
  const ips = pod.status?.podIPs?.map((i) => i.ip).filter((ip): ip is string => Boolean(ip)) ?? [];
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => (ip.includes(":") ? "IPv6" : "IPv4") === family);
}

/** The address families a Service's endpoints carry: spec.ipFamilies, else the family of its ClusterIP, else IPv4. */
export function serviceAddressTypes(service: Service): string[] {
  const families = service.spec?.ipFamilies;
  if (families && families.length > 0) return [...families];
  const ip = service.spec?.clusterIP;
  return ip && ip !== "None" && ip.includes(":") ? ["IPv6"] : ["IPv4"];
}

/** Whether the controllers manage endpoints for the Service: it has a non-empty selector and is not ExternalName. */
export function hasManagedEndpoints(service: Service): boolean {
  if (service.spec?.type === "ExternalName") return false;
  return Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** Whether the Service is headless (`clusterIP: None`). */
export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === "None";
}

/** The time a pod last changed readiness (its Ready condition's lastTransitionTime), or undefined. */
export function podTriggerTime(pod: Pod): string | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime ?? undefined;
}

/** The fields of a pod that matter for endpoints, as one comparable string (a pod update changing none is ignored). */
export function endpointRelevantState(pod: Pod): string {
  return JSON.stringify([
    pod.metadata?.labels ?? {}, pod.metadata?.deletionTimestamp ?? "", pod.status?.phase ?? "", pod.status?.podIP ?? "",
    pod.status?.podIPs ?? [], isPodReady(pod), pod.spec?.nodeName ?? "", pod.spec?.hostname ?? "", pod.spec?.subdomain ?? "",
    (pod.spec?.containers ?? []).map((c) => c.ports ?? []),
  ]);
}
