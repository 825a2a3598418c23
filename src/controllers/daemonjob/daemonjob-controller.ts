/** The DaemonJob controller: runs a DaemonJob's pod to completion once on every node it covers. */
import { mustFindResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { DaemonJob, Node, Pod } from "../../api/types.js";
import { objectKey, splitObjectKey } from "../../client/cache.js";
import { EventRecorder } from "../../client/event-recorder.js";
import type { Informer } from "../../client/informer.js";
import { ensureIndexers, type ControlLoopOptions } from "../../controller/control-loop.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { realClock, type Clock } from "../../util/clock.js";
import { jsonEqual } from "../../util/json.js";
import { reportTo } from "../../util/report.js";
import { ControllerExpectations } from "../daemonset/expectations.js";
import { byControllerUid, controllerUidIndex } from "../daemonset/indexes.js";
import { DaemonPlacement } from "../daemonset/placement.js";
import { daemonJobHandler, daemonJobNodeHandler, daemonJobPodHandler } from "./event-handlers.js";
import { nodeStates } from "./node-states.js";
import { deadlinePassed, planDaemonJob, timeMs, trueCondition, type DaemonJobPlan } from "./plan.js";
import { daemonJobReference, newDaemonJobPod } from "./pod-template.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Event source component of the controller. */
export const daemonJobControllerComponent = "daemonjob-controller";

/** Options of the DaemonJob controller (workers default 2). */
export interface DaemonJobControllerOptions extends ControlLoopOptions {
  /** Wall-clock time in epoch ms, for start/completion times, back-off, deadlines and TTLs (default Date.now). */
  now?: () => number;
  /** Pod creations per sync at most (default 250). */
  burst?: number;
}

const resources = {
  daemonJobs: mustFindResource("everynode.dev", "daemonjobs"),
  pods: mustFindResource("", "pods"),
  nodes: mustFindResource("", "nodes"),
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Watches DaemonJobs, pods and nodes; for each DaemonJob creates one pod per covered node (placement as for
 * DaemonSets), retries failed nodes with back-off up to backoffLimitPerNode, honours parallelism,
 * activeDeadlineSeconds, ttlSecondsAfterFinished and runOnNewNodes, and maintains the status. Handlers are
 * registered on construction; `run` waits for the caches and processes the queue.
 */
export class DaemonJobController implements Reconciler {
  /** The queue of DaemonJob keys (namespace/name). */
  readonly queue: WorkQueue<string>;
  private readonly informers: { daemonJobs: Informer<DaemonJob>; pods: Informer<Pod>; nodes: Informer<Node> };
  private readonly expectations: ControllerExpectations;
  private readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly now: () => number;

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: DaemonJobControllerOptions) {
    this.clock = options.clock ?? realClock();
    this.now = options.now ?? Date.now;
    this.informers = {
      daemonJobs: options.informers.informerFor<DaemonJob>(resources.daemonJobs),
      pods: options.informers.informerFor<Pod>(resources.pods),
      nodes: options.informers.informerFor<Node>(resources.nodes),
    };
    ensureIndexers(this.informers.pods, { [controllerUidIndex]: byControllerUid });
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("daemonjob") });
    this.expectations = new ControllerExpectations(this.clock);
    this.recorder = new EventRecorder({ client: options.client, component: daemonJobControllerComponent, now: this.now, onError: (e) => this.report(e) });
    const deps = {
      daemonJobs: this.informers.daemonJobs.store,
      enqueue: (dj: DaemonJob) => this.queue.add(objectKey(dj)),
      creationObserved: (dj: DaemonJob) => this.expectations.creationObserved(objectKey(dj)),
      deletionObserved: (dj: DaemonJob) => this.expectations.deletionObserved(objectKey(dj)),
    };
    this.informers.daemonJobs.addEventHandler(daemonJobHandler(deps));
    this.informers.pods.addEventHandler(daemonJobPodHandler(deps));
    this.informers.nodes.addEventHandler(daemonJobNodeHandler(deps));
  }

  /** Waits for the caches to sync, then runs the workers until `signal` aborts; resolves once they stopped. */
  async run(signal: AbortSignal): Promise<void> {
    const { daemonJobs, pods, nodes } = this.informers;
    if (!(await waitForCacheSync([daemonJobs, pods, nodes], signal, this.queue))) return;
    await runReconciler<string>({
      name: daemonJobControllerComponent, queue: this.queue, workers: this.options.workers ?? 2, signal, reconciler: this,
      onError: (error, key) => this.report(error, key),
    });
  }

  /** Syncs one DaemonJob: pods created and deleted as planned, then its status written (or the DaemonJob deleted). */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const dj = this.informers.daemonJobs.store.get(key);
    if (!dj) {
      this.expectations.delete(key);
      return;
    }
    if (dj.metadata?.deletionTimestamp || !this.expectations.satisfied(key)) return;
    const plan = this.plan(dj);
    if (plan.expired) {
      await this.deleteDaemonJob(dj);
      return;
    }
    this.expectations.set(key, plan.create.length, plan.delete.length);
    const errors: unknown[] = [];
    await Promise.all([
      ...plan.create.map((node) => this.createPod(key, dj, node).catch((e: unknown) => { errors.push(e); })),
      ...plan.delete.map((pod) => this.deletePod(key, dj, pod).catch((e: unknown) => { errors.push(e); })),
    ]);
    if (!jsonEqual(dj.status ?? {}, plan.status)) {
      await this.writeStatus(dj, plan);
      for (const c of plan.transitions) {
        this.recorder.event(daemonJobReference(dj), c.type === "Failed" ? "Warning" : "Normal", c.reason ?? c.type, c.message ?? "");
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, errors.map(messageOf).join("; "));
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  private plan(dj: DaemonJob): DaemonJobPlan {
    const nowMs = this.now();
    const pods = this.informers.pods.store.byIndex(controllerUidIndex, dj.metadata?.uid ?? "");
    const finished = trueCondition(dj.status, "Complete") ?? trueCondition(dj.status, "Failed");
    const closed = deadlinePassed(dj, nowMs) || (finished !== undefined && dj.spec?.runOnNewNodes !== true);
    const startMs = timeMs(dj.status?.startTime) ?? nowMs;
    const states = nodeStates(dj, this.informers.nodes.store.list(), pods, new DaemonPlacement(dj), { startMs, closed });
    return planDaemonJob(dj, states, nowMs, this.options.burst ?? 250);
  }

  private async createPod(key: string, dj: DaemonJob, node: string): Promise<void> {
    try {
      const created = await this.options.client.create<Pod>(resources.pods, dj.metadata?.namespace, newDaemonJobPod(dj, node));
      this.recorder.event(daemonJobReference(dj), "Normal", "SuccessfulCreate", `Created pod: ${created.metadata?.name ?? ""}`);
    } catch (error) {
      this.expectations.creationObserved(key);
      this.recorder.event(daemonJobReference(dj), "Warning", "FailedCreate", `Error creating: ${messageOf(error)}`);
      throw error;
    }
  }

  private async deletePod(key: string, dj: DaemonJob, pod: Pod): Promise<void> {
    const name = pod.metadata?.name ?? "";
    try {
      await this.options.client.delete(resources.pods, pod.metadata?.namespace, name, { preconditions: { uid: pod.metadata?.uid } });
      this.recorder.event(daemonJobReference(dj), "Normal", "SuccessfulDelete", `Deleted pod: ${name}`);
    } catch (error) {
      this.expectations.deletionObserved(key);
      if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
      throw error;
    }
  }

  /** Writes the planned status; on a conflict (the cache lagged behind) once more onto the object read back. */
  private async writeStatus(dj: DaemonJob, plan: DaemonJobPlan): Promise<void> {
    const { namespace, name } = splitObjectKey(objectKey(dj));
    try {
      await this.options.client.updateStatus<DaemonJob>(resources.daemonJobs, namespace, { ...dj, status: plan.status });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 409)) throw error;
      const fresh = await this.options.client.get<DaemonJob>(resources.daemonJobs, namespace, name);
      if (fresh.metadata?.uid !== dj.metadata?.uid || fresh.metadata?.deletionTimestamp) return;
      await this.options.client.updateStatus<DaemonJob>(resources.daemonJobs, namespace, { ...fresh, status: plan.status });
    }
  }

  /** ttlSecondsAfterFinished passed: deletes the DaemonJob (its pods go with it through garbage collection). */
  private async deleteDaemonJob(dj: DaemonJob): Promise<void> {
    const { namespace, name } = splitObjectKey(objectKey(dj));
    try {
      await this.options.client.delete(resources.daemonJobs, namespace, name, { propagationPolicy: "Background", preconditions: { uid: dj.metadata?.uid } });
    } catch (error) {
      if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
      throw error;
    }
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
