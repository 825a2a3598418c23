/**
 * Keeps one object of a given name in every active namespace, as kube-controller-manager's serviceaccount
 * controller keeps the `default` ServiceAccount and its root-ca-cert-publisher the `kube-root-ca.crt` ConfigMap:
 * created when a namespace appears or the object is deleted, brought back when its managed content drifts.
 * Terminating namespaces are left alone.
 */
import type { ResourceInfo } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { ApiObject, KubeObject } from "../../api/types.js";
import { mustFindResource } from "../../api/resources.js";
import type { Informer } from "../../client/informer.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock } from "../../util/clock.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** The object one NamespaceObjectController keeps in every namespace. */
export interface NamespaceObject {
  /** Controller name (work queue metrics, errors). */
  controllerName: string;
  resource: ResourceInfo;
  name: string;
  /** The object to create in `namespace`. */
  desired(namespace: string): KubeObject;
  /** The existing object with its managed content restored, or undefined when it needs no change. */
  repaired?(current: KubeObject, desired: KubeObject): KubeObject | undefined;
}

const namespacesResource = mustFindResource("", "namespaces");

function isActive(ns: ApiObject | undefined): boolean {
  const phase = (ns as { status?: { phase?: string } } | undefined)?.status?.phase;
  return ns !== undefined && !ns.metadata?.deletionTimestamp && phase !== "Terminating";
}

/** Watches namespaces and the kept objects; one queue key per namespace. */
export class NamespaceObjectController implements Reconciler {
  /** The queue of namespace names. */
  readonly queue: WorkQueue<string>;
  private readonly namespaces: Informer<KubeObject>;
  private readonly objects: Informer<KubeObject>;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: ControlLoopOptions, private readonly kept: NamespaceObject) {
    this.namespaces = options.informers.informerFor<KubeObject>(namespacesResource);
    this.objects = options.informers.informerFor<KubeObject>(kept.resource);
    this.queue = new WorkQueue<string>({ clock: options.clock ?? realClock(), metrics: options.metrics?.workQueue(kept.controllerName.replace(/-/g, "_")) });
    const enqueueNamespace = (ns: KubeObject): void => { if (isActive(ns)) this.queue.add(ns.metadata?.name ?? ""); };
    this.namespaces.addEventHandler({ onAdd: enqueueNamespace, onUpdate: (_old, cur) => enqueueNamespace(cur) });
    const enqueueObject = (obj: KubeObject): void => {
      if (obj.metadata?.name === kept.name && obj.metadata.namespace) this.queue.add(obj.metadata.namespace);
    };
    this.objects.addEventHandler({ onUpdate: (_old, cur) => enqueueObject(cur), onDelete: enqueueObject });
  }

  /** Waits for the caches, then reconciles until `signal` aborts; resolves once the workers stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.namespaces, this.objects], signal, this.queue))) return;
    await runReconciler({
      name: this.kept.controllerName, queue: this.queue, reconciler: this, workers: this.options.workers ?? 4, signal,
      onError: (error, key) => reportTo(this.options.onError, error, key),
    });
  }

  /** Creates the object in the namespace when missing, or restores its managed content. */
  async reconcile(namespace: string): Promise<ReconcileResult | void> {
    if (!isActive(this.namespaces.store.get(namespace))) return;
    const { client } = this.options;
    const desired = this.kept.desired(namespace);
    const current = this.objects.store.get(`${namespace}/${this.kept.name}`);
    try {
      if (!current) {
        await client.create(this.kept.resource, namespace, desired);
        return;
      }
      const repaired = this.kept.repaired?.(current, desired);
      if (repaired) await client.update(this.kept.resource, namespace, repaired);
    } catch (error) {
      // Created meanwhile, or changed meanwhile: judged again from the cache's next event.
      if (isStatus(error, 409)) return;
      // The namespace began terminating (or is gone) since the cache saw it.
      if (isStatus(error, 403) || isStatus(error, 404)) return;
      throw error;
    }
  }
}
