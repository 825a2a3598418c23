/** The endpoints a Service's EndpointSlices should hold, grouped by port set (upstream's podToEndpoint, getEndpointPorts). */
import type { Node, Pod, Service, SliceEndpoint, SlicePort } from "../../api/types.js";
import { endpointHostname, findPort, isPodReady, podAddress, shouldPodBeInEndpoints } from "../endpoints/pod-endpoints.js";

/** Node label carrying the zone copied into `endpoints[].zone`. */
export const zoneLabel = "topology.kubernetes.io/zone";

/** The endpoints sharing one set of ports, keyed by endpointKey. */
export interface EndpointGroup {
  ports: SlicePort[];
  endpoints: Map<string, SliceEndpoint>;
}

/** Desired endpoints by portsKey, and the pods skipped because their node is unknown. */
export interface DesiredEndpoints {
  groups: Map<string, EndpointGroup>;
  missingNodes: string[];
}

/** Identity of an endpoint within a Service: its first address and its pod. */
export function endpointKey(ep: SliceEndpoint): string {
  return `${ep.addresses[0] ?? ""}/${ep.targetRef?.uid ?? ""}`;
}

/** Identity of a port set (order-insensitive). */
export function portsKey(ports: readonly SlicePort[] | undefined): string {
  return (ports ?? []).map((p) => `${p.name ?? ""}/${p.port ?? ""}/${p.protocol ?? "TCP"}/${p.appProtocol ?? ""}`).sort().join(",");
}

/** The slice ports of the Service's ports that `pod` offers (a named target port the pod lacks is left out). */
export function slicePorts(service: Service, pod: Pod): SlicePort[] {
  const ports: SlicePort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const p: SlicePort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    ports.push(p);
  }
  return ports;
}

/**
 * One endpoint for the pod: conditions serving = pod Ready, terminating = being deleted, ready =
 * publishNotReadyAddresses or (serving and not terminating); nodeName, zone (the node's zone label) and hostname
 * (pod hostname when its subdomain names the Service).
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, addressType: string): SliceEndpoint | undefined {
  const address = podAddress(pod, addressType);
  if (!address) return undefined;
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata?.deletionTimestamp);
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const { namespace, name, uid } = pod.metadata ?? {};
  const ep: SliceEndpoint = { addresses: [address], conditions: { ready, serving, terminating }, targetRef: { kind: "Pod", namespace, name, uid } };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[zoneLabel];
  if (zone) ep.zone = zone;
  const hostname = endpointHostname(pod, service);
  if (hostname) ep.hostname = hostname;
  return ep;
}

/** Groups the endpoints of the selected pods (terminating ones included) by the ports they offer. */
export function desiredEndpoints(service: Service, pods: readonly Pod[], nodeOf: (name: string) => Node | undefined, addressType: string): DesiredEndpoints {
  const groups = new Map<string, EndpointGroup>();
  const missingNodes: string[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const nodeName = pod.spec?.nodeName ?? "";
    const node = nodeName ? nodeOf(nodeName) : undefined;
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      missingNodes.push(nodeName);
      continue;
    }
    const ep = podToEndpoint(pod, node, service, addressType);
    if (!ep) continue;
    const ports = slicePorts(service, pod);
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: new Map() }));
    group.endpoints.set(endpointKey(ep), ep);
  }
  return { groups, missingNodes };
}
