/**
 * Moves pods on simulated nodes through the configured stages. Each pod has at most one planned transition
 * (the stage it matches now and when it is due); plans wait in one shared work queue whose delayed items
 * share a single timer, and a due plan is re-checked against the cached pod before it is written.
 */
import { StatusError } from "../api/status-error.js";
import type { Node, Pod } from "../api/types.js";
import { objectKey, splitObjectKey, type Store } from "../client/cache.js";
import type { Client } from "../client/client.js";
import type { Clock } from "../util/clock.js";
import type { ReconcileResult, Reconciler } from "../controller/reconciler.js";
import { WorkQueue } from "../controller/workqueue.js";
import type { PodIPAllocator } from "./ip-allocator.js";
import { mustFindResource } from "../api/resources.js";
import { nodeInternalIP, secondsTime } from "./node-status.js";
import { nextPodStatus, statusMergePatch, statusResyncStage } from "./pod-status.js";
import { stageDelayMs, type Stage, type StageMatcher } from "./stages.js";
import { blockedStart, ReferenceWaits, type ReferenceLookup } from "../api/pod-references.js";
import { containerReference, type ContainerEvent } from "../api/kubelet-events.js";
import { objectReference, type EventRecorder } from "../client/event-recorder.js";
import { killingEvents, transitionEvents } from "./container-events.js";

/** Options of a PodLifecycle. */
export interface PodLifecycleOptions {
  client: Client;
  clock: Clock;
  /** Wall-clock time for timestamps. */
  now: () => Date;
  matcher: StageMatcher;
  /** Factor applied to deletion grace periods. */
  graceScale: number;
  /** Uniform random numbers in [0, 1) for jitter and shares. */
  random: () => number;
  pods: Store<Pod>;
  nodes: Store<Node>;
  ips: PodIPAllocator;
  /** Whether the named node is simulated now. */
  isSimulatedNode: (name: string) => boolean;
  /** Cached ConfigMaps and Secrets; without it pods never wait for them. */
  references?: ReferenceLookup;
  /** Records the kubelet's events (FailedMount, Failed) about pods that cannot start. */
  recorder?: EventRecorder;
}

interface Plan { uid: string; stage: Stage; dueAt: number }
interface Applied { uid: string; stage: string; resourceVersion: string }

const podsResource = mustFindResource("", "pods");

/** Plans and applies stage transitions of pods bound to simulated nodes. */
export class PodLifecycle implements Reconciler<string> {
  /** The queue of due transitions (pod keys); run it with runReconciler. */
  readonly queue: WorkQueue<string>;
  private readonly plans = new Map<string, Plan>();
  private readonly draws = new Map<string, { uid: string; picks: Map<string, boolean> }>();
  private readonly applied = new Map<string, Applied>();
  /** Pods held before their containers start, by the ConfigMaps and Secrets they wait for. */
  readonly waits = new ReferenceWaits();
  private readonly blockedStages = new Map<string, Stage>();
  private readonly blockedEvents = new WeakMap<Stage, { reason: string; message: string }>();

  /** Creates an idle lifecycle; feed it pods with `observe`. */
  constructor(private readonly options: PodLifecycleOptions) {
    this.queue = new WorkQueue<string>({ clock: options.clock });
  }

  /** Number of pods with a planned transition. */
  get planned(): number {
    return this.plans.size;
  }

  /** Looks at a pod's current state and plans its next transition (or drops the plan when none applies). */
  observe(pod: Pod): void {
    const key = objectKey(pod);
    const uid = pod.metadata?.uid ?? "";
    const node = pod.spec?.nodeName;
    if (!node || !this.options.isSimulatedNode(node)) {
      this.plans.delete(key);
      return;
    }
    const ip = pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork) this.options.ips.markUsed(node, key, ip);
    const stage = this.stageFor(key, uid, pod);
    if (!stage) {
      this.plans.delete(key);
      return;
    }
    const done = this.applied.get(key);
    if (done) {
      // Until the write of a stage shows up in the cache, the old state must not plan that stage again.
      if (done.uid === uid && done.stage === stage.name && done.resourceVersion === (pod.metadata?.resourceVersion ?? "")) return;
      this.applied.delete(key);
    }
    const existing = this.plans.get(key);
    if (existing && existing.uid === uid && existing.stage === stage) return;
    const delay = stageDelayMs(stage, pod, this.options.graceScale, this.options.random);
    this.plans.set(key, { uid, stage, dueAt: this.options.clock.now() + delay });
    this.queue.addAfter(key, delay);
  }

  /** Drops the planned transition of a pod (e.g. its node stopped being simulated). */
  unplan(key: string): void {
    this.plans.delete(key);
  }

  /** Forgets everything about a deleted pod, returning its IP. */
  forget(key: string): void {
    this.plans.delete(key);
    this.draws.delete(key);
    this.applied.delete(key);
    this.waits.clear(key);
    this.options.ips.release(key);
  }

  /** Applies the due transition of `key` if the pod still matches its stage; re-plans otherwise. */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const plan = this.plans.get(key);
    if (!plan) return;
    const wait = plan.dueAt - this.options.clock.now();
    if (wait > 0) return { requeueAfterMs: wait };
    const pod = this.options.pods.get(key);
    if (!pod || (pod.metadata?.uid ?? "") !== plan.uid) {
      this.plans.delete(key);
      return;
    }
    const stage = this.stageFor(key, plan.uid, pod);
    if (stage !== plan.stage) {
      this.plans.delete(key);
      this.observe(pod);
      return;
    }
    this.applied.set(key, { uid: plan.uid, stage: stage.name, resourceVersion: pod.metadata?.resourceVersion ?? "" });
    try {
      await this.apply(key, pod, stage);
    } catch (error) {
      this.applied.delete(key);
      if (error instanceof StatusError && (error.code === 404 || error.code === 409)) {
        // Gone or replaced meanwhile: the informer brings the news.
        this.plans.delete(key);
        return;
      }
      throw error;
    }
    if (this.plans.get(key) === plan) this.plans.delete(key);
  }

  private async apply(key: string, pod: Pod, stage: Stage): Promise<void> {
    const { client } = this.options;
    const { namespace, name } = splitObjectKey(key);
    if (stage.next.delete) {
      this.record(pod, killingEvents(pod));
      await client.delete(podsResource, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
      return;
    }
    const nodeName = pod.spec?.nodeName ?? "";
    const hostIP = nodeAddress(this.options.nodes.get(nodeName)) ?? nodeInternalIP(nodeName);
    const podIP = pod.status?.podIP || (pod.spec?.hostNetwork ? hostIP : this.options.ips.allocate(nodeName, key));
    const status = nextPodStatus(pod, stage.next, { now: secondsTime(this.options.now()), hostIP, podIP });
    await client.patch(podsResource, namespace, name, "merge", statusMergePatch(status), { subresource: "status" });
    this.record(pod, transitionEvents(pod, status));
    const event = this.blockedEvents.get(stage);
    if (event) this.options.recorder?.event(objectReference(pod, "v1", "Pod"), "Warning", event.reason, event.message, { host: nodeName });
  }

  /** Records kubelet events about `pod`'s containers, reported by the kubelet of its node. */
  private record(pod: Pod, events: readonly ContainerEvent[]): void {
    const recorder = this.options.recorder;
    if (!recorder) return;
    const host = pod.spec?.nodeName;
    for (const e of events) recorder.event(containerReference(pod, e.container), e.type, e.reason, e.message, { host });
  }

  /**
   * The stage holding a pod whose ConfigMaps or Secrets are missing (its containers waiting as the kubelet reports
   * them); null when the stored status says so already (nothing to write), undefined when nothing blocks the
   * pod. Records what the pod waits for either way.
   */
  private blockedStage(key: string, pod: Pod): Stage | null | undefined {
    const lookup = this.options.references;
    const started = (pod.status?.containerStatuses ?? []).some((c) => c.state?.running ?? c.state?.terminated);
    const pending = (pod.status?.phase ?? "Pending") === "Pending";
    const blocked = lookup && pending && !started && !pod.metadata?.deletionTimestamp ? blockedStart(pod, lookup) : undefined;
    this.waits.set(key, blocked?.waitsFor ?? []);
    if (!blocked) return undefined;
    const shown = (pod.status?.containerStatuses ?? []).length === (pod.spec?.containers ?? []).length &&
      (pod.status?.containerStatuses ?? []).every((c) => c.state?.waiting?.reason === blocked.reason && c.state.waiting.message === blocked.message);
    if (shown) return null;
    const name = `kubelet-blocked\u0000${blocked.reason}\u0000${blocked.message ?? ""}\u0000${blocked.event.message}`;
    let stage = this.blockedStages.get(name);
    if (!stage) {
      if (this.blockedStages.size >= 1024) this.blockedStages.clear();
      stage = {
        name: blocked.reason === "ContainerCreating" ? "kubelet-failed-mount" : "kubelet-create-container-config-error",
        selector: { phases: ["Pending"], deleting: false },
        delay: { ms: 0 },
        next: { phase: "Pending", ready: false, containers: { state: "waiting", reason: blocked.reason, ...(blocked.message ? { message: blocked.message } : {}) } },
      };
      this.blockedStages.set(name, stage);
      this.blockedEvents.set(stage, blocked.event);
    }
    return stage;
  }

  /** The configured stage the pod matches, else the kubelet's status resync when its stored status drifted. */
  private stageFor(key: string, uid: string, pod: Pod): Stage | undefined {
    const fault = simulatedFaultImages(this.options.nodes.get(pod.spec?.nodeName ?? ""));
    const blocked = this.blockedStage(key, pod);
    if (blocked !== undefined) return blocked ?? undefined;
    const draw = (s: Stage): boolean => this.draw(key, uid, s);
    return this.options.matcher.match(pod, draw, fault) ?? statusResyncStage(pod, this.startReadiness(pod, draw, fault));
  }

  /** The readiness the kubelet reports for the pod's running containers: what the stage that started it gave. */
  private startReadiness(pod: Pod, draw: (s: Stage) => boolean, fault: readonly string[]): boolean | undefined {
    if (pod.status?.phase !== "Running") return undefined;
    return this.options.matcher.match({ ...pod, status: { ...pod.status, phase: "Pending" } }, draw, fault)?.next.ready;
  }

  /** Whether a share-limited stage applies to this pod; drawn once per pod (uid) and stage. */
  private draw(key: string, uid: string, stage: Stage): boolean {
    let d = this.draws.get(key);
    if (!d || d.uid !== uid) this.draws.set(key, (d = { uid, picks: new Map() }));
    let pick = d.picks.get(stage.name);
    if (pick === undefined) d.picks.set(stage.name, (pick = this.options.random() < (stage.selector.share ?? 1)));
    return pick;
  }
}

/** Annotation of a simulated node whose pods all behave as if they ran the fault image `everynode.dev/<value>`. */
export const simulateFaultAnnotation = "everynode.dev/simulate-fault";

/** The fault image a node's everynode.dev/simulate-fault annotation names (`fail` → `everynode.dev/fail`), if any. */
export function simulatedFaultImages(node: Node | undefined): string[] {
  const fault = node?.metadata?.annotations?.[simulateFaultAnnotation];
  return fault && /^[a-z0-9-]+$/.test(fault) ? [`everynode.dev/${fault}`] : [];
}

function nodeAddress(node: Node | undefined): string | undefined {
  return node?.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
}
