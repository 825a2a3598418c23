/** The DaemonSet controller: runs one pod of every DaemonSet on every eligible node. */
import { labelSelectorFromObject } from "../../api/label-selector.js";
import { isGatingDaemonSet } from "../../api/readiness-gate.js";
import { mustFindResource } from "../../api/resources.js";
import type { ControllerRevision, DaemonSet, Node, Pod } from "../../api/types.js";
import { objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { realClock, type Clock } from "../../util/clock.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { ensureIndexers, type ControlLoopOptions } from "../../controller/control-loop.js";
import { DaemonSetEventHandlers } from "./event-handlers.js";
import { EventRecorder } from "../../client/event-recorder.js";
import { ControllerExpectations } from "./expectations.js";
import { FailedPodBackoff } from "./failed-pod-backoff.js";
import { byControllerUid, byNamespaceIndex, byOrphanNamespace, controllerUidIndex, namespaceIndex, orphanNamespaceIndex } from "./indexes.js";
import { daemonSetPriority, type PriorityClassView } from "./daemon-priority.js";
import { DaemonPlacement } from "./placement.js";
import { SyncPacer } from "./sync-pacer.js";
import { syncDaemonSet, type CompiledDaemonSet, type SyncDeps } from "./sync.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Event source component of the controller. */
export const daemonSetControllerComponent = "daemonset-controller";

/** Options of the DaemonSet controller (workers default 2; onError also receives event-write failures). */
export interface DaemonSetControllerOptions extends ControlLoopOptions {
  /** Wall-clock time in epoch ms, for pod availability and event timestamps (default Date.now). */
  now?: () => number;
  /** Creations and deletions per sync (default 250, or the node count when that is more; see burstFor). */
  burstReplicas?: number;
  /** While pod creations/deletions are in flight, status-only syncs run at most this often (default 1000 ms). */
  statusOnlyIntervalMs?: number;
}

/**
 * Watches DaemonSets, pods, nodes and ControllerRevisions and keeps, for every DaemonSet, exactly one daemon pod on
 * every node it should run on, rolling out template changes per its update strategy and maintaining its history
 * and status. Handlers are registered on construction; `run` waits for the caches and processes the queue.
 */
export class DaemonSetController implements Reconciler {
  /** The queue of DaemonSet keys (namespace/name). */
  readonly queue: WorkQueue<string>;
  /** Creations/deletions in flight per DaemonSet key. */
  readonly expectations: ControllerExpectations;
  /** Writes the controller's events. */
  readonly recorder: EventRecorder;
  private readonly informers: { daemonSets: Informer<DaemonSet>; pods: Informer<Pod>; nodes: Informer<Node>; revisions: Informer<ControllerRevision>; priorityClasses: Informer<PriorityClassView> };
  private readonly deps: SyncDeps;
  private readonly compiled = new Map<string, { rv: string; value: CompiledDaemonSet }>();
  private readonly clock: Clock;
  private readonly pacer: SyncPacer;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: DaemonSetControllerOptions) {
    this.clock = options.clock ?? realClock();
    this.pacer = new SyncPacer(4, options.statusOnlyIntervalMs ?? 1000);
    const now = options.now ?? Date.now;
    const resources = { daemonSets: mustFindResource("apps", "daemonsets"), pods: mustFindResource("", "pods"), controllerRevisions: mustFindResource("apps", "controllerrevisions") };
    this.informers = {
      daemonSets: options.informers.informerFor<DaemonSet>(resources.daemonSets),
      pods: options.informers.informerFor<Pod>(resources.pods),
      nodes: options.informers.informerFor<Node>(mustFindResource("", "nodes")),
      revisions: options.informers.informerFor<ControllerRevision>(resources.controllerRevisions),
      priorityClasses: options.informers.informerFor<PriorityClassView>(mustFindResource("scheduling.k8s.io", "priorityclasses")),
    };
    ensureIndexers(this.informers.daemonSets, { [namespaceIndex]: byNamespaceIndex });
    ensureIndexers(this.informers.pods, { [controllerUidIndex]: byControllerUid, [orphanNamespaceIndex]: byOrphanNamespace });
    ensureIndexers(this.informers.revisions, { [controllerUidIndex]: byControllerUid, [orphanNamespaceIndex]: byOrphanNamespace });
    // Higher-priority DaemonSets (critical agents) are synced first when many wait, so they reach new nodes first.
    this.queue = new WorkQueue<string>({
      clock: this.clock, metrics: options.metrics?.workQueue("daemonset"),
      priority: (key) => daemonSetPriority(this.informers.daemonSets.store.get(key), this.informers.priorityClasses.store),
    });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder({ client: options.client, component: daemonSetControllerComponent, now, onError: (e) => this.report(e) });
    this.deps = {
      client: options.client,
      resources,
      daemonSets: this.informers.daemonSets.store,
      pods: this.informers.pods.store,
      nodes: this.informers.nodes.store,
      revisions: this.informers.revisions.store,
      recorder: this.recorder,
      expectations: this.expectations,
      backoff: new FailedPodBackoff(this.clock),
      burstReplicas: options.burstReplicas,
      clock: this.clock,
      now,
      enqueueAfter: (key, ms) => this.queue.addAfter(key, ms),
      compile: (ds) => this.compile(ds),
      pacer: this.pacer,
    };
    const handlers = new DaemonSetEventHandlers({
      daemonSets: this.informers.daemonSets.store,
      expectations: this.expectations,
      enqueue: (ds) => this.enqueueUrgent(objectKey(ds)),
      enqueueStatus: (ds) => this.queue.add(objectKey(ds)),
      enqueueAfter: (ds, ms) => this.queue.addAfter(objectKey(ds), ms),
      compile: (ds) => this.compile(ds),
      forget: (ds) => this.compiled.delete(objectKey(ds)),
    });
    handlers.register(this.informers);
  }

  /** Waits for the caches to sync, then runs the workers until `signal` aborts; resolves once they stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const { daemonSets, pods, nodes, revisions, priorityClasses } = this.informers;
    if (!(await waitForCacheSync([daemonSets, pods, nodes, revisions, priorityClasses], signal, this.queue))) return;
    // DaemonSets queued while the PriorityClasses were still loading take their priority now.
    this.queue.reprioritize();
    const gcTimer = this.scheduleBackoffGc(signal);
    try {
      await runReconciler<string>({
        name: daemonSetControllerComponent,
        queue: this.queue,
        workers: this.options.workers ?? 2,
        signal,
        reconciler: this,
        onError: (error, key) => this.report(error, key),
      });
    } finally {
      gcTimer();
    }
  }

  /** Syncs a DaemonSet key from the queue, unless the pacer holds it back (see SyncPacer). */
  async reconcile(key: string): Promise<void> {
    const now = this.clock.now();
    const rest = this.pacer.admit(key, now);
    if (rest > 0) {
      this.queue.addAfter(key, rest);
      return;
    }
    const steady = this.expectations.satisfied(key);
    const sets = this.expectations.setCount;
    await syncDaemonSet(this.deps, key);
    if (this.deps.daemonSets.get(key) === undefined) {
      this.pacer.forget(key);
      return;
    }
    const wroteNothing = steady && this.expectations.setCount === sets && this.expectations.satisfied(key);
    this.pacer.synced(key, now, this.clock.now(), wroteNothing);
  }

  private enqueueUrgent(key: string): void {
    this.pacer.markUrgent(key);
    this.queue.add(key);
  }

  /** Syncs one DaemonSet now (outside the queue); for tests and tools. */
  async sync(key: string): Promise<void> {
    await syncDaemonSet(this.deps, key);
  }

  /** The compiled placement and selector of a DaemonSet, cached per uid and generation (spec changes bump it). */
  private compile(ds: DaemonSet): CompiledDaemonSet {
    const key = objectKey(ds);
    const version = ds.metadata?.generation !== undefined ? `g${ds.metadata.generation}` : `rv${ds.metadata?.resourceVersion ?? ""}`;
    // The gate annotation changes placement (its toleration) without bumping the generation.
    const rv = `${ds.metadata?.uid ?? ""}/${version}${isGatingDaemonSet(ds) ? "/gate" : ""}`;
    const hit = this.compiled.get(key);
    if (hit && hit.rv === rv && rv !== "/") return hit.value;
    const value = { placement: new DaemonPlacement(ds), selector: labelSelectorFromObject(ds.spec?.selector) };
    this.compiled.set(key, { rv, value });
    return value;
  }

  /** Drops stale failed-pod backoff entries every minute while running; returns a canceller. */
  private scheduleBackoffGc(signal: AbortSignal): () => void {
    let cancel = (): void => {};
    const arm = (): void => {
      cancel = this.clock.setTimer(60_000, () => {
        if (signal.aborted) return;
        this.deps.backoff.gc();
        arm();
      });
    };
    arm();
    return () => cancel();
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
