/** The garbage collector: deletes objects whose owners are gone and carries out orphan / foreground deletion. */
import { resources as servedResources, type ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { Informer } from "../../client/informer.js";
import { realClock } from "../../util/clock.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import type { ControlLoopOptions } from "../../controller/control-loop.js";
import { Collector } from "./collector.js";
import { AbsentOwnerCache, DependencyGraph } from "./dependency-graph.js";
import { GcOperations } from "./gc-operations.js";
import { isDeleting, isDeletingDependents, isOrphaningDependents, ownerReferencesOf, ownerUidsOf, sameOwnerReferences } from "./owner-references.js";
import { reportTo } from "../../util/report.js";
import { sameStrings } from "../../util/json.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Controller name used in error reports. */
export const garbageCollectorName = "garbage-collector";

/** Resources tracked by default: every served resource except events and namespaces (namespaces finalize themselves). */
export function defaultGarbageCollectedResources(): ResourceInfo[] {
  return servedResources.filter((r) => !(r.group === "" && (r.resource === "events" || r.resource === "namespaces")));
}

/** Options of the GarbageCollector (workers default 8). */
export interface GarbageCollectorOptions extends ControlLoopOptions {
  /** Resources whose objects are tracked as owners and dependents (default: defaultGarbageCollectedResources()). */
  resources?: readonly ResourceInfo[];
}

/**
 * Tracks owner → dependent relations through ownerReferences across the given resources and, driven by informer
 * events with retries through a work queue keyed by uid: deletes dependents whose owners are all verified absent
 * (live GET, uid must match) with Background propagation, or drops the dangling references when another owner
 * remains; strips references from the dependents of an owner deleted with the `orphan` finalizer, then removes
 * the finalizer; deletes the dependents of an owner deleted with `foregroundDeletion` and removes that finalizer
 * once no dependent with blockOwnerDeletion remains.
 */
export class GarbageCollector implements Reconciler {
  /** Queue of object uids to process. */
  readonly queue: WorkQueue<string>;
  /** The observed objects and their owner relations. */
  readonly graph = new DependencyGraph();
  private readonly informers: Informer<KubeObject>[] = [];
  private readonly collector: Collector;

  /** Creates the collector and registers its informer handlers. */
  constructor(private readonly options: GarbageCollectorOptions) {
    const clock = options.clock ?? realClock();
    this.queue = new WorkQueue<string>({ clock, metrics: options.metrics?.workQueue("garbage_collector_attempt_to_delete") });
    this.collector = new Collector({
      graph: this.graph,
      operations: new GcOperations(options.client),
      absentOwners: new AbsentOwnerCache(),
      enqueue: (uid) => this.queue.add(uid),
    });
    for (const resource of options.resources ?? defaultGarbageCollectedResources()) {
      const informer = options.informers.informerFor<KubeObject>(resource);
      informer.addEventHandler({
        onAdd: (obj) => this.onAdd(resource, obj),
        onUpdate: (old, obj) => this.onUpdate(resource, old, obj),
        onDelete: (obj) => this.onDelete(obj),
      });
      this.informers.push(informer);
    }
  }

  /** Waits for the caches, then processes the queue until `signal` aborts; resolves once the workers stopped. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync(this.informers, signal, this.queue))) return;
    await runReconciler<string>({
      name: garbageCollectorName,
      queue: this.queue,
      workers: this.options.workers ?? 8,
      signal,
      reconciler: this,
      onError: (error, key) => this.report(error, key),
    });
  }

  /** Reconciles the object with `uid`: deletes it when its owners are gone, orphans or deletes its dependents. */
  async reconcile(uid: string): Promise<void> {
    await this.collector.process(uid);
  }

  /** Processes one uid now, outside the queue (for tests and tools). */
  async process(uid: string): Promise<void> {
    await this.reconcile(uid);
  }

  private onAdd(resource: ResourceInfo, obj: KubeObject): void {
    this.graph.upsert(resource, obj);
    const uid = obj.metadata?.uid;
    if (!uid) return;
    if (ownerReferencesOf(obj).length > 0 || isOrphaningDependents(obj) || isDeletingDependents(obj)) this.queue.add(uid);
  }

  private onUpdate(resource: ResourceInfo, old: KubeObject, obj: KubeObject): void {
    this.graph.upsert(resource, obj);
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const refsChanged = !sameOwnerReferences(ownerReferencesOf(old), ownerReferencesOf(obj));
    const deletionChanged = old.metadata?.deletionTimestamp !== obj.metadata?.deletionTimestamp
      || !sameStrings(old.metadata?.finalizers ?? [], obj.metadata?.finalizers ?? []);
    if (!refsChanged && !deletionChanged) return;
    this.queue.add(uid);
    // Owners waiting in the foreground re-check when a dependent starts going or stops blocking them.
    for (const owner of new Set([...ownerUidsOf(old), ...ownerUidsOf(obj)])) this.enqueueIfDeleting(owner);
  }

  private onDelete(obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    this.graph.remove(obj);
    for (const dependent of this.graph.dependentsOf(uid)) this.queue.add(dependent.uid);
    for (const owner of ownerUidsOf(obj)) this.enqueueIfDeleting(owner);
  }

  private enqueueIfDeleting(uid: string): void {
    const node = this.graph.get(uid);
    if (node && isDeleting(node.object)) this.queue.add(uid);
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
