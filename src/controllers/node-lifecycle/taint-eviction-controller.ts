/** NoExecute taint eviction: deletes pods from nodes with NoExecute taints they do not (or no longer) tolerate. */
import { mustFindResource } from "../../api/resources.js";
import { isStatus } from "../../api/status-error.js";
import type { Node, Pod, Taint } from "../../api/types.js";
import { byNodeName, objectKey } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";
import { realClock, type Clock } from "../../util/clock.js";
import { nodeNameChanged } from "../../controller/predicates.js";
import { runReconciler, type Reconciler } from "../../controller/reconciler.js";
import { WorkQueue } from "../../controller/workqueue.js";
import { ensureIndexers, nodeNameIndex, type ControlLoopOptions } from "../../controller/control-loop.js";
import { EventRecorder, objectReference, rfc3339 } from "../../client/event-recorder.js";
import { evictionDecision, noExecuteTaints } from "./eviction-decision.js";
import { reportTo } from "../../util/report.js";
import { waitForCacheSync } from "../../controller/cache-sync.js";

/** Event source component of the controller. */
export const taintEvictionControllerComponent = "taint-eviction-controller";

/** Options of the TaintEvictionController (workers default 4; the clock's now() is also the wall clock compared with timeAdded). */
export interface TaintEvictionControllerOptions extends ControlLoopOptions {
  /** Writes the events (default: a recorder of component taint-eviction-controller). */
  recorder?: EventRecorder;
}

const pods = mustFindResource("", "pods");
const nodes = mustFindResource("", "nodes");

const taintId = (t: Taint): string => `${t.key}\u0000${t.value ?? ""}\u0000${t.effect}`;

/**
 * For every pod bound to a node with NoExecute taints: a taint it does not tolerate gets it deleted at once
 * (normal graceful delete, after an event `TaintManagerEviction` "Marking for deletion Pod ns/name" and the
 * DisruptionTarget condition); tolerated taints with tolerationSeconds get it deleted that long after the taint's
 * timeAdded (see evictionDecision). Deferred evictions wait in the work queue's shared delay heap; when the taint
 * goes away before, the pending eviction is dropped with a "Cancelling deletion of Pod ns/name" event.
 * Node taint changes cost O(pods on that node).
 */
export class TaintEvictionController implements Reconciler {
  /** Queue of pod keys (namespace/name). */
  readonly queue: WorkQueue<string>;
  /** Writes the controller's events. */
  readonly recorder: EventRecorder;
  private readonly clock: Clock;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  /** Pods with a deferred eviction, by key → due time. */
  private readonly scheduled = new Map<string, number>();
  /** Pods already deleted by this controller, by key → uid (to act once per pod). */
  private readonly evicted = new Map<string, string>();
  /** First sighting of NoExecute taints lacking timeAdded, per node. */
  private readonly taintSeen = new Map<string, Map<string, number>>();

  /** Creates the controller and registers its informer handlers. */
  constructor(private readonly options: TaintEvictionControllerOptions) {
    this.clock = options.clock ?? realClock();
    this.queue = new WorkQueue<string>({ clock: this.clock, metrics: options.metrics?.workQueue("noexec_taint_pod") });
    this.recorder = options.recorder ?? new EventRecorder({ client: options.client, component: taintEvictionControllerComponent, now: () => this.clock.now(), onError: (e) => this.report(e) });
    this.pods = options.informers.informerFor<Pod>(pods);
    this.nodes = options.informers.informerFor<Node>(nodes);
    ensureIndexers(this.pods, { [nodeNameIndex]: byNodeName });
    this.pods.addEventHandler({
      onAdd: (pod) => { if (pod.spec?.nodeName) this.queue.add(objectKey(pod)); },
      onUpdate: (old, pod) => {
        const moved = nodeNameChanged(old, pod);
        if (moved || JSON.stringify(old.spec?.tolerations ?? []) !== JSON.stringify(pod.spec?.tolerations ?? [])) this.queue.add(objectKey(pod));
      },
      onDelete: (pod) => {
        const key = objectKey(pod);
        this.scheduled.delete(key);
        this.evicted.delete(key);
      },
    });
    this.nodes.addEventHandler({
      onAdd: (node) => this.nodeChanged(undefined, node),
      onUpdate: (old, node) => this.nodeChanged(old, node),
      onDelete: (node) => { this.taintSeen.delete(node.metadata?.name ?? ""); },
    });
  }

  /** Waits for the caches, then processes the queue until `signal` aborts; flushes events before resolving. */
  async run(signal: AbortSignal): Promise<void> {
    if (!(await waitForCacheSync([this.pods, this.nodes], signal, this.queue))) return;
    await runReconciler<string>({
      name: taintEvictionControllerComponent,
      queue: this.queue,
      workers: this.options.workers ?? 4,
      signal,
      reconciler: this,
      onError: (error, key) => this.report(error, key),
    });
    await this.recorder.flush();
  }

  /** Decides (and carries out, or defers) the eviction of one pod by key; for tests and tools. */
  async reconcile(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    if (!pod || pod.metadata?.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const nodeName = pod.spec?.nodeName ?? "";
    const node = nodeName ? this.nodes.store.get(nodeName) : undefined;
    const now = this.clock.now();
    const decision = node ? evictionDecision(pod, node.spec?.taints, (t) => this.taintAddedAt(nodeName, t), now) : { kind: "keep" as const };
    if (decision.kind === "keep") {
      if (this.scheduled.delete(key)) this.recorder.event(objectReference(pod, "v1", "Pod"), "Normal", "TaintManagerEviction", `Cancelling deletion of Pod ${key}`);
      return;
    }
    if (decision.kind === "at") {
      this.scheduled.set(key, decision.atMs);
      this.queue.addAfter(key, decision.atMs - now);
      return;
    }
    this.scheduled.delete(key);
    const uid = pod.metadata?.uid ?? "";
    if (this.evicted.get(key) === uid) return;
    await this.evict(pod, key);
    this.evicted.set(key, uid);
  }

  private nodeChanged(old: Node | undefined, node: Node): void {
    const name = node.metadata?.name ?? "";
    const taints = noExecuteTaints(node.spec?.taints);
    this.trackTaintSightings(name, taints);
    if (old && JSON.stringify(noExecuteTaints(old.spec?.taints)) === JSON.stringify(taints)) return;
    if (!old && taints.length === 0) return;
    for (const key of this.pods.store.byIndexKeys(nodeNameIndex, name)) this.queue.add(key);
  }

  /** Remembers when NoExecute taints without timeAdded were first seen; forgets taints that are gone. */
  private trackTaintSightings(nodeName: string, taints: readonly Taint[]): void {
    const untimed = taints.filter((t) => !t.timeAdded);
    if (untimed.length === 0) {
      this.taintSeen.delete(nodeName);
      return;
    }
    const before = this.taintSeen.get(nodeName);
    const now = this.clock.now();
    this.taintSeen.set(nodeName, new Map(untimed.map((t) => [taintId(t), before?.get(taintId(t)) ?? now])));
  }

  private taintAddedAt(nodeName: string, taint: Taint): number {
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
    if (!Number.isNaN(added)) return added;
    return this.taintSeen.get(nodeName)?.get(taintId(taint)) ?? this.clock.now();
  }

  /** Event, DisruptionTarget condition, then a normal (graceful) delete with a uid precondition. */
  private async evict(pod: Pod, key: string): Promise<void> {
    const { namespace, name = "", uid } = pod.metadata ?? {};
    this.recorder.event(objectReference(pod, "v1", "Pod"), "Normal", "TaintManagerEviction", `Marking for deletion Pod ${key}`);
    try {
      const live = await this.options.client.get<Pod>(pods, namespace, name);
      if (live.metadata?.uid !== uid || live.metadata?.deletionTimestamp) return;
      if (!(live.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True")) {
        // A status patch merged by condition type with a uid precondition: it cannot conflict with other writers.
        const condition = {
          type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager",
          message: "Taint manager: deleting due to NoExecute taint", lastTransitionTime: rfc3339(this.clock.now()),
        };
        await this.options.client.patch<Pod>(pods, namespace, name, "strategic", { metadata: { uid }, status: { conditions: [condition] } }, { subresource: "status" });
      }
      await this.options.client.delete(pods, namespace, name, { preconditions: { uid } });
    } catch (error) {
      if (isStatus(error, 404)) return;
      throw error;
    }
  }

  private report(error: unknown, key?: string): void {
    reportTo(this.options.onError, error, key);
  }
}
