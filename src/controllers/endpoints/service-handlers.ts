/** Informer handlers that map Service and pod changes to the keys of the Services whose endpoints they affect. */
import type { Pod, Service } from "../../api/types.js";
import { objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { endpointRelevantState } from "./pod-endpoints.js";
import type { ServicePods } from "./service-pods.js";

/**
 * Registers handlers that call `enqueue(serviceKey)`: for every Service change, and for a pod added, deleted or
 * changed in a way that matters for endpoints (labels, IPs, readiness, phase, deletion, node, hostname, ports),
 * for each Service selecting the pod before or after the change.
 */
export function registerServiceHandlers(services: Informer<Service>, pods: Informer<Pod>, selection: ServicePods, enqueue: (key: string) => void): void {
  const forPod = (pod: Pod): void => {
    for (const svc of selection.servicesFor(pod)) enqueue(objectKey(svc));
  };
  services.addEventHandler({
    onAdd: (svc) => enqueue(objectKey(svc)),
    onUpdate: (_old, svc) => enqueue(objectKey(svc)),
    onDelete: (svc) => enqueue(objectKey(svc)),
  });
  pods.addEventHandler({
    onAdd: forPod,
    onUpdate: (old, pod) => {
      if (endpointRelevantState(old) === endpointRelevantState(pod)) return;
      forPod(pod);
      if (JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {})) forPod(old);
    },
    onDelete: forPod,
  });
}
