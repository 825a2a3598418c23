/** The owner → dependents graph the garbage collector keeps from its informers. */
import type { ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import { ownerUidsOf } from "./owner-references.js";

/** One observed object: its uid, served resource and the cached object (never mutated). */
export interface GraphNode {
  readonly uid: string;
  readonly resource: ResourceInfo;
  readonly object: KubeObject;
}

/**
 * Observed objects by uid, with an index from every owner uid (observed or not) to the uids of the objects
 * naming it in their ownerReferences. Updates cost O(owner references of the changed object).
 */
export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly dependents = new Map<string, Set<string>>();

  /** Number of observed objects. */
  get size(): number {
    return this.nodes.size;
  }

  /** The observed object with `uid`. */
  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  /** Records (or replaces) an object; returns the node it replaced. Objects without a uid are ignored. */
  upsert(resource: ResourceInfo, object: KubeObject): GraphNode | undefined {
    const uid = object.metadata?.uid;
    if (!uid) return undefined;
    const old = this.nodes.get(uid);
    const node: GraphNode = { uid, resource, object };
    this.nodes.set(uid, node);
    // Most updates (status, heartbeats) keep the owners: the index stays as it is.
    if (old && sameOwnerUids(old.object, object)) return old;
    if (old) this.unindex(old);
    for (const owner of ownerUidsOf(object)) {
      let set = this.dependents.get(owner);
      if (!set) this.dependents.set(owner, (set = new Set()));
      set.add(uid);
    }
    return old;
  }

  /** Forgets the object with the uid of `object`; returns the node removed. */
  remove(object: KubeObject): GraphNode | undefined {
    const uid = object.metadata?.uid;
    if (!uid) return undefined;
    const old = this.nodes.get(uid);
    if (!old) return undefined;
    this.unindex(old);
    this.nodes.delete(uid);
    return old;
  }

  /** Observed objects that name `ownerUid` as an owner. */
  dependentsOf(ownerUid: string): GraphNode[] {
    const out: GraphNode[] = [];
    for (const uid of this.dependents.get(ownerUid) ?? []) {
      const node = this.nodes.get(uid);
      if (node) out.push(node);
    }
    return out;
  }

  /** True when some observed object names `ownerUid` as an owner. */
  hasDependents(ownerUid: string): boolean {
    return (this.dependents.get(ownerUid)?.size ?? 0) > 0;
  }

  private unindex(node: GraphNode): void {
    for (const owner of ownerUidsOf(node.object)) {
      const set = this.dependents.get(owner);
      if (!set) continue;
      set.delete(node.uid);
      if (set.size === 0) this.dependents.delete(owner);
    }
  }
}

/** Whether both objects name the same owner uids in the same order (then they index alike). */
function sameOwnerUids(a: KubeObject, b: KubeObject): boolean {
  const x = a.metadata?.ownerReferences ?? [];
  const y = b.metadata?.ownerReferences ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i]?.uid !== y[i]?.uid) return false;
  return true;
}

/** A bounded set of owner uids verified absent (uids are never reused, so entries never go stale). */
export class AbsentOwnerCache {
  private readonly uids = new Set<string>();

  /** Remembers at most `max` uids, dropping the oldest first. */
  constructor(private readonly max = 1000) {}

  /** True when `uid` was verified absent. */
  has(uid: string): boolean {
    return this.uids.has(uid);
  }

  /** Records `uid` as absent. */
  add(uid: string): void {
    this.uids.delete(uid);
    this.uids.add(uid);
    while (this.uids.size > this.max) {
      const oldest = this.uids.values().next();
      if (oldest.done) break;
      this.uids.delete(oldest.value);
    }
  }
}
