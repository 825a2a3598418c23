/**
 * Service IP and NodePort allocation, as kube-apiserver's Service REST does it: a ClusterIP from the service
 * CIDR (10.96.0.0/12; 10.96.0.1 is the `kubernetes` Service), node ports from 30000-32767, requested values
 * checked against the range and every other Service; updates keep what was allocated.
 */
import { type FieldError, fieldErrors, invalid } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import { isObject } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";

/** The service CIDR's network address and prefix length. */
export const serviceCidr = { base: (10 << 24) | (96 << 16), bits: 12 };
/** The ClusterIP of `default/kubernetes`: the first host address of the service CIDR. */
export const kubernetesServiceIP = "10.96.0.1";
/** The NodePort range. */
export const nodePortRange = { min: 30000, max: 32767 };

function ipString(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

function ipNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function inCidr(n: number): boolean {
  const size = 2 ** (32 - serviceCidr.bits);
  return n > serviceCidr.base && n < serviceCidr.base + size - 1;
}

function used(ctx: RegistryContext, store: ResourceStore, self: KubeObject): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  const uid = self.metadata?.uid;
  for (const { object } of store.cache.list().items) {
    if (uid !== undefined && object.metadata?.uid === uid) continue;
    if (object.metadata?.namespace === self.metadata?.namespace && object.metadata?.name === self.metadata?.name) continue;
    const spec = isObject(object.spec) ? object.spec : {};
    if (typeof spec.clusterIP === "string") ips.add(spec.clusterIP);
    for (const p of Array.isArray(spec.ports) ? spec.ports : []) if (isObject(p) && typeof p.nodePort === "number") ports.add(p.nodePort);
  }
  return { ips, ports };
}

function allocateIP(requested: string, taken: Set<string>, errs: FieldError[]): string {
  if (requested !== "") {
    const n = ipNumber(requested);
    if (n === undefined) errs.push(fieldErrors.invalid("spec.clusterIPs[0]", requested, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    else if (!inCidr(n)) errs.push(fieldErrors.invalid("spec.clusterIPs", [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`));
    else if (taken.has(requested)) errs.push(fieldErrors.invalid("spec.clusterIPs", [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
    return requested;
  }
  const size = 2 ** (32 - serviceCidr.bits);
  for (let attempt = 0; attempt < 64; attempt++) {
    const ip = ipString(serviceCidr.base + 2 + Math.floor(Math.random() * (size - 3)));
    if (!taken.has(ip)) return ip;
  }
  for (let n = serviceCidr.base + 2; n < serviceCidr.base + size - 1; n++) if (!taken.has(ipString(n))) return ipString(n);
  errs.push(fieldErrors.invalid("spec.clusterIPs", [], "failed to allocate IP: range is full"));
  return "";
}

function allocatePorts(ports: Record<string, unknown>[], previous: Record<string, unknown>[], taken: Set<number>, errs: FieldError[]): void {
  const mine = new Set<number>();
  ports.forEach((port, i) => {
    const path = `spec.ports[${i}].nodePort`;
    let nodePort = typeof port.nodePort === "number" ? port.nodePort : 0;
    if (nodePort === 0) {
      const before = previous.find((p) => p.port === port.port && (p.protocol ?? "TCP") === (port.protocol ?? "TCP"));
      if (before && typeof before.nodePort === "number") nodePort = before.nodePort;
    }
    if (nodePort !== 0) {
      if (nodePort < nodePortRange.min || nodePort > nodePortRange.max) {
        errs.push(fieldErrors.invalid(path, nodePort, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}`));
      } else if (taken.has(nodePort) || (mine.has(nodePort) && !ports.slice(0, i).some((p) => p.nodePort === nodePort && p.protocol !== port.protocol))) {
        errs.push(fieldErrors.invalid(path, nodePort, "provided port is already allocated"));
      }
    } else {
      const span = nodePortRange.max - nodePortRange.min + 1;
      const start = Math.floor(Math.random() * span);
      for (let k = 0; k < span; k++) {
        const candidate = nodePortRange.min + ((start + k) % span);
        if (!taken.has(candidate) && !mine.has(candidate)) { nodePort = candidate; break; }
      }
    }
    mine.add(nodePort);
    port.nodePort = nodePort;
  });
}

/** Fills in spec.clusterIP(s), ipFamilies, ipFamilyPolicy and node ports of a Service being written; 422 on a bad or taken request. */
export async function allocateServiceValues(ctx: RegistryContext, store: ResourceStore, svc: KubeObject, old: KubeObject | undefined): Promise<void> {
  if (!isObject(svc.spec)) return;
  const spec = svc.spec;
  const oldSpec = old && isObject(old.spec) ? old.spec : {};
  await ctx.fresh(store);
  const { ips, ports } = used(ctx, store, svc);
  const errs: FieldError[] = [];
  const type = spec.type;
  if (type === "ExternalName") {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else {
    let requested = typeof spec.clusterIP === "string" ? spec.clusterIP : "";
    if (requested === "" && Array.isArray(spec.clusterIPs) && typeof spec.clusterIPs[0] === "string") requested = spec.clusterIPs[0];
    const oldIP = typeof oldSpec.clusterIP === "string" ? oldSpec.clusterIP : "";
    let ip: string;
    if (requested === "" && oldIP !== "") ip = oldIP;
    else if (requested === "None" || (old && requested === oldIP)) ip = requested;
    else ip = allocateIP(requested, ips, errs);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
    if (spec.ipFamilies === undefined) spec.ipFamilies = ["IPv4"];
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = "SingleStack";
  }
  const list = (Array.isArray(spec.ports) ? spec.ports : []).filter(isObject);
  if (type === "NodePort" || type === "LoadBalancer") {
    allocatePorts(list, (Array.isArray(oldSpec.ports) ? oldSpec.ports : []).filter(isObject), ports, errs);
  }
  if (errs.length > 0) throw invalid(store.ref, svc.metadata?.name ?? "", errs);
}
