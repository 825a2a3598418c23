/** When each node was last heard from (lease renewals and status posts), and which nodes have gone quiet. */
import type { Lease, Node } from "../../api/types.js";
import { DelayHeap } from "../../controller/delay-heap.js";
import { isControllerWrittenUnknown, nodeCondition } from "./node-status.js";

/** Grace periods of the tracker. */
export interface NodeHealthOptions {
  /** Silence after which a node that has reported Ready counts as unreachable. */
  gracePeriodMs: number;
  /** Silence after which a node that never reported Ready counts as unreachable. */
  startupGracePeriodMs: number;
}

interface HealthRecord {
  /** Local time of the last sign of life (controller clock, so kubelet clock skew does not matter). */
  probeAt: number;
  /** Ready condition as last seen, to notice status posts. */
  readySignature: string | undefined;
  hasReady: boolean;
  /** Last lease renewTime seen, epoch ms. */
  renewTime: number | undefined;
}

/**
 * Per-node probe timestamps, refreshed when the node's Lease renewTime advances or its Ready condition changes
 * (other than to the Unknown this controller writes), and a heap of deadlines so that finding the nodes that went
 * quiet costs O(nodes due) rather than O(all nodes).
 */
export class NodeHealthTracker {
  private readonly records = new Map<string, HealthRecord>();
  private readonly deadlines = new DelayHeap<string>();

  /** Creates an empty tracker. */
  constructor(private readonly options: NodeHealthOptions) {}

  /** Records a node as seen at `now` (a first sighting counts as a sign of life). */
  observeNode(node: Node, now: number): void {
    const name = node.metadata?.name;
    if (!name) return;
    const ready = nodeCondition(node, "Ready");
    const signature = ready ? JSON.stringify([ready.status, ready.reason, ready.lastHeartbeatTime, ready.lastTransitionTime]) : undefined;
    let record = this.records.get(name);
    if (!record) {
      record = { probeAt: now, readySignature: signature, hasReady: !!ready, renewTime: undefined };
      this.records.set(name, record);
    } else if (signature !== record.readySignature) {
      if (!isControllerWrittenUnknown(ready)) record.probeAt = now;
      record.readySignature = signature;
    }
    record.hasReady = !!ready;
    this.schedule(name, record);
  }

  /** Records a node Lease; a renewTime later than the last one seen is a sign of life at `now`. */
  observeLease(lease: Lease, now: number): void {
    const name = lease.metadata?.name;
    const renew = Date.parse(lease.spec?.renewTime ?? "");
    if (!name || Number.isNaN(renew)) return;
    let record = this.records.get(name);
    if (!record) {
      record = { probeAt: now, readySignature: undefined, hasReady: false, renewTime: renew };
      this.records.set(name, record);
    } else if (record.renewTime === undefined || renew > record.renewTime) {
      record.probeAt = now;
      record.renewTime = renew;
    }
    this.schedule(name, record);
  }

  /** Forgets a node (deleted). */
  forget(name: string): void {
    this.records.delete(name);
  }

  /** True when the node has been silent for longer than its grace period. */
  isExpired(name: string, now: number): boolean {
    const record = this.records.get(name);
    return record !== undefined && now > this.deadline(record);
  }

  /** Local time of the node's last sign of life. */
  probeTime(name: string): number | undefined {
    return this.records.get(name)?.probeAt;
  }

  /** Nodes whose deadline passed since they were last scheduled; each is returned once until observed again. */
  expired(now: number): string[] {
    const out: string[] = [];
    const later: [string, number][] = [];
    for (const name of this.deadlines.popReady(now)) {
      const record = this.records.get(name);
      if (!record) continue;
      const deadline = this.deadline(record);
      if (now > deadline) out.push(name);
      else later.push([name, deadline]);
    }
    for (const [name, deadline] of later) this.deadlines.schedule(name, deadline + 1);
    return out;
  }

  private deadline(record: HealthRecord): number {
    return record.probeAt + (record.hasReady ? this.options.gracePeriodMs : this.options.startupGracePeriodMs);
  }

  /** Keeps the earliest pending check; a later deadline is found when that check pops early. */
  private schedule(name: string, record: HealthRecord): void {
    this.deadlines.schedule(name, this.deadline(record) + 1);
  }
}
