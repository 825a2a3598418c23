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
import { decide, type Decision } from "./decide.js";
import { evictVictims } from "./evict-victims.js";
import { Nominations } from "./nominations.js";
import { podDemand } from "./pod-demand.js";
import { podPriority } from "./preemption.js";
import { UnschedulablePods } from "./unschedulable-pods.js";
import { reportTo } from "../util/report.js";

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
  private readonly nominations = new Nominations();
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
    // Highest priority first, first come first served among equals: kube-scheduler's PrioritySort.
    this.queue = new WorkQueue<string>({
      clock: this.clock, metrics: options.metrics?.workQueue("scheduler"),
      priority: (key) => podPriority(this.podInformer.store.get(key) ?? {}),
    });
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
      this.nominations.delete(key);
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
      this.nominations.delete(key);
      return;
    }
    const nominated = pod.status?.nominatedNodeName;
    if (nominated && this.nominations.nodeOf(key) !== nominated) {
      this.nominations.set(key, nominated, podPriority(pod), podDemand(pod.spec ?? { containers: [] }));
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
    this.nominations.delete(key);
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
    this.requeueAll(this.unschedulable.takeForNode(node));
  }

  /** Requeues pods highest priority first, so that idle workers hand them out in the queue's order too. */
  private requeueAll(keys: string[]): void {
    const priority = (k: string): number => podPriority(this.podInformer.store.get(k) ?? {});
    for (const key of keys.sort((a, b) => priority(b) - priority(a))) this.requeue(key);
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
      this.requeueAll(this.unschedulable.takeWaitingSince(this.clock.now() - interval));
    }
  }

  private async scheduleKey(key: string): Promise<ReconcileResult | void> {
    const pod = this.podInformer.store.get(key);
    if (!pod || !this.responsibleFor(pod) || this.bound.get(key) === pod.metadata?.uid) return;
    const started = this.clock.now();
    const report = (result: "scheduled" | "unschedulable" | "error"): void => this.metrics?.attempt(result, (this.clock.now() - started) / 1000);
    try {
      const decision = decide(key, pod, {
        state: this.state, nominations: this.nominations, now: this.now().getTime(), podByKey: (k) => this.podInformer.store.get(k),
      });
      if ("node" in decision) {
        await this.bind(key, pod, decision.node);
        report("scheduled");
      } else {
        report("unschedulable");
        await this.preempt(key, pod, decision);
        await this.markUnschedulable(key, pod, decision);
      }
    } catch (error) {
      report("error");
      throw error;
    }
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

  /**
   * Carries out the preemption a decision chose: the room is held for the pod on the node at once, lower-priority
   * pods nominated there lose their nomination, and the victims are evicted.
   */
  private async preempt(key: string, pod: Pod, decision: Exclude<Decision, { node: string }>): Promise<void> {
    if (decision.nominate === null) this.nominations.delete(key);
    const chosen = decision.preemption;
    if (!chosen) return;
    const priority = podPriority(pod);
    this.nominations.set(key, chosen.node, priority, podDemand(pod.spec ?? { containers: [] }));
    const lower = this.nominations.lowerThan(chosen.node, priority);
    for (const k of lower) this.nominations.delete(k);
    await evictVictims({ client: this.options.client, recorder: this.recorder, schedulerName: this.schedulerName, now: () => this.now().getTime() },
      pod, chosen.node, chosen.victims);
    for (const k of lower) {
      const { namespace, name } = splitObjectKey(k);
      await this.patchStatus(namespace, name, { nominatedNodeName: null });
      if (this.unschedulable.delete(k)) this.requeue(k);
    }
  }

  private async markUnschedulable(key: string, pod: Pod, decision: Exclude<Decision, { node: string }>): Promise<void> {
    const { message, targets, nominate } = decision;
    const count = (this.attempts.get(key)?.count ?? 0) + 1;
    this.attempts.set(key, { count, at: this.clock.now() });
    this.unschedulable.add(key, targets ?? (nominate ? [nominate] : undefined), this.clock.now());
    this.recorder.event(objectReference(pod, "v1", "Pod"), "Warning", "FailedScheduling", message);
    const old = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    const nominationChanges = nominate !== undefined && (pod.status?.nominatedNodeName ?? null) !== nominate;
    if (old?.status === "False" && old.reason === "Unschedulable" && old.message === message && !nominationChanges) return;
    const condition: PodCondition = {
      type: "PodScheduled", status: "False", reason: "Unschedulable", message,
      lastTransitionTime: old?.status === "False" && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(this.now().getTime()),
    };
    const { namespace, name } = splitObjectKey(key);
    const status: Record<string, unknown> = { conditions: [{ ...condition, lastProbeTime: null }] };
    if (nominationChanges) status["nominatedNodeName"] = nominate;
    await this.patchStatus(namespace, name, status);
  }

  /** Patches a pod's status; a pod that is gone is no error. */
  private async patchStatus(namespace: string | undefined, name: string, status: Record<string, unknown>): Promise<void> {
    try {
      await this.options.client.patch(podsResource, namespace, name, "strategic", { status }, { subresource: "status" });
    } catch (error) {
      if (!(error instanceof StatusError && error.code === 404)) this.report(error);
    }
  }

  private report(error: unknown): void {
    reportTo(this.options.onError, error);
  }
}
