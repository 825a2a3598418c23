/** The EndpointSlice controller: keeps the EndpointSlices of every Service with a selector equal to its selected pods. */
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { EndpointSlice, Node, OwnerReference, Pod, Service } from "../../api/types.js";
import { byNodeName, objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock, type Clock } from "../../util/clock.js";
import { reportTo } from "../../util/report.js";
import { headlessLabel } from "../endpoints/endpoints-controller.js";
import { hasManagedEndpoints, isHeadless, serviceAddressTypes } from "../endpoints/pod-endpoints.js";
import { registerServiceHandlers } from "../endpoints/service-handlers.js";
import { ServicePods } from "../endpoints/service-pods.js";
import { formatTriggerTime, TriggerTimeTracker } from "../endpoints/trigger-time.js";
import { desiredEndpoints, zoneLabel } from "./desired-endpoints.js";
import { planSlices, type SlicePlan } from "./slice-plan.js";
import { SliceTracker } from "./slice-tracker.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Controller name used in error reports. */
export const endpointSliceControllerName = "endpointslice-controller";
/** Label naming a slice's Service. */
export const serviceNameLabel = "kubernetes.io/service-name";
/** Label naming the slice's manager. */
export const managedByLabel = "endpointslice.kubernetes.io/managed-by";
/** This controller's value of managedByLabel. */
export const managedByValue = "endpointslice-controller.k8s.io";

const services = mustFindResource("", "services");
const pods = mustFindResource("", "pods");
const nodes = mustFindResource("", "nodes");
const slices = mustFindResource("discovery.k8s.io", "endpointslices");
const sliceServiceIndex = "endpointslice/service";

/** Options of the EndpointSliceController (workers default 2). */
export interface EndpointSliceControllerOptions extends ControlLoopOptions {
  /** Endpoints per slice (upstream `--max-endpoints-per-slice`, default 100). */
  maxEndpointsPerSlice?: number;
}

function managedServiceKey(slice: EndpointSlice): string[] {
  const labels = slice.metadata?.labels ?? {};
  const name = labels[serviceNameLabel];
  return name && labels[managedByLabel] === managedByValue ? [`${slice.metadata?.namespace ?? ""}/${name}`] : [];
}

/** The labels of a Service's slices: its own (minus the reserved ones), the headless marker, service name and manager. */
export function sliceLabels(service: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  for (const reserved of [serviceNameLabel, managedByLabel, headlessLabel]) delete labels[reserved];
  if (isHeadless(service)) labels[headlessLabel] = "";
  labels[serviceNameLabel] = service.metadata?.name ?? "";
  labels[managedByLabel] = managedByValue;
  return labels;
}

/**
 * For every Service with a selector (not ExternalName), keeps EndpointSlices (generateName `<service>-`, owned by
 * the Service, at most maxEndpointsPerSlice endpoints each) holding one endpoint per selected pod with an IP:
 * conditions ready/serving/terminating, nodeName, zone, hostname, ports resolved per pod. Only slices labelled as
 * managed by this controller are touched; writes not yet seen by the informer hold the Service's next sync back.
 */
export class EndpointSliceController implements Reconciler {
  /** Queue of Service keys `namespace/name`. */
  readonly queue: WorkQueue<string>;
  private readonly clock: Clock;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly selection: ServicePods;
  private readonly triggers = new TriggerTimeTracker();
  private readonly tracker: SliceTracker;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: EndpointSliceControllerOptions) {
    this.clock = options.clock ?? realClock();
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("endpoint_slice") });
    this.tracker = new SliceTracker(() => this.clock.now());
    this.services = options.informers.informerFor<Service>(services);
    this.pods = options.informers.informerFor<Pod>(pods);
    this.nodes = options.informers.informerFor<Node>(nodes);
    this.slices = options.informers.informerFor<EndpointSlice>(slices);
    ensureIndexers(this.slices, { [sliceServiceIndex]: (s) => managedServiceKey(s as EndpointSlice) });
    ensureIndexers(this.pods, { [nodeNameIndex]: byNodeName });
    this.selection = new ServicePods(this.services, this.pods);
    const enqueue = (key: string): void => this.queue.add(key);
    registerServiceHandlers(this.services, this.pods, this.selection, enqueue);
    const sliceEvent = (slice: EndpointSlice, deleted: boolean): void => {
      for (const key of managedServiceKey(slice)) if (this.tracker.observe(key, slice, deleted)) enqueue(key);
    };
    this.slices.addEventHandler({ onAdd: (s) => sliceEvent(s, false), onUpdate: (_o, s) => sliceEvent(s, false), onDelete: (s) => sliceEvent(s, true) });
    this.nodes.addEventHandler({
      onUpdate: (old, node) => {
        if (old.metadata?.labels?.[zoneLabel] === node.metadata?.labels?.[zoneLabel]) return;
        for (const pod of this.pods.store.byIndex(nodeNameIndex, node.metadata?.name ?? "")) {
          for (const svc of this.selection.servicesFor(pod)) enqueue(objectKey(svc));
        }
      },
    });
  }

  /** Waits for the caches, then runs the workers until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.services, this.pods, this.nodes, this.slices];
    if (!(await waitForCacheSync(informers, signal, this.queue))) return;
    await runReconciler<string>({
      name: endpointSliceControllerName, queue: this.queue, reconciler: this, workers: this.options.workers ?? 2, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Syncs the slices of the Service `key` from the caches; throws to be retried. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const service = this.services.store.get(key);
    if (!service) {
      // The garbage collector deletes the slices the Service owned.
      this.triggers.delete(key);
      this.tracker.delete(key);
      return;
    }
    if (!hasManagedEndpoints(service)) return;
    if (this.tracker.stale(key, (n) => this.slices.store.get(`${service.metadata?.namespace ?? ""}/${n}`))) return { requeueAfterMs: 100 };
    const selected = this.selection.podsFor(service);
    const trigger = this.triggers.compute(key, service, selected);
    const addressType = serviceAddressTypes(service)[0] ?? "IPv4";
    const desired = desiredEndpoints(service, selected, (n) => this.nodes.store.get(n), addressType);
    const { name = "", namespace, uid } = service.metadata ?? {};
    const owner: OwnerReference = { apiVersion: "v1", kind: "Service", name, uid: uid ?? "", controller: true, blockOwnerDeletion: true };
    const plan = planSlices({
      addressType, existing: this.slices.store.byIndex(sliceServiceIndex, key), desired: desired.groups,
      meta: { namespace, generateName: `${name}-`, labels: sliceLabels(service), ownerReferences: [owner] },
      maxEndpointsPerSlice: this.options.maxEndpointsPerSlice, triggerTime: trigger ? formatTriggerTime(trigger) : undefined,
    });
    await this.apply(key, namespace, plan);
    // A pod on a node the cache does not know yet is left out until it does (as upstream, retried with backoff).
    if (desired.missingNodes.length > 0) return { requeue: true };
  }

  private async apply(key: string, namespace: string | undefined, plan: SlicePlan): Promise<void> {
    const { client } = this.options;
    for (const slice of plan.create) this.tracker.expect(key, await client.create(slices, namespace, slice));
    for (const slice of plan.update) {
      try {
        this.tracker.expect(key, await client.update(slices, namespace, slice));
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    }
    for (const slice of plan.delete) {
      try {
        await client.delete(slices, namespace, slice.metadata?.name ?? "", { preconditions: { uid: slice.metadata?.uid } });
        this.tracker.expect(key, slice, true);
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    }
  }
}
