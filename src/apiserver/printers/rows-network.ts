/** Row cells for Service, Endpoints, EndpointSlice and the RBAC kinds, as upstream prints them. */
import { num, obj, objs, str, stringMap } from "./fields.js";
import { translateTimestampSince } from "./duration.js";
import { formatLabels } from "./rows.js";

function age(o: Record<string, unknown>, now: Date): string {
  return translateTimestampSince(obj(o.metadata).creationTimestamp, now);
}

function externalIP(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const type = str(spec.type);
  const external = Array.isArray(spec.externalIPs) ? spec.externalIPs.filter((x): x is string => typeof x === "string") : [];
  if (type === "ExternalName") return str(spec.externalName);
  if (type === "LoadBalancer") {
    const ingress = objs(obj(status.loadBalancer).ingress).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean);
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(",") : "<pending>";
  }
  return external.length > 0 ? external.join(",") : "<none>";
}

/** NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR. */
export function serviceCells(svc: Record<string, unknown>, now: Date): unknown[] {
  const spec = obj(svc.spec);
  const type = str(spec.type);
  const clusterIP = type === "ExternalName" ? "<none>" : str(spec.clusterIP) || "<none>";
  const ports = objs(spec.ports).map((p) => (num(p.nodePort) > 0 ? `${num(p.port)}:${num(p.nodePort)}/${str(p.protocol)}` : `${num(p.port)}/${str(p.protocol)}`));
  const selector = stringMap(spec.selector);
  return [str(obj(svc.metadata).name), type, clusterIP, externalIP(spec, obj(svc.status)), ports.length > 0 ? ports.join(",") : "<none>",
    age(svc, now), Object.keys(selector).length > 0 ? formatLabels(selector) : "<none>"];
}

/** `ip:port` pairs, the first three then `+ N more...`; `<none>` when empty. */
function formatEndpoints(pairs: string[]): string {
  if (pairs.length === 0) return "<none>";
  const shown = pairs.slice(0, 3).join(",");
  return pairs.length > 3 ? `${shown} + ${pairs.length - 3} more...` : shown;
}

/** NAME ENDPOINTS AGE. */
export function endpointsCells(ep: Record<string, unknown>, now: Date): unknown[] {
  const pairs: string[] = [];
  for (const subset of objs(ep.subsets)) {
    const ports = objs(subset.ports);
    for (const a of objs(subset.addresses)) {
      if (ports.length === 0) pairs.push(str(a.ip));
      for (const p of ports) pairs.push(`${str(a.ip)}:${num(p.port)}`);
    }
  }
  return [str(obj(ep.metadata).name), formatEndpoints(pairs), age(ep, now)];
}

/** NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
export function endpointSliceCells(slice: Record<string, unknown>, now: Date): unknown[] {
  const ports = objs(slice.ports).map((p) => (p.port === undefined || p.port === null ? "<unset>" : String(num(p.port))));
  const addresses = objs(slice.endpoints).flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(String) : []));
  const endpoints = addresses.length === 0 ? "<none>" : addresses.length > 3 ? `${addresses.slice(0, 3).join(",")} + ${addresses.length - 3} more...` : addresses.join(",");
  return [str(obj(slice.metadata).name), str(slice.addressType), ports.length > 0 ? ports.join(",") : "<unset>", endpoints, age(slice, now)];
}

/** NAME CREATED AT (roles and cluster roles). */
export function roleCells(role: Record<string, unknown>): unknown[] {
  const metadata = obj(role.metadata);
  return [str(metadata.name), str(metadata.creationTimestamp)];
}

/** NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS. */
export function bindingCells(binding: Record<string, unknown>, now: Date): unknown[] {
  const roleRef = obj(binding.roleRef);
  const subjects = objs(binding.subjects);
  const of = (kind: string): string => subjects.filter((s) => s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${str(s.namespace)}/${str(s.name)}` : str(s.name))).join(", ");
  return [str(obj(binding.metadata).name), `${str(roleRef.kind)}/${str(roleRef.name)}`, age(binding, now), of("User"), of("Group"), of("ServiceAccount")];
}
