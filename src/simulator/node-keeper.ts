/**
 * The kubelet side of simulated nodes: registration (labels, status), periodic status heartbeats and Lease
 * renewals, all driven by one work queue whose delayed items share a single timer. Keys are
 * `status/<node>`, `lease/<node>` and `gone/<node>`; periodic work lands on a per-node slot of the interval so
 * thousands of nodes renew evenly spread instead of in bursts (slots are rounded down to 100 ms ticks, so the
 * renewals due in one tick share a turn of the event loop and a storage commit).
 */
import { mustFindResource } from "../api/resources.js";
import { StatusError, isStatus } from "../api/status-error.js";
import type { Node } from "../api/types.js";
import type { Client } from "../client/client.js";
import type { Store } from "../client/cache.js";
import type { Clock } from "../util/clock.js";
import type { ReconcileResult, Reconciler } from "../controller/reconciler.js";
import { WorkQueue } from "../controller/workqueue.js";
import {
  choosePodCIDR, healthyConditions, isSimulated, microTime, missingLabels, needsRegistration, newSimulatedNode, nextSlotDelay,
  nodeLease, nodeLeaseNamespace, podCIDRIndex, registrationStatus, secondsTime, type NodeCapacity,
} from "./node-status.js";

/** Options of a NodeKeeper. */
export interface NodeKeeperOptions {
  client: Client;
  clock: Clock;
  /** Wall-clock time for timestamps. */
  now: () => Date;
  capacity: NodeCapacity;
  leaseDurationSeconds: number;
  leaseRenewIntervalMs: number;
  nodeStatusIntervalMs: number;
  /**
   * Upper bound of Lease renewals per second over all nodes (default: none). With more nodes than the renew
   * interval allows at this rate, the interval stretches, but never beyond half the lease duration.
   */
  maxLeaseRenewalsPerSecond?: number;
  /**
   * Upper bound of status heartbeats per second over all nodes (default: none). With more nodes the interval
   * stretches, up to the kubelet's status report frequency of 5 minutes.
   */
  maxStatusUpdatesPerSecond?: number;
  /**
   * Nodes expected to be cared for soon (those the simulator is about to create): the rate bounds count at least
   * this many, so the intervals do not grow while thousands of nodes register and shift every node's slot.
   */
  expectedNodes?: number;
}

/**
 * Periodic work is due on multiples of this (never later than its slot): the renewals of thousands of nodes then
 * come in small groups that share a turn of the event loop and a storage commit, instead of one wake-up each.
 */
const tickMs = 100;

/**
 * Delay until `name`'s next slot of `intervalMs` after `now` (see nextSlotDelay), moved earlier onto the 100 ms
 * tick before it when one lies between; a run that started early on its slot's tick is given the following slot.
 */
export function nextTickedSlot(now: number, intervalMs: number, name: string): number {
  let delay = nextSlotDelay(now, intervalMs, name);
  // Less than a tick to go: this run is the current slot's, started early on its tick.
  if (delay < tickMs && intervalMs > tickMs) delay += intervalMs;
  const due = Math.floor((now + delay) / tickMs) * tickMs;
  return due > now ? due - now : delay;
}

/** How long a kubelet goes at most without posting an unchanged node status (its nodeStatusReportFrequency). */
const statusReportFrequencyMs = 5 * 60 * 1000;

const nodesResource = mustFindResource("", "nodes");
const leasesResource = mustFindResource("coordination.k8s.io", "leases");

/** Keeps simulated nodes registered, heartbeating and holding their Leases. */
export class NodeKeeper implements Reconciler<string> {
  /** The queue of node work; run it with runReconciler. */
  readonly queue: WorkQueue<string>;
  private readonly leaseOwner = new Map<string, string>();
  private readonly lastStatus = new Map<string, number>();
  private readonly tracked = new Set<string>();

  /** Creates a keeper reading nodes from `nodes` (the shared node cache). */
  constructor(private readonly options: NodeKeeperOptions, private readonly nodes: Store<Node>) {
    this.queue = new WorkQueue<string>({ clock: options.clock });
  }

  /** Starts caring for a node: registration check and Lease at once, then periodically. */
  track(name: string): void {
    this.tracked.add(name);
    this.queue.add(`status/${name}`);
    this.queue.add(`lease/${name}`);
  }

  /** Asks for a registration check (e.g. after the node changed). */
  recheck(name: string): void {
    this.queue.add(`status/${name}`);
  }

  /** Stops caring for a node: its Lease is deleted unless it is simulated again by then. */
  untrack(name: string): void {
    this.tracked.delete(name);
    this.queue.add(`gone/${name}`);
  }

  /** The interval between two renewals of one node's Lease, for the number of nodes cared for now. */
  leaseRenewIntervalMs(): number {
    const { leaseRenewIntervalMs, leaseDurationSeconds, maxLeaseRenewalsPerSecond } = this.options;
    if (!maxLeaseRenewalsPerSecond) return leaseRenewIntervalMs;
    const spread = (this.caredFor() / maxLeaseRenewalsPerSecond) * 1000;
    return Math.max(leaseRenewIntervalMs, Math.min(spread, leaseDurationSeconds * 500));
  }

  /** The interval between two status heartbeats of one node, for the number of nodes cared for now. */
  nodeStatusIntervalMs(): number {
    const { nodeStatusIntervalMs, maxStatusUpdatesPerSecond } = this.options;
    if (!maxStatusUpdatesPerSecond) return nodeStatusIntervalMs;
    const spread = (this.caredFor() / maxStatusUpdatesPerSecond) * 1000;
    return Math.max(nodeStatusIntervalMs, Math.min(spread, statusReportFrequencyMs));
  }

  private caredFor(): number {
    return Math.max(this.tracked.size, this.options.expectedNodes ?? 0);
  }

  /** Creates the missing nodes among `names` (registered and ready), at most `concurrency` at a time. */
  async createNodes(names: readonly string[], concurrency: number, signal: AbortSignal): Promise<void> {
    const missing = names.filter((n) => this.nodes.get(n) === undefined);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < missing.length && !signal.aborted) {
        const name = missing[next++] as string;
        try {
          await this.options.client.create(nodesResource, undefined, newSimulatedNode(name, this.options.capacity, secondsTime(this.options.now())));
        } catch (error) {
          if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, missing.length)) }, worker));
  }

  /** Processes one key (see the file comment). */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const slash = key.indexOf("/");
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const node = this.nodes.get(name);
    const active = node !== undefined && isSimulated(node);
    if (kind === "gone") {
      if (!active) await this.forget(name);
      return;
    }
    if (!active) return;
    const now = (): number => this.options.clock.now();
    if (kind === "lease") {
      await this.renewLease(node);
      return { requeueAfterMs: nextTickedSlot(now(), this.leaseRenewIntervalMs(), name) };
    }
    await this.syncStatus(node);
    return { requeueAfterMs: nextTickedSlot(now(), this.nodeStatusIntervalMs(), name) };
  }

  private async forget(name: string): Promise<void> {
    this.leaseOwner.delete(name);
    this.lastStatus.delete(name);
    try {
      await this.options.client.delete(leasesResource, nodeLeaseNamespace, name);
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
  }

  private async renewLease(node: Node): Promise<void> {
    const { client, leaseDurationSeconds } = this.options;
    const name = node.metadata?.name ?? "";
    const uid = node.metadata?.uid ?? "";
    const renewTime = microTime(this.options.now());
    if (this.leaseOwner.get(name) === uid) {
      try {
        // The renewal every node sends every interval: the Lease's spec, as the kubelet's update sets it.
        await client.patch(leasesResource, nodeLeaseNamespace, name, "merge", { spec: { holderIdentity: name, leaseDurationSeconds, renewTime } });
        return;
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
      }
    }
    const lease = nodeLease(node, leaseDurationSeconds, renewTime);
    try {
      await client.create(leasesResource, nodeLeaseNamespace, lease);
    } catch (error) {
      if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
      await client.patch(leasesResource, nodeLeaseNamespace, name, "merge", { metadata: { ownerReferences: lease.metadata?.ownerReferences }, spec: lease.spec });
    }
    this.leaseOwner.set(name, uid);
  }

  /** A pod CIDR no other node holds (see choosePodCIDR); walks every node, which only nodes created without one need. */
  private freePodCIDR(name: string): string | undefined {
    const taken = new Set<number>();
    for (const other of this.nodes.list()) {
      const k = other.metadata?.name === name ? undefined : podCIDRIndex(other.spec?.podCIDR);
      if (k !== undefined) taken.add(k);
    }
    return choosePodCIDR(name, taken);
  }

  private async syncStatus(current: Node): Promise<void> {
    let node = current;
    const { client, clock } = this.options;
    const nodeStatusIntervalMs = this.nodeStatusIntervalMs();
    const name = node.metadata?.name ?? "";
    const labels = missingLabels(node);
    const podCIDR = node.spec?.podCIDR ? undefined : this.freePodCIDR(name);
    if (Object.keys(labels).length > 0 || podCIDR !== undefined) {
      const patch: Record<string, unknown> = {};
      if (Object.keys(labels).length > 0) patch.metadata = { labels };
      if (podCIDR !== undefined) patch.spec = { podCIDR, podCIDRs: [podCIDR] };
      node = await client.patch<Node>(nodesResource, undefined, name, "merge", patch);
    }
    const now = secondsTime(this.options.now());
    const last = this.lastStatus.get(name);
    if (needsRegistration(node)) {
      await client.patch(nodesResource, undefined, name, "strategic", { status: registrationStatus(node, this.options.capacity, now) }, { subresource: "status" });
    } else if (last === undefined) {
      // Seen registered for the first time: the first heartbeat goes out on the node's slot.
    } else if (clock.now() - last >= nodeStatusIntervalMs / 2) {
      await client.patch(nodesResource, undefined, name, "strategic", { status: { conditions: healthyConditions(node.status?.conditions, now) } }, { subresource: "status" });
    } else {
      return;
    }
    this.lastStatus.set(name, clock.now());
  }
}
