/**
 * Pods nominated to a node by preemption (status.nominatedNodeName) and not bound yet. While they wait for their
 * victims to go, the room they need on that node is held for them against pods of lower priority, as
 * kube-scheduler's nominator does.
 */
import type { PodDemand } from "./pod-demand.js";

const none: readonly PodDemand[] = [];

interface Nomination { node: string; priority: number; demand: PodDemand }

/** Nominated pods by key and by node; see the file comment. */
export class Nominations {
  private readonly byKey = new Map<string, Nomination>();
  private readonly byNode = new Map<string, Set<string>>();

  /** The node `key` is nominated to. */
  nodeOf(key: string): string | undefined {
    return this.byKey.get(key)?.node;
  }

  /** Nominates the pod `key` to `node` (replacing an earlier nomination). */
  set(key: string, node: string, priority: number, demand: PodDemand): void {
    this.delete(key);
    this.byKey.set(key, { node, priority, demand });
    let keys = this.byNode.get(node);
    if (!keys) this.byNode.set(node, (keys = new Set()));
    keys.add(key);
  }

  /** Drops the nomination of `key`; true if there was one. */
  delete(key: string): boolean {
    const n = this.byKey.get(key);
    if (!n) return false;
    this.byKey.delete(key);
    const keys = this.byNode.get(n.node);
    keys?.delete(key);
    if (keys?.size === 0) this.byNode.delete(n.node);
    return true;
  }

  /** Demands of the pods other than `except` nominated to `node` with at least `priority`: room held for them. */
  heldFor(node: string, priority: number, except: string): readonly PodDemand[] {
    const keys = this.byNode.get(node);
    if (!keys) return none;
    const out: PodDemand[] = [];
    for (const k of keys) {
      const n = this.byKey.get(k);
      if (n && k !== except && n.priority >= priority) out.push(n.demand);
    }
    return out;
  }

  /** Keys of the pods nominated to `node` with a priority below `priority`. */
  lowerThan(node: string, priority: number): string[] {
    return [...(this.byNode.get(node) ?? [])].filter((k) => (this.byKey.get(k)?.priority ?? 0) < priority);
  }
}
