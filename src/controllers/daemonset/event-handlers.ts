/** Which DaemonSets to sync when DaemonSets, pods, nodes or revisions change. */
import type { ApiObject, ControllerRevision, DaemonSet, Node, OwnerReference, Pod } from "../../api/types.js";
import { objectKey, type Store } from "../../client/cache.js";
import type { EventHandler, Informer } from "../../client/informer.js";
import { canonicalJson } from "./history-hash.js";
import type { ControllerExpectations } from "./expectations.js";
import { namespaceIndex } from "./indexes.js";
import { controllerRefOf, isDeleting, isPodReady, isPodTerminal } from "./pod-util.js";
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

function sameRef(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion;
}

function sameLabels(a: ApiObject, b: ApiObject): boolean {
  return canonicalJson(a.metadata?.labels ?? {}) === canonicalJson(b.metadata?.labels ?? {});
}

/** The informer event handlers of the DaemonSet controller. */
export class DaemonSetEventHandlers {
  /** Creates handlers acting through `deps`. */
  constructor(private readonly deps: EventHandlerDeps) {}

  /** Registers the handlers on the four informers. */
  register(informers: { daemonSets: Informer<DaemonSet>; pods: Informer<Pod>; nodes: Informer<Node>; revisions: Informer<ControllerRevision> }): void {
    informers.daemonSets.addEventHandler(this.daemonSetHandler());
    informers.pods.addEventHandler(this.podHandler());
    informers.nodes.addEventHandler(this.nodeHandler());
    informers.revisions.addEventHandler(this.revisionHandler());
  }

  /**
   * DaemonSets: every change syncs it; a uid change also settles the old one. A change that leaves generation, uid
   * and deletion alone (its own status writes, labels) may wait for a paced sync.
   */
  daemonSetHandler(): EventHandler<DaemonSet> {
    return {
      onAdd: (ds) => this.deps.enqueue(ds),
      onUpdate: (old, cur) => {
        const sameObject = old.metadata?.uid === cur.metadata?.uid;
        if (!sameObject) this.deps.forget(old);
        const specOrLifeChanged = !sameObject || old.metadata?.generation !== cur.metadata?.generation
          || old.metadata?.deletionTimestamp !== cur.metadata?.deletionTimestamp;
        (specOrLifeChanged ? this.deps.enqueue : this.deps.enqueueStatus)(cur);
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
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        if (isDeleting(cur)) {
          if (!isDeleting(old)) this.podGone(cur);
          else this.enqueueOwner(cur);
          return;
        }
        // An owned pod whose controller reference stayed moves its DaemonSet's status, unless it stopped running (it
        // is then replaced).
        const statusOnly = sameRef(controllerRefOf(old), controllerRefOf(cur)) && isPodTerminal(old) === isPodTerminal(cur);
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
        if (canonicalJson(old.metadata?.labels ?? {}) === canonicalJson(cur.metadata?.labels ?? {})
          && canonicalJson(old.spec?.taints ?? []) === canonicalJson(cur.spec?.taints ?? [])) return;
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
    return {
      onAdd: (cr) => {
        if (isDeleting(cr)) {
          this.enqueueOwner(cr);
          return;
        }
        if (controllerRefOf(cr)) return;
        for (const ds of this.selecting(cr)) this.deps.enqueue(ds);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) this.ownedObjectUpdated(old, cur);
      },
      onDelete: (cr) => this.enqueueOwner(cr),
    };
  }

  /**
   * A pod or revision changed: a former owner is synced when the controller reference changed; then the current
   * owner (returned), or for an orphan whose reference or labels changed, every DaemonSet selecting it.
   */
  private ownedObjectUpdated(old: ApiObject, cur: ApiObject, statusOnly = false): DaemonSet | undefined {
    const curRef = controllerRefOf(cur);
    const oldRef = controllerRefOf(old);
    const refChanged = !sameRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolve(old, oldRef);
      if (ds) this.deps.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolve(cur, curRef);
      if (ds) (statusOnly ? this.deps.enqueueStatus : this.deps.enqueue)(ds);
      return ds;
    }
    if (refChanged || !sameLabels(old, cur)) for (const ds of this.selecting(cur)) this.deps.enqueue(ds);
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
    const ref = controllerRefOf(obj);
    const ds = ref ? this.resolve(obj, ref) : undefined;
    if (ds) this.deps.enqueue(ds);
  }

  /** The cached DaemonSet a controller reference points to (same namespace, name and uid). */
  private resolve(obj: ApiObject, ref: OwnerReference): DaemonSet | undefined {
    if (ref.kind !== "DaemonSet") return undefined;
    const ds = this.deps.daemonSets.get(`${obj.metadata?.namespace ?? ""}/${ref.name}`);
    return ds && ds.metadata?.uid === ref.uid ? ds : undefined;
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
