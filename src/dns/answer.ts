/** The answers of the cluster DNS, as CoreDNS's kubernetes plugin gives them (pure: reads a ClusterView). */
import type { Answer, SoaAnswer } from "dns-packet";

/** One ready endpoint of a Service: its address and, when set, its hostname. */
export interface ReadyEndpoint {
  ip: string;
  hostname?: string;
}

/** A Service as DNS sees it. */
export interface DnsService {
  name: string;
  namespace: string;
  /** "None" for headless; "" for ExternalName. */
  clusterIPs: string[];
  headless: boolean;
  externalName?: string;
  ports: { name: string; port: number; protocol: string }[];
}

/** What the answers are computed from (informer caches in the server, fixtures in tests). */
export interface ClusterView {
  /** False until the caches have synced (answers are SERVFAIL until then). */
  synced(): boolean;
  namespaceExists(namespace: string): boolean;
  service(namespace: string, name: string): DnsService | undefined;
  /** Ready endpoints of the Service, from its EndpointSlices (each address once). */
  readyEndpoints(namespace: string, name: string): ReadyEndpoint[];
  /** The Service whose ClusterIP is `ip`, else the Service and endpoint having address `ip` (for PTR). */
  byIP(ip: string): { service: DnsService; endpoint?: ReadyEndpoint } | undefined;
}

/** Response codes used. */
export const rcode = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The outcome of one question. */
export interface DnsAnswer {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

/** Options of answerQuestion. */
export interface AnswerOptions {
  /** Cluster domain (default `cluster.local`). */
  zone: string;
  /** TTL of every record (CoreDNS's default 5). */
  ttl: number;
}

function soa(zone: string, ttl: number): SoaAnswer {
  return { type: "SOA", name: zone, ttl, data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl } };
}

/** The endpoint label of an address: its hostname, else the IP with dashes (`10-244-0-5`). */
export function endpointLabel(ep: ReadyEndpoint): string {
  return ep.hostname ?? ep.ip.replaceAll(".", "-").replaceAll(":", "-");
}

function strip(label: string): string {
  return label.startsWith("_") ? label.slice(1) : label;
}

function ipv4(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip);
}

/**
 * Answers one question. Names under the zone: `<svc>.<ns>.svc` (A: the ClusterIPs, or one per ready endpoint of a
 * headless Service; CNAME for ExternalName; SRV: one per port), `<endpoint>.<svc>.<ns>.svc` (hostname or dashed
 * IP of a ready endpoint), `_<port>._<proto>.<svc>.<ns>.svc` (SRV of a named port, with A records in the
 * additional section), `dns-version.<zone>` TXT, and PTR of `in-addr.arpa` names of ClusterIPs and endpoints.
 * NXDOMAIN for what does not exist; NOERROR without answers (SOA in authority) for an existing name of another
 * type; REFUSED outside the zone; SERVFAIL before the caches synced.
 */
export function answerQuestion(view: ClusterView, qname: string, qtype: string, options: AnswerOptions): DnsAnswer {
  const { zone, ttl } = options;
  const name = qname.toLowerCase().replace(/\.$/, "");
  const result: DnsAnswer = { rcode: rcode.NOERROR, answers: [], authorities: [], additionals: [] };
  const fail = (code: number): DnsAnswer => ({ ...result, rcode: code, authorities: code === rcode.NXDOMAIN ? [soa(zone, ttl)] : [] });
  const nodata = (): DnsAnswer => ({ ...result, authorities: [soa(zone, ttl)] });
  if (name.endsWith(".in-addr.arpa")) return reverse(view, name, qname, qtype, options);
  if (name !== zone && !name.endsWith(`.${zone}`)) return fail(rcode.REFUSED);
  if (!view.synced()) return fail(rcode.SERVFAIL);
  if (name === zone) return qtype === "SOA" ? { ...result, answers: [soa(zone, ttl)] } : nodata();
  const segs = name.slice(0, -(zone.length + 1)).split(".");
  if (segs.length === 1 && segs[0] === "dns-version") {
    return qtype === "TXT" ? { ...result, answers: [{ type: "TXT", name: qname, ttl, data: "1.1.0" }] } : nodata();
  }
  if (segs.at(-1) !== "svc") return fail(rcode.NXDOMAIN);
  if (segs.length === 1) return nodata();
  const namespace = segs.at(-2) ?? "";
  if (segs.length === 2) return view.namespaceExists(namespace) ? nodata() : fail(rcode.NXDOMAIN);
  const service = view.service(namespace, segs.at(-3) ?? "");
  if (!service) return fail(rcode.NXDOMAIN);
  const rest = segs.slice(0, -3);
  if (rest.length > 2) return fail(rcode.NXDOMAIN);
  const serviceName = `${service.name}.${service.namespace}.svc.${zone}`;
  if (service.externalName !== undefined) {
    if (rest.length > 0) return fail(rcode.NXDOMAIN);
    return { ...result, answers: [{ type: "CNAME", name: qname, ttl, data: service.externalName }] };
  }
  let endpoints: ReadyEndpoint[] = service.headless || rest.length === 1 ? view.readyEndpoints(namespace, service.name) : [];
  if (rest.length === 1) {
    endpoints = endpoints.filter((ep) => endpointLabel(ep) === rest[0]);
    if (endpoints.length === 0) return fail(rcode.NXDOMAIN);
  } else if (service.headless && endpoints.length === 0) return fail(rcode.NXDOMAIN);
  let ports = service.ports;
  if (rest.length === 2) {
    const [port = "", proto = ""] = rest.map(strip);
    ports = ports.filter((p) => p.name.toLowerCase() === port && p.protocol.toLowerCase() === proto);
    if (ports.length === 0) return fail(rcode.NXDOMAIN);
  }
  const addresses = (rest.length === 1 || service.headless ? endpoints.map((e) => e.ip) : service.clusterIPs).filter(ipv4);
  if (qtype === "A") return { ...result, answers: addresses.map((ip) => ({ type: "A", name: qname, ttl, data: ip })) };
  if (qtype === "SRV" && rest.length !== 1) {
    const targets = service.headless ? endpoints.map((e) => ({ name: `${endpointLabel(e)}.${serviceName}`, ip: e.ip })) : service.clusterIPs.filter(ipv4).map((ip) => ({ name: serviceName, ip }));
    const count = targets.length * ports.length;
    const weight = count > 0 ? Math.floor(100 / count) : 0;
    for (const p of ports) for (const t of targets) result.answers.push({ type: "SRV", name: qname, ttl, data: { priority: 0, weight, port: p.port, target: t.name } });
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.name)) continue;
      seen.add(t.name);
      result.additionals.push({ type: "A", name: t.name, ttl, data: t.ip });
    }
    return result.answers.length > 0 ? result : nodata();
  }
  return nodata();
}

function reverse(view: ClusterView, name: string, qname: string, qtype: string, options: AnswerOptions): DnsAnswer {
  const { zone, ttl } = options;
  const result: DnsAnswer = { rcode: rcode.NOERROR, answers: [], authorities: [], additionals: [] };
  const octets = name.slice(0, -".in-addr.arpa".length).split(".");
  if (!view.synced()) return { ...result, rcode: rcode.SERVFAIL };
  const found = octets.length === 4 ? view.byIP(octets.reverse().join(".")) : undefined;
  if (!found) return { ...result, rcode: rcode.NXDOMAIN, authorities: [soa(zone, ttl)] };
  if (qtype !== "PTR") return { ...result, authorities: [soa(zone, ttl)] };
  const svcName = `${found.service.name}.${found.service.namespace}.svc.${zone}`;
  const target = found.endpoint ? `${endpointLabel(found.endpoint)}.${svcName}` : svcName;
  return { ...result, answers: [{ type: "PTR", name: qname, ttl, data: target }] };
}
