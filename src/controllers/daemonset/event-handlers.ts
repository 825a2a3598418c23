/** Which DaemonSets to sync when DaemonSets, pods, nodes or revisions change. */
import { rolloutControlAnnotations } from "../../api/rollout-controls.js";
import type { ApiObject, ControllerRevision, DaemonSet, Node, OwnerReference, Pod } from "../../api/types.js";
import { objectKey, type Store } from "../../client/cache.js";
import type { EventHandler, Informer } from "../../client/informer.js";
import { enqueueRequestForOwner, OwnerResolver } from "../../controller/owner-handlers.js";
import {
  controllerRefChanged, controllerRefOf, labelsChanged, resourceVersionChanged, sameControllerRef, specOrLifecycleChanged,
} from "../../controller/predicates.js";
import { jsonEqual } from "../../util/json.js";
import type { ControllerExpectations } from "./expectations.js";
import { namespaceIndex } from "./indexes.js";
import { isDeleting, isPodReady, isPodTerminal } from "./pod-util.js";
import type { CompiledDaemonSet } from "./sync.js";

/** What the handlers act on. */
export interface EventHandlerDeps {
  daemonSets: Store<DaemonSet>;
  expectations: ControllerExpectations;
  enqueue: (ds: DaemonSet) => void;
  /** Syncs a DaemonSet for a change of one of its pods that at most moves its status (the sync may be paced). */
  enqueueStatus: (ds: DaemonSet) => void;
  enqueueAfter: (ds: DaemonSet, ms: number) => void;
  compile: (ds: DaemonSet) => CompiledDaemonSet;
  /** Drops cached state of a DaemonSet that went away. */
  forget: (ds: DaemonSet) => void;
}

/** The informer event handlers of the DaemonSet controller. */
export class DaemonSetEventHandlers {
  private readonly owners: OwnerResolver<DaemonSet>;

  /** Creates handlers acting through `deps`. */
  constructor(private readonly deps: EventHandlerDeps) {
    this.owners = new OwnerResolver(deps.daemonSets, "DaemonSet");
  }

  /** Registers the handlers on the four informers. */
  register(informers: { daemonSets: Informer<DaemonSet>; pods: Informer<Pod>; nodes: Informer<Node>; revisions: Informer<ControllerRevision> }): void {
    informers.daemonSets.addEventHandler(this.daemonSetHandler());
    informers.pods.addEventHandler(this.podHandler());
    informers.nodes.addEventHandler(this.nodeHandler());
    informers.revisions.addEventHandler(this.revisionHandler());
  }

  /**
   * DaemonSets: every change syncs it; a uid change also settles the old one. A change that leaves generation, uid,
   * deletion and the rollout control annotations alone (its own status writes, labels) may wait for a paced sync.
   */
  daemonSetHandler(): EventHandler<DaemonSet> {
    return {
      onAdd: (ds) => this.deps.enqueue(ds),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.deps.forget(old);
        const controlsChanged = rolloutControlAnnotations.some((k) => old.metadata?.annotations?.[k] !== cur.metadata?.annotations?.[k]);
        (specOrLifecycleChanged(old, cur) || controlsChanged ? this.deps.enqueue : this.deps.enqueueStatus)(cur);
      },
      onDelete: (ds) => {
        this.deps.forget(ds);
        this.deps.enqueue(ds);
      },
    };
  }

  /** Pods: the owning DaemonSet (observing creations/deletions), or for orphans every DaemonSet selecting them. */
  podHandler(): EventHandler<Pod> {
    return {
      onAdd: (pod) => {
        if (isDeleting(pod)) {
          this.podGone(pod);
          return;
        }
        const ref = controllerRefOf(pod);
        if (ref) {
          const ds = this.resolve(pod, ref);
          if (!ds) return;
          this.deps.expectations.creationObserved(objectKey(ds));
          this.deps.enqueue(ds);
          return;
        }
        for (const ds of this.selecting(pod)) this.deps.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        if (!resourceVersionChanged(old, cur)) return;
        if (isDeleting(cur)) {
          if (!isDeleting(old)) this.podGone(cur);
          else this.enqueueOwner(cur);
          return;
        }
        // An owned pod whose controller reference stayed moves its DaemonSet's status, unless it stopped running (it
        // is then replaced).
        const statusOnly = !controllerRefChanged(old, cur) && isPodTerminal(old) === isPodTerminal(cur);
        const ds = this.ownedObjectUpdated(old, cur, statusOnly);
        const minReady = ds?.spec?.minReadySeconds ?? 0;
        if (ds && minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.deps.enqueueAfter(ds, minReady * 1000 + 1000);
      },
      onDelete: (pod) => this.podGone(pod),
    };
  }

  /** Nodes: DaemonSets whose decision for the node changes (all that should run there for a new node; all for a removed one). */
  nodeHandler(): EventHandler<Node> {
    return {
      onAdd: (node) => {
        for (const ds of this.deps.daemonSets.list()) {
          const c = this.compiled(ds);
          if (c && c.placement.decide(node).shouldRun) this.deps.enqueue(ds);
        }
      },
      onUpdate: (old, cur) => {
        if (!labelsChanged(old, cur) && jsonEqual(old.spec?.taints ?? [], cur.spec?.taints ?? [])) return;
        for (const ds of this.deps.daemonSets.list()) {
          const c = this.compiled(ds);
          if (!c) continue;
          const a = c.placement.decide(old);
          const b = c.placement.decide(cur);
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.deps.enqueue(ds);
        }
      },
      onDelete: () => {
        for (const ds of this.deps.daemonSets.list()) this.deps.enqueue(ds);
      },
    };
  }

  /** Revisions: the owning DaemonSet on changes and deletion; orphans wake the DaemonSets selecting them. */
  revisionHandler(): EventHandler<ControllerRevision> {
    const owned = enqueueRequestForOwner<ControllerRevision, DaemonSet>({ owners: this.owners, enqueue: this.deps.enqueue });
    return {
      onAdd: (cr) => {
        if (isDeleting(cr)) {
          owned.onDelete?.(cr);
          return;
        }
        if (controllerRefOf(cr)) return;
        for (const ds of this.selecting(cr)) this.deps.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) this.ownedObjectUpdated(old, cur);
      },
      onDelete: owned.onDelete,
    };
  }

  /**
   * A pod or revision changed: a former owner is synced when the controller reference changed; then the current
   * owner (returned), or for an orphan whose reference or labels changed, every DaemonSet selecting it.
   */
  private ownedObjectUpdated(old: ApiObject, cur: ApiObject, statusOnly = false): DaemonSet | undefined {
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = !sameControllerRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolve(old, oldRef);
      if (ds) this.deps.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolve(cur, curRef);
      if (ds) (statusOnly ? this.deps.enqueueStatus : this.deps.enqueue)(ds);
      return ds;
    }
    if (refChanged || labelsChanged(old, cur)) for (const ds of this.selecting(cur)) this.deps.enqueue(ds);
    return undefined;
  }

  /** A pod went (or started going) away: its owner observes a deletion and is synced. */
  private podGone(pod: Pod): void {
    const ref = controllerRefOf(pod);
    if (!ref) return;
    const ds = this.resolve(pod, ref);
    if (!ds) return;
    this.deps.expectations.deletionObserved(objectKey(ds));
    this.deps.enqueue(ds);
  }

  private enqueueOwner(obj: ApiObject): void {
    const ds = this.owners.controllerOf(obj);
    if (ds) this.deps.enqueue(ds);
  }

  /** The cached DaemonSet a controller reference points to (same namespace, name and uid). */
  private resolve(obj: ApiObject, ref: OwnerReference): DaemonSet | undefined {
    return this.owners.resolve(obj, ref);
  }

  /** DaemonSets in the object's namespace whose non-empty selector matches its labels. */
  private selecting(obj: ApiObject): DaemonSet[] {
    const out: DaemonSet[] = [];
    for (const ds of this.deps.daemonSets.byIndex(namespaceIndex, obj.metadata?.namespace ?? "")) {
      const c = this.compiled(ds);
      if (!c || c.selector.empty()) continue;
      if (c.selector.matches(obj.metadata?.labels)) out.push(ds);
    }
    return out;
  }

  private compiled(ds: DaemonSet): CompiledDaemonSet | undefined {
    try {
      return this.deps.compile(ds);
    } catch {
      return undefined;
    }
  }
}
