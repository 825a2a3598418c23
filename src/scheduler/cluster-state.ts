/**
 * The scheduler's view of every node: its object plus running totals of what the pods bound (or being bound)
 * to it request. Totals change by one pod at a time from pod events, never by rescanning pods.
 */
import type { Node } from "../api/types.js";
import { resourceAmounts, type HostPort, type PodDemand, type ResourceAmounts } from "./pod-demand.js";

/** A node and the running totals of its non-terminal pods. */
export interface NodeState {
  readonly name: string;
  /** Undefined while pods are known to be bound to a node that does not exist (yet). */
  node: Node | undefined;
  /** status.allocatable (`cpu` in milli-units). */
  allocatable: ResourceAmounts;
  /** Sum of the pods' requests. */
  requested: ResourceAmounts;
  nonZeroCpu: bigint;
  nonZeroMemory: bigint;
  podCount: number;
  /** `protocol/port` → host IP → number of pods using it. */
  usedPorts: Map<string, Map<string, number>>;
  /** Keys of the pods counted here. */
  pods: Set<string>;
}

interface PodRecord { uid: string; node: string; demand: PodDemand; assumed: boolean }

function portKey(p: HostPort): string {
  return `${p.protocol}/${p.port}`;
}

/** Nodes and pod totals; see the file comment. */
export class ClusterState {
  private readonly states = new Map<string, NodeState>();
  private readonly pods = new Map<string, PodRecord>();
  private nodes = 0;

  /** Number of nodes that exist (have a Node object). */
  get nodeCount(): number {
    return this.nodes;
  }

  /** The state of an existing node. */
  get(name: string): NodeState | undefined {
    const s = this.states.get(name);
    return s?.node ? s : undefined;
  }

  /** Every existing node, in the order they were first seen. */
  *existingNodes(): Iterable<NodeState> {
    for (const s of this.states.values()) if (s.node) yield s;
  }

  /** Adds or updates a node. */
  setNode(node: Node): void {
    const s = this.state(node.metadata?.name ?? "");
    if (!s.node) this.nodes++;
    s.node = node;
    s.allocatable = resourceAmounts(node.status?.allocatable);
  }

  /** Removes a node; the totals of pods still bound to it are kept in case it comes back. */
  removeNode(name: string): void {
    const s = this.states.get(name);
    if (!s?.node) return;
    s.node = undefined;
    this.nodes--;
    if (s.podCount === 0) this.states.delete(name);
  }

  /** Counts a pod on `node` before its binding is confirmed. */
  assume(key: string, uid: string, node: string, demand: PodDemand): void {
    this.place(key, { uid, node, demand, assumed: true });
  }

  /** Undoes `assume` for a failed binding (only if that assumption is still unconfirmed). */
  forget(key: string, uid: string): void {
    const r = this.pods.get(key);
    if (r && r.assumed && r.uid === uid) this.remove(key);
  }

  /** Records a pod seen bound to `node`; `demand` is computed only when the pod is new or moved. */
  observeBound(key: string, uid: string, node: string, demand: () => PodDemand): void {
    const r = this.pods.get(key);
    if (r && r.uid === uid && r.node === node) {
      r.assumed = false;
      return;
    }
    this.place(key, { uid, node, demand: demand(), assumed: false });
  }

  /** Stops counting a pod (deleted or terminal); returns the node it was counted on. */
  remove(key: string): string | undefined {
    const r = this.pods.get(key);
    if (!r) return undefined;
    this.pods.delete(key);
    const s = this.states.get(r.node);
    if (!s) return r.node;
    s.pods.delete(key);
    applyDemand(s, r.demand, -1);
    if (!s.node && s.podCount === 0) this.states.delete(r.node);
    return r.node;
  }

  /** The demand a counted pod was recorded with. */
  demandOf(key: string): PodDemand | undefined {
    return this.pods.get(key)?.demand;
  }

  private state(name: string): NodeState {
    let s = this.states.get(name);
    if (!s) {
      s = { name, node: undefined, allocatable: new Map(), requested: new Map(), nonZeroCpu: 0n, nonZeroMemory: 0n, podCount: 0, usedPorts: new Map(), pods: new Set() };
      this.states.set(name, s);
    }
    return s;
  }

  private place(key: string, record: PodRecord): void {
    this.remove(key);
    this.pods.set(key, record);
    const s = this.state(record.node);
    s.pods.add(key);
    applyDemand(s, record.demand, 1);
  }
}

/**
 * A copy of `state` as it would be with the pods of `removed` gone and those of `added` counted (keys are not
 * tracked in the copy); the original is not touched. Used to ask "would the pod fit if…" (preemption, nominations).
 */
export function hypotheticalState(state: NodeState, removed: readonly PodDemand[], added: readonly PodDemand[] = []): NodeState {
  const copy: NodeState = {
    ...state, requested: new Map(state.requested), pods: new Set(),
    usedPorts: new Map([...state.usedPorts].map(([k, ips]) => [k, new Map(ips)])),
  };
  for (const d of removed) applyDemand(copy, d, -1);
  for (const d of added) applyDemand(copy, d, 1);
  return copy;
}

function applyDemand(s: NodeState, d: PodDemand, sign: 1 | -1): void {
  const k = BigInt(sign);
  for (const [name, v] of d.requests) s.requested.set(name, (s.requested.get(name) ?? 0n) + k * v);
  s.nonZeroCpu += k * d.nonZeroCpu;
  s.nonZeroMemory += k * d.nonZeroMemory;
  s.podCount += sign;
  for (const p of d.hostPorts) {
    const key = portKey(p);
    let ips = s.usedPorts.get(key);
    if (!ips) s.usedPorts.set(key, (ips = new Map()));
    const n = (ips.get(p.ip) ?? 0) + sign;
    if (n > 0) ips.set(p.ip, n);
    else ips.delete(p.ip);
    if (ips.size === 0) s.usedPorts.delete(key);
  }
}
