/** Which Services select a pod and which pods a Service selects, through indexes (cost: the pods and Services involved). */
import type { ApiObject, Pod, Service } from "../../api/types.js";
import type { Informer } from "../../client/informer.js";
import { ensureIndexers } from "../../controller/control-loop.js";
import { hasManagedEndpoints } from "./pod-endpoints.js";

/** Index of Services by `<namespace>/<key>=<value>` of the first (sorted) pair of their selector. */
const serviceSelectorIndex = "endpoints/service-selector";
/** Index of pods by `<namespace>/<key>=<value>` of each of their labels. */
const podLabelIndex = "endpoints/pod-label";

function pair(namespace: string, key: string, value: string): string {
  return `${namespace}/${key}=${value}`;
}

function selectorKey(service: Service): string[] {
  if (!hasManagedEndpoints(service)) return [];
  const selector = service.spec?.selector ?? {};
  const first = Object.keys(selector).sort()[0];
  return first === undefined ? [] : [pair(service.metadata?.namespace ?? "", first, selector[first] ?? "")];
}

function labelKeys(obj: ApiObject): string[] {
  const ns = obj.metadata?.namespace ?? "";
  return Object.entries(obj.metadata?.labels ?? {}).map(([k, v]) => pair(ns, k, v));
}

/** Whether every pair of the Service's selector is among the pod's labels (same namespace). */
export function selects(service: Service, pod: Pod): boolean {
  if (service.metadata?.namespace !== pod.metadata?.namespace) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(service.spec?.selector ?? {}).every(([k, v]) => labels[k] === v);
}

/** Answers "which Services select this pod" and "which pods does this Service select" from the shared caches. */
export class ServicePods {
  /** Adds the two indexes to the shared informers (idempotent across controllers). */
  constructor(private readonly services: Informer<Service>, private readonly pods: Informer<Pod>) {
    ensureIndexers(services, { [serviceSelectorIndex]: (s) => selectorKey(s as Service) });
    ensureIndexers(pods, { [podLabelIndex]: labelKeys });
  }

  /** The Services with a selector (not ExternalName) selecting `pod`. */
  servicesFor(pod: Pod): Service[] {
    const found = new Map<string, Service>();
    for (const key of labelKeys(pod)) {
      for (const svc of this.services.store.byIndex(serviceSelectorIndex, key)) {
        if (selects(svc, pod)) found.set(svc.metadata?.name ?? "", svc);
      }
    }
    return [...found.values()];
  }

  /** The pods `service` selects (none without a selector). */
  podsFor(service: Service): Pod[] {
    const [key] = selectorKey(service);
    if (key === undefined) return [];
    return this.pods.store.byIndex(podLabelIndex, key).filter((p) => selects(service, p));
  }
}
