/**
 * The scheduler: binds pending pods that name this scheduler to feasible nodes through `pods/binding`.
 * Decisions are made one pod at a time against running per-node totals (a pod is counted on its node as soon
 * as it is chosen), while up to `bindConcurrency` bindings are in flight. Pods that fit nowhere get
 * PodScheduled=False/Unschedulable and a FailedScheduling event, and wait until a node or pod change may help
 * (or the periodic retry).
 */
import { setMaxListeners } from "node:events";
import { mustFindResource } from "../api/resources.js";
import { StatusError } from "../api/status-error.js";
import type { Node, Pod, PodCondition } from "../api/types.js";
import { objectKey, splitObjectKey } from "../client/cache.js";
import type { HandlerRegistration, Informer } from "../client/informer.js";
import { realClock, sleep, type Clock } from "../util/clock.js";
import { runReconciler, type ReconcileResult } from "../controller/reconciler.js";
import { WorkQueue } from "../controller/workqueue.js";
import type { ControlLoopOptions } from "../controller/control-loop.js";
import type { SchedulerMetrics } from "../controller/loop-metrics.js";
import { EventRecorder, objectReference, rfc3339 } from "../client/event-recorder.js";
import { ClusterState } from "./cluster-state.js";
import { Reasons, preFilterNodeNames, runFilters, scoreNode, type FilterFailure } from "./filters.js";
import { fitErrorMessage, noNodesAvailable } from "./fit-error.js";
import { podDemand } from "./pod-demand.js";
import { UnschedulablePods } from "./unschedulable-pods.js";

/** Options of a Scheduler (bindConcurrency instead of workers; onError receives failed API calls). */
export interface SchedulerOptions extends Omit<ControlLoopOptions, "workers"> {
  /** Wall-clock time for condition and event timestamps (default: the system time). */
  now?: () => Date;
  /** Pods whose spec.schedulerName equals this are scheduled (default "default-scheduler"). */
  schedulerName?: string;
  /** Bindings in flight at once (default 64). */
  bindConcurrency?: number;
  /** Unschedulable pods are retried at least this often even without a helpful change (default 60 s). */
  retryIntervalMs?: number;
}

type Decision = { node: string } | { message: string; targets: string[] | undefined };

const nodesResource = mustFindResource("", "nodes");
const podsResource = mustFindResource("", "pods");
const initialBackoffMs = 1000;
const maxBackoffMs = 10_000;

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

function schedulingInputsChanged(a: Node, b: Node): boolean {
  const view = (n: Node): string => JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable]);
  return view(a) !== view(b);
}

/** Schedules pods (see the file comment); `run` until the signal aborts. */
export class Scheduler {
  private readonly metrics: SchedulerMetrics | undefined;
  private readonly clock: Clock;
  private readonly now: () => Date;
  private readonly schedulerName: string;
  private readonly nodeInformer: Informer<Node>;
  private readonly podInformer: Informer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly state = new ClusterState();
  private readonly unschedulable = new UnschedulablePods();
  private readonly attempts = new Map<string, { count: number; at: number }>();
  /** Pods bound by us whose binding the cache has not shown yet, by key → uid. */
  private readonly bound = new Map<string, string>();
  private readonly recorder: EventRecorder;
  private started = false;

  /** Prepares the scheduler; nothing is written before `run`. */
  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? realClock();
    this.now = options.now ?? (() => new Date());
    this.schedulerName = options.schedulerName ?? "default-scheduler";
    this.nodeInformer = options.informers.informerFor<Node>(nodesResource);
    this.podInformer = options.informers.informerFor<Pod>(podsResource);
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("scheduler") });
    this.metrics = options.metrics?.scheduler();
    this.recorder = new EventRecorder({
      client: options.client, component: this.schedulerName, now: () => this.now().getTime(), maxPending: 10_000,
      onError: (e) => this.report(e),
    });
  }

  /** Schedules until `signal` aborts; resolves once workers stopped and pending events were written. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error("scheduler already started");
    this.started = true;
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const stop = (): void => inner.abort();
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
    const registrations = this.watchCaches();
    try {
      const synced = await Promise.all([this.nodeInformer.waitForSync(inner.signal), this.podInformer.waitForSync(inner.signal)]);
      if (!synced.every(Boolean) || inner.signal.aborted) return;
      await Promise.all([
        runReconciler({
          name: "scheduler", queue: this.queue, workers: Math.max(1, this.options.bindConcurrency ?? 64), signal: inner.signal,
          reconciler: { reconcile: (key) => this.scheduleKey(key) },
          onError: (e) => this.report(e),
        }),
        this.retryLoop(inner.signal),
      ]);
    } finally {
      signal.removeEventListener("abort", stop);
      for (const r of registrations) r.remove();
      this.queue.shutDown();
      await this.recorder.flush();
    }
  }

  private watchCaches(): HandlerRegistration[] {
    const nodes = this.nodeInformer.addEventHandler({
      onAdd: (node) => {
        this.state.setNode(node);
        this.wake(node.metadata?.name ?? "");
      },
      onUpdate: (old, node) => {
        this.state.setNode(node);
        if (schedulingInputsChanged(old, node)) this.wake(node.metadata?.name ?? "");
      },
      onDelete: (node) => this.state.removeNode(node.metadata?.name ?? ""),
    });
    const pods = this.podInformer.addEventHandler({
      onAdd: (pod) => this.podChanged(undefined, pod),
      onUpdate: (old, pod) => this.podChanged(old, pod),
      onDelete: (pod) => this.podGone(objectKey(pod)),
    });
    return [nodes, pods];
  }

  private podChanged(old: Pod | undefined, pod: Pod): void {
    const key = objectKey(pod);
    const node = pod.spec?.nodeName;
    if (node) {
      this.bound.delete(key);
      this.unschedulable.delete(key);
      this.attempts.delete(key);
      if (isTerminal(pod)) {
        const freed = this.state.remove(key);
        if (freed !== undefined) this.wake(freed);
      } else {
        this.state.observeBound(key, pod.metadata?.uid ?? "", node, () => podDemand(pod.spec ?? { containers: [] }));
      }
      return;
    }
    if (!this.responsibleFor(pod)) {
      this.unschedulable.delete(key);
      return;
    }
    if (this.unschedulable.has(key)) {
      // Status-only updates (such as our own condition) do not help; a spec change might.
      if (!old || JSON.stringify(old.spec) === JSON.stringify(pod.spec)) return;
      this.unschedulable.delete(key);
    }
    this.queue.add(key);
  }

  private podGone(key: string): void {
    this.unschedulable.delete(key);
    this.attempts.delete(key);
    this.bound.delete(key);
    const freed = this.state.remove(key);
    if (freed !== undefined) this.wake(freed);
  }

  private responsibleFor(pod: Pod): boolean {
    const spec = pod.spec;
    return !spec?.nodeName && (spec?.schedulerName || "default-scheduler") === this.schedulerName
      && !pod.metadata?.deletionTimestamp && !(spec?.schedulingGates?.length) && !isTerminal(pod);
  }

  /** Moves the unschedulable pods a change on `node` may help back to the queue, honouring their backoff. */
  private wake(node: string): void {
    for (const key of this.unschedulable.takeForNode(node)) this.requeue(key);
  }

  private requeue(key: string): void {
    const a = this.attempts.get(key);
    const backoff = a ? Math.min(maxBackoffMs, initialBackoffMs * 2 ** (a.count - 1)) : 0;
    this.queue.addAfter(key, a ? backoff - (this.clock.now() - a.at) : 0);
  }

  private async retryLoop(signal: AbortSignal): Promise<void> {
    const interval = Math.max(1, this.options.retryIntervalMs ?? 60_000);
    while (!signal.aborted) {
      await sleep(this.clock, interval, signal);
      if (signal.aborted) return;
      for (const key of this.unschedulable.takeWaitingSince(this.clock.now() - interval)) this.requeue(key);
    }
  }

  private async scheduleKey(key: string): Promise<ReconcileResult | void> {
    const pod = this.podInformer.store.get(key);
    if (!pod || !this.responsibleFor(pod) || this.bound.get(key) === pod.metadata?.uid) return;
    const started = this.clock.now();
    const report = (result: "scheduled" | "unschedulable" | "error"): void => this.metrics?.attempt(result, (this.clock.now() - started) / 1000);
    try {
      const decision = this.decide(pod);
      if ("node" in decision) {
        await this.bind(key, pod, decision.node);
        report("scheduled");
      } else {
        report("unschedulable");
        await this.markUnschedulable(key, pod, decision.message, decision.targets);
      }
    } catch (error) {
      report("error");
      throw error;
    }
  }

  /** Picks a node synchronously: pre-filter, filters, least-allocated score (ties go to the first seen). */
  private decide(pod: Pod): Decision {
    const spec = pod.spec ?? { containers: [] };
    const total = this.state.nodeCount;
    if (total === 0) return { message: noNodesAvailable, targets: undefined };
    const targets = preFilterNodeNames(spec);
    const targetList = targets ? [...targets] : undefined;
    if (targets?.size === 0) {
      const message = fitErrorMessage({ numAllNodes: total, preFilterMessage: Reasons.affinityConflict, failures: [], skipped: 0, skippedReason: "" }, spec.preemptionPolicy);
      return { message, targets: [] };
    }
    const demand = podDemand(spec);
    const candidates = targetList ? targetList.flatMap((n) => this.state.get(n) ?? []) : this.state.existingNodes();
    const failures: FilterFailure[] = [];
    let best: string | undefined;
    let bestScore = -1;
    let evaluated = 0;
    for (const node of candidates) {
      evaluated++;
      const failure = runFilters(spec, demand, node);
      if (failure) {
        failures.push(failure);
        continue;
      }
      const score = scoreNode(demand, node);
      if (score > bestScore) {
        best = node.name;
        bestScore = score;
      }
    }
    if (best !== undefined) return { node: best };
    const skipped = targets ? total - evaluated : 0;
    const message = fitErrorMessage({ numAllNodes: total, failures, skipped, skippedReason: Reasons.preFilteredOut }, spec.preemptionPolicy);
    return { message, targets: targetList };
  }

  private async bind(key: string, pod: Pod, node: string): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const { namespace, name } = splitObjectKey(key);
    this.state.assume(key, uid, node, podDemand(pod.spec ?? { containers: [] }));
    try {
      await this.options.client.createSubresource(podsResource, namespace, name, "binding", {
        apiVersion: "v1", kind: "Binding", metadata: { name, namespace, uid }, target: { kind: "Node", name: node },
      });
    } catch (error) {
      this.state.forget(key, uid);
      // Gone, already bound or being deleted: the cache will tell; anything else is retried with backoff.
      if (error instanceof StatusError && (error.code === 404 || error.code === 409)) return;
      throw error;
    }
    this.attempts.delete(key);
    if (!this.podInformer.store.get(key)?.spec?.nodeName) this.bound.set(key, uid);
    this.recorder.event(objectReference(pod, "v1", "Pod"), "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${node}`);
  }

  private async markUnschedulable(key: string, pod: Pod, message: string, targets: string[] | undefined): Promise<void> {
    const count = (this.attempts.get(key)?.count ?? 0) + 1;
    this.attempts.set(key, { count, at: this.clock.now() });
    this.unschedulable.add(key, targets, this.clock.now());
    this.recorder.event(objectReference(pod, "v1", "Pod"), "Warning", "FailedScheduling", message);
    const old = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (old?.status === "False" && old.reason === "Unschedulable" && old.message === message) return;
    const condition: PodCondition = {
      type: "PodScheduled", status: "False", reason: "Unschedulable", message,
      lastTransitionTime: old?.status === "False" && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now().getTime()),
    };
    const { namespace, name } = splitObjectKey(key);
    try {
      await this.options.client.patch(podsResource, namespace, name, "strategic", { status: { conditions: [{ ...condition, lastProbeTime: null }] } }, { subresource: "status" });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) this.report(error);
    }
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A failing reporter must not stop the scheduler.
    }
  }
}
