/** A ClusterView over the shared informer caches: Services, EndpointSlices and Namespaces, looked up through indexes. */
import { mustFindResource } from "../api/resources.js";
import type { ApiObject, EndpointSlice, Namespace, Service } from "../api/types.js";
import type { Informer } from "../client/informer.js";
import type { SharedInformerFactory } from "../client/informer-factory.js";
import type { ClusterView, DnsService, ReadyEndpoint } from "./answer.js";

const serviceNameLabel = "kubernetes.io/service-name";
const sliceIndex = "dns/service";
const sliceAddressIndex = "dns/address";
const clusterIPIndex = "dns/cluster-ip";

function addIndex<T extends ApiObject>(informer: Informer<T>, name: string, fn: (obj: T) => string[]): void {
  try {
    informer.addIndexers({ [name]: fn });
  } catch (error) {
    if (!(error instanceof Error && error.message.includes("already exists"))) throw error;
  }
}

function toDnsService(svc: Service): DnsService {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  const external = spec.type === "ExternalName" ? (spec.externalName ?? "") : undefined;
  return {
    name: svc.metadata?.name ?? "", namespace: svc.metadata?.namespace ?? "",
    clusterIPs: ips.filter((ip) => ip !== "None" && ip !== ""), headless: spec.clusterIP === "None", externalName: external,
    ports: (spec.ports ?? []).map((p) => ({ name: p.name ?? "", port: p.port, protocol: p.protocol ?? "TCP" })),
  };
}

function readyOf(slice: EndpointSlice): ReadyEndpoint[] {
  const out: ReadyEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses) out.push(ep.hostname ? { ip, hostname: ep.hostname } : { ip });
  }
  return out;
}

/** Reads the caches of `informers` (requesting the three informers and adding its indexes). */
export class InformerClusterView implements ClusterView {
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly namespaces: Informer<Namespace>;

  /** Requests the informers it reads from the shared factory. */
  constructor(informers: SharedInformerFactory) {
    this.services = informers.informerFor<Service>(mustFindResource("", "services"));
    this.slices = informers.informerFor<EndpointSlice>(mustFindResource("discovery.k8s.io", "endpointslices"));
    this.namespaces = informers.informerFor<Namespace>(mustFindResource("", "namespaces"));
    addIndex(this.slices, sliceIndex, (s) => {
      const svc = s.metadata?.labels?.[serviceNameLabel];
      return svc ? [`${s.metadata?.namespace ?? ""}/${svc}`] : [];
    });
    addIndex(this.slices, sliceAddressIndex, (s) => readyOf(s).map((e) => e.ip));
    addIndex(this.services, clusterIPIndex, (s) => toDnsService(s).clusterIPs);
  }

  /** Resolves once the caches synced (false if `signal` aborts first). */
  async waitForSync(signal: AbortSignal): Promise<boolean> {
    const synced = await Promise.all([this.services, this.slices, this.namespaces].map((i) => i.waitForSync(signal)));
    return synced.every(Boolean);
  }

  synced(): boolean {
    return this.services.hasSynced() && this.slices.hasSynced() && this.namespaces.hasSynced();
  }

  namespaceExists(namespace: string): boolean {
    return this.namespaces.store.get(namespace) !== undefined;
  }

  service(namespace: string, name: string): DnsService | undefined {
    const svc = this.services.store.get(`${namespace}/${name}`);
    return svc ? toDnsService(svc) : undefined;
  }

  readyEndpoints(namespace: string, name: string): ReadyEndpoint[] {
    const seen = new Set<string>();
    const out: ReadyEndpoint[] = [];
    for (const slice of this.slices.store.byIndex(sliceIndex, `${namespace}/${name}`)) {
      for (const ep of readyOf(slice)) {
        if (seen.has(ep.ip)) continue;
        seen.add(ep.ip);
        out.push(ep);
      }
    }
    return out;
  }

  byIP(ip: string): { service: DnsService; endpoint?: ReadyEndpoint } | undefined {
    const svc = this.services.store.byIndex(clusterIPIndex, ip)[0];
    if (svc) return { service: toDnsService(svc) };
    for (const slice of this.slices.store.byIndex(sliceAddressIndex, ip)) {
      const name = slice.metadata?.labels?.[serviceNameLabel] ?? "";
      const owner = this.services.store.get(`${slice.metadata?.namespace ?? ""}/${name}`);
      const endpoint = readyOf(slice).find((e) => e.ip === ip);
      if (owner && endpoint) return { service: toDnsService(owner), endpoint };
    }
    return undefined;
  }
}
