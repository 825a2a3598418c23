/**
 * Pods that failed to schedule, waiting for a change that may help. Pods narrowed to named nodes (DaemonSet
 * pods) are filed under those nodes, the rest under "any node", so a change on one node wakes only the pods it
 * can matter to.
 */

const anyNode = "";

interface Entry { buckets: string[]; since: number }

/** The unschedulable pod set; see the file comment. */
export class UnschedulablePods {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, Set<string>>();

  /** Number of waiting pods. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether the pod waits here. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Files a pod under its target nodes (undefined = any node) at time `now`. */
  add(key: string, targets: readonly string[] | undefined, now: number): void {
    this.delete(key);
    const buckets = targets === undefined ? [anyNode] : [...targets];
    this.entries.set(key, { buckets, since: now });
    for (const b of buckets) {
      let set = this.buckets.get(b);
      if (!set) this.buckets.set(b, (set = new Set()));
      set.add(key);
    }
  }

  /** Removes a pod; true if it was waiting. */
  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    for (const b of e.buckets) {
      const set = this.buckets.get(b);
      set?.delete(key);
      if (set?.size === 0) this.buckets.delete(b);
    }
    return true;
  }

  /** Removes and returns the pods a change on node `name` may help: those targeting it and those for any node. */
  takeForNode(name: string): string[] {
    const keys = new Set([...(this.buckets.get(name) ?? []), ...(this.buckets.get(anyNode) ?? [])]);
    for (const k of keys) this.delete(k);
    return [...keys];
  }

  /** Removes and returns the pods waiting since `cutoff` or earlier. */
  takeWaitingSince(cutoff: number): string[] {
    const keys: string[] = [];
    for (const [k, e] of this.entries) if (e.since <= cutoff) keys.push(k);
    for (const k of keys) this.delete(k);
    return keys;
  }
}
