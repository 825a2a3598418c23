/** The Endpoints controller: keeps the Endpoints of every Service with a selector equal to its selected pods. */
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { Endpoints, Pod, Service } from "../../api/types.js";
import { objectKey, splitObjectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock } from "../../util/clock.js";
import { jsonEqual } from "../../util/json.js";
import { reportTo } from "../../util/report.js";
import { computeSubsets, overCapacityAnnotation, truncateSubsets } from "./endpoints-subsets.js";
import { hasManagedEndpoints, isHeadless } from "./pod-endpoints.js";
import { registerServiceHandlers } from "./service-handlers.js";
import { ServicePods } from "./service-pods.js";
import { formatTriggerTime, lastChangeTriggerTimeAnnotation, TriggerTimeTracker } from "./trigger-time.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Controller name used in error reports. */
export const endpointsControllerName = "endpoints-controller";
/** Label marking the Endpoints (and EndpointSlices) of a headless Service. */
export const headlessLabel = "service.kubernetes.io/headless";
/** Annotation of leader-election Endpoints, which are never treated as leftovers. */
const leaderAnnotation = "control-plane.alpha.kubernetes.io/leader";

const services = mustFindResource("", "services");
const pods = mustFindResource("", "pods");
const endpoints = mustFindResource("", "endpoints");

/** Options of the EndpointsController (workers default 2). */
export type EndpointsControllerOptions = ControlLoopOptions;

/** The labels of a Service's Endpoints: the Service's, plus `service.kubernetes.io/headless` for a headless one. */
export function endpointsLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  delete labels[headlessLabel];
  if (isHeadless(service)) labels[headlessLabel] = "";
  return labels;
}

/**
 * For every Service with a selector (not ExternalName), writes the Endpoints of the same name: the selected pods'
 * ready addresses and, in notReadyAddresses, those not ready; ports resolved per pod (named target ports by
 * container port name); at most 1000 addresses (then annotated over-capacity). Services without a selector keep
 * their user-managed Endpoints; the Endpoints of a deleted Service are deleted. A pod change syncs only the
 * Services selecting the pod (found through indexes).
 */
export class EndpointsController implements Reconciler {
  /** Queue of Service keys `namespace/name`. */
  readonly queue: WorkQueue<string>;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly selection: ServicePods;
  private readonly triggers = new TriggerTimeTracker();

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: EndpointsControllerOptions) {
    this.queue = new WorkQueue<string>({ clock: options.clock ?? realClock(), metrics: options.metrics?.workQueue("endpoint") });
    this.services = options.informers.informerFor<Service>(services);
    this.pods = options.informers.informerFor<Pod>(pods);
    this.endpoints = options.informers.informerFor<Endpoints>(endpoints);
    this.selection = new ServicePods(this.services, this.pods);
    registerServiceHandlers(this.services, this.pods, this.selection, (key) => this.queue.add(key));
    this.endpoints.addEventHandler({ onDelete: (ep) => this.queue.add(objectKey(ep)) });
  }

  /** Waits for the caches, queues leftover Endpoints, then runs the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.services, this.pods, this.endpoints], signal, this.queue))) return;
    for (const ep of this.endpoints.store.list()) {
      if (!ep.metadata?.annotations?.[leaderAnnotation]) this.queue.add(objectKey(ep));
    }
    await runReconciler<string>({
      name: endpointsControllerName, queue: this.queue, reconciler: this, workers: this.options.workers ?? 2, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Syncs the Endpoints of the Service `key` from the caches; throws to be retried. */
  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitObjectKey(key);
    const service = this.services.store.get(key);
    if (!service) {
      this.triggers.delete(key);
      const leftover = this.endpoints.store.get(key);
      if (!leftover || leftover.metadata?.annotations?.[leaderAnnotation]) return;
      try {
        await this.options.client.delete(endpoints, namespace, name, { preconditions: { uid: leftover.metadata?.uid } });
      } catch (error) {
        if (!isStatus(error, 404) && !isStatus(error, 409)) throw error;
      }
      return;
    }
    if (!hasManagedEndpoints(service)) return;
    const selected = this.selection.podsFor(service);
    const trigger = this.triggers.compute(key, service, selected);
    const { subsets } = computeSubsets(service, selected);
    const truncated = truncateSubsets(subsets);
    const labels = endpointsLabels(service);
    const current = this.endpoints.store.get(key);
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    if (current && jsonEqual(current.subsets ?? [], subsets) && jsonEqual(current.metadata?.labels ?? {}, labels)
      && (annotations[overCapacityAnnotation] === "truncated") === truncated) return;
    if (trigger) annotations[lastChangeTriggerTimeAnnotation] = formatTriggerTime(trigger);
    else delete annotations[lastChangeTriggerTimeAnnotation];
    if (truncated) annotations[overCapacityAnnotation] = "truncated";
    else delete annotations[overCapacityAnnotation];
    const metadata = { ...(current?.metadata ?? { name, namespace }), labels, annotations };
    const desired: Endpoints = { apiVersion: "v1", kind: "Endpoints", metadata };
    if (subsets.length > 0) desired.subsets = subsets;
    try {
      if (current) await this.options.client.update(endpoints, namespace, desired);
      else await this.options.client.create(endpoints, namespace, desired);
    } catch (error) {
      // A stale cache: the informer's coming event queues the Service again.
      if (isStatus(error, 409)) this.queue.addAfter(key, 100);
      else throw error;
    }
  }
}
