/**
 * What the garbage collector does for one object, by uid: orphan or foreground-delete the dependents of an owner
 * being deleted, and delete (or detach) a dependent whose owners are gone.
 */
import type { OwnerReference } from "../../api/types.js";
import type { AbsentOwnerCache, DependencyGraph, GraphNode } from "./dependency-graph.js";
import type { GcOperations } from "./gc-operations.js";
import {
  blocksOwnerDeletion, foregroundFinalizer, hasFinalizer, isDeleting, isDeletingDependents, orphanFinalizer, ownerReferencesOf,
} from "./owner-references.js";

/** What the Collector works with. */
export interface CollectorDeps {
  graph: DependencyGraph;
  operations: GcOperations;
  absentOwners: AbsentOwnerCache;
  /** Queues a uid for processing. */
  enqueue: (uid: string) => void;
  /** Writes in flight at once when orphaning many dependents (default 16). */
  concurrency?: number;
}

/** Owner references of a dependent sorted by the state of their owner. */
interface Classified {
  /** Owners that exist and are not waiting for their dependents (or cannot be resolved). */
  solid: OwnerReference[];
  /** Owners verified absent. */
  dangling: OwnerReference[];
  /** Owners being deleted in the foreground. */
  waiting: OwnerReference[];
}

/** The per-object logic of the garbage collector; idempotent, throws to ask for a retry. */
export class Collector {
  /** Creates the logic over the shared graph. */
  constructor(private readonly deps: CollectorDeps) {}

  /** Brings the object with `uid` (and, for an owner being deleted, its dependents) one step closer to the goal. */
  async process(uid: string): Promise<void> {
    const node = this.deps.graph.get(uid);
    if (!node) return;
    const obj = node.object;
    if (isDeleting(obj)) {
      if (hasFinalizer(obj, orphanFinalizer)) await this.orphanDependents(node);
      else if (hasFinalizer(obj, foregroundFinalizer)) await this.deleteDependentsFirst(node);
      return;
    }
    if (ownerReferencesOf(obj).length > 0) await this.attemptToDelete(node);
  }

  /** Orphan: strips the owner's references from every dependent, then drops the owner's `orphan` finalizer. */
  private async orphanDependents(owner: GraphNode): Promise<void> {
    const dependents = this.deps.graph.dependentsOf(owner.uid);
    await forEachLimited(dependents, this.deps.concurrency ?? 16, (d) =>
      this.deps.operations.updateOwnerReferences(d, (refs) => refs.filter((r) => r.uid !== owner.uid)));
    await this.deps.operations.removeFinalizer(owner, orphanFinalizer);
  }

  /**
   * Foreground: queues every dependent not yet being deleted (each then sees its owner waiting and goes), and
   * drops the owner's `foregroundDeletion` finalizer once no dependent blocking it (blockOwnerDeletion) remains.
   * Dependents in graceful deletion still block until they are gone. Self-references never block, and a cycle of
   * objects deleted in the foreground, each waiting for the next, is broken by unblocking the reference to the owner.
   */
  private async deleteDependentsFirst(owner: GraphNode): Promise<void> {
    // An object naming itself as owner does not wait for itself.
    const dependents = this.deps.graph.dependentsOf(owner.uid).filter((d) => d.uid !== owner.uid);
    const blocking = dependents.filter((d) => blocksOwnerDeletion(d.object, owner.uid));
    if (blocking.length === 0) {
      await this.deps.operations.removeFinalizer(owner, foregroundFinalizer);
      return;
    }
    for (const d of dependents) if (!isDeleting(d.object)) this.deps.enqueue(d.uid);
    // A dependent that waits (through blocking references) for this owner to go would wait forever: unblock it.
    for (const d of blocking) {
      if (!isDeletingDependents(d.object) || !this.waitsFor(d, owner.uid)) continue;
      await this.deps.operations.updateOwnerReferences(d, (refs) =>
        refs.map((r) => (r.uid === owner.uid && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
    }
  }

  /** True when `from`, deleted in the foreground, waits (directly or through other such objects) for `target` to go. */
  private waitsFor(from: GraphNode, target: string): boolean {
    const seen = new Set<string>([from.uid]);
    const pending = [from];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const d of this.deps.graph.dependentsOf(next.uid)) {
        if (d.uid === next.uid || !blocksOwnerDeletion(d.object, next.uid)) continue;
        if (d.uid === target) return true;
        if (seen.has(d.uid) || !isDeletingDependents(d.object)) continue;
        seen.add(d.uid);
        pending.push(d);
      }
    }
    return false;
  }

  /**
   * A dependent: when every owner is present in the cache, nothing to do. Otherwise, on the live object: with a
   * live owner left, remove references to absent owners (and unblock owners waiting on it); with owners only
   * waiting for their dependents, delete it in the foreground if it has dependents itself; with none left,
   * delete it honouring its own finalizers (Background by default).
   */
  private async attemptToDelete(node: GraphNode): Promise<void> {
    const { graph, operations } = this.deps;
    const cachedOwnersSolid = ownerReferencesOf(node.object).every((r) => {
      const owner = graph.get(r.uid);
      return owner !== undefined && !isDeletingDependents(owner.object);
    });
    if (cachedOwnersSolid) return;
    const { namespace, name = "" } = node.object.metadata ?? {};
    const live = await operations.getLive(node.resource, namespace, name, node.uid);
    if (!live || isDeleting(live)) return;
    const refs = ownerReferencesOf(live);
    if (refs.length === 0) return;
    const { solid, dangling, waiting } = await this.classify(refs, namespace);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      const drop = new Set(dangling.map((r) => r.uid));
      const unblock = new Set(waiting.map((r) => r.uid));
      await operations.updateOwnerReferences(node, (current) => current
        .filter((r) => !drop.has(r.uid))
        .map((r) => (unblock.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
      return;
    }
    if (waiting.length > 0 && graph.hasDependents(node.uid)) {
      // A dependent of this object is itself waiting for its dependents: unblock our owners to avoid a cycle.
      if (graph.dependentsOf(node.uid).some((d) => isDeletingDependents(d.object))) {
        await operations.updateOwnerReferences(node, (current) => current.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
      }
      await operations.deleteObject(node, "Foreground");
      return;
    }
    const policy = hasFinalizer(live, orphanFinalizer) ? "Orphan" : hasFinalizer(live, foregroundFinalizer) ? "Foreground" : "Background";
    await operations.deleteObject(node, policy);
  }

  /** Sorts owner references by owner state: cached owners are trusted as present, the rest are read live. */
  private async classify(refs: readonly OwnerReference[], namespace: string | undefined): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of refs) {
      const cached = this.deps.graph.get(ref.uid);
      if (cached) {
        (isDeletingDependents(cached.object) ? out.waiting : out.solid).push(ref);
        continue;
      }
      if (this.deps.absentOwners.has(ref.uid)) {
        out.dangling.push(ref);
        continue;
      }
      const found = await this.deps.operations.lookupOwner(ref, namespace);
      if (found.state === "absent") {
        this.deps.absentOwners.add(ref.uid);
        out.dangling.push(ref);
      } else if (found.state === "present" && isDeletingDependents(found.owner)) {
        out.waiting.push(ref);
      } else {
        out.solid.push(ref);
      }
    }
    return out;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; rethrows the first failure after all have settled. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
