/** The subsets of a Service's Endpoints, computed purely from the Service and its pods (upstream's syncService + RepackSubsets). */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from "../../api/types.js";
import { endpointHostname, findPort, isHeadless, isPodReady, podAddress, serviceAddressTypes, shouldPodBeInEndpoints } from "./pod-endpoints.js";

/** Upstream's limit of addresses in one Endpoints object. */
export const maxEndpointsCapacity = 1000;
/** Annotation set when the addresses were truncated to maxEndpointsCapacity. */
export const overCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";

/** The computed subsets and the number of ready and not-ready addresses in them (before truncation). */
export interface SubsetsResult {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
}

interface Entry {
  address: EndpointAddress;
  ready: boolean;
  ports: EndpointPort[];
}

function compareAddress(a: EndpointAddress, b: EndpointAddress): number {
  return compareIP(a.ip, b.ip) || (a.targetRef?.uid ?? "").localeCompare(b.targetRef?.uid ?? "");
}

function compareIP(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  if (pa.length === 4 && pb.length === 4 && pa.every(Number.isFinite) && pb.every(Number.isFinite)) {
    for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function portKey(p: EndpointPort): string {
  return `${p.name ?? ""}/${p.port}/${p.protocol ?? "TCP"}/${p.appProtocol ?? ""}`;
}

function podEntry(service: Service, pod: Pod, family: string): Entry | undefined {
  const ip = podAddress(pod, family);
  if (!ip) return undefined;
  const { namespace, name, uid } = pod.metadata ?? {};
  const address: EndpointAddress = { ip, targetRef: { kind: "Pod", namespace, name, uid } };
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  const hostname = endpointHostname(pod, service);
  if (hostname) address.hostname = hostname;
  const ports: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? "TCP" };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  // A pod offering none of the Service's ports is left out, except for a headless Service without ports.
  if (ports.length === 0 && !(isHeadless(service) && (service.spec?.ports ?? []).length === 0)) return undefined;
  ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
  return { address, ready: service.spec?.publishNotReadyAddresses === true || isPodReady(pod), ports };
}

/**
 * Groups the selected pods' addresses by the set of ports they offer, ready ones in `addresses`, the others in
 * `notReadyAddresses` (terminating pods only with publishNotReadyAddresses); addresses sorted by IP, subsets by
 * their ports.
 */
export function computeSubsets(service: Service, pods: readonly Pod[]): SubsetsResult {
  const family = serviceAddressTypes(service)[0] ?? "IPv4";
  const tolerate = service.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  let ready = 0;
  let notReady = 0;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const entry = podEntry(service, pod, family);
    if (!entry) continue;
    const key = entry.ports.map(portKey).join(",");
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports: entry.ports, ready: [], notReady: [] }));
    if (entry.ready) {
      group.ready.push(entry.address);
      ready++;
    } else {
      group.notReady.push(entry.address);
      notReady++;
    }
  }
  const subsets = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => {
    const subset: EndpointSubset = {};
    if (g.ready.length > 0) subset.addresses = g.ready.sort(compareAddress);
    if (g.notReady.length > 0) subset.notReadyAddresses = g.notReady.sort(compareAddress);
    if (g.ports.length > 0) subset.ports = g.ports;
    return subset;
  });
  return { subsets, ready, notReady };
}

/**
 * Truncates the subsets to maxEndpointsCapacity addresses as upstream does: ready addresses are kept before
 * not-ready ones, and what is kept is spread over the subsets in proportion to their sizes. Returns whether it
 * truncated.
 */
export function truncateSubsets(subsets: EndpointSubset[], capacity = maxEndpointsCapacity): boolean {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= capacity) return false;
  const truncateReady = totalReady > capacity;
  const max = truncateReady ? capacity : capacity - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const subset of subsets) {
    const inSubset = (truncateReady ? subset.addresses : subset.notReadyAddresses)?.length ?? 0;
    const toBeAdded = Math.min(canBeAdded, Math.ceil((inSubset * max) / total));
    canBeAdded -= toBeAdded;
    if (truncateReady) {
      subset.addresses = subset.addresses?.slice(0, toBeAdded);
      delete subset.notReadyAddresses;
    } else {
      subset.notReadyAddresses = subset.notReadyAddresses?.slice(0, toBeAdded);
    }
    if (subset.addresses?.length === 0) delete subset.addresses;
    if (subset.notReadyAddresses?.length === 0) delete subset.notReadyAddresses;
  }
  return true;
}
