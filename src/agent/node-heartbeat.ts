/**
 * The agent's node side, as the kubelet runs it: registers the Node (create, or reconcile labels of an existing
 * one), computes its status every 10 s and patches it when it changed or every 5 minutes, and renews the node's
 * Lease in kube-node-lease every 10 s.
 */
import { mustFindResource } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { Lease, Node } from "../api/types.js";
import type { Client } from "../client/client.js";
import { sleep, type Clock } from "../util/clock.js";
import { microTime, nodeLease, nodeLeaseNamespace, secondsTime } from "../simulator/node-status.js";
import { agentNodeLabels, agentNodeStatus, newAgentNode, statusChanged, type NodeObjectOptions } from "./node-object.js";
import type { MachineFacts } from "./machine.js";

const nodesResource = mustFindResource("", "nodes");
const leasesResource = mustFindResource("coordination.k8s.io", "leases");

/** Options of a NodeHeartbeat. */
export interface NodeHeartbeatOptions {
  client: Client;
  clock: Clock;
  /** Wall clock (epoch ms). */
  now: () => number;
  /** Everything but the facts of the Node object. */
  node: Omit<NodeObjectOptions, "facts">;
  /** Reads the machine's current facts. */
  readFacts: () => Promise<MachineFacts>;
  /** Status compute and Lease renew interval (default 10 s). */
  intervalMs?: number;
  /** Status is written at least this often even when unchanged (default 5 min). */
  reportIntervalMs?: number;
  leaseDurationSeconds?: number;
  onError: (error: unknown) => void;
}

/** Registers and heartbeats one Node until its signal aborts. */
export class NodeHeartbeat {
  private node: Node | undefined;
  private lease: Lease | undefined;
  private lastReport = 0;
  private facts: MachineFacts | undefined;

  /** Creates the heartbeat; nothing happens before `run`. */
  constructor(private readonly options: NodeHeartbeatOptions) {}

  /** The registered Node as last written (undefined before registration). */
  current(): Node | undefined { return this.node; }

  /** The machine facts last read. */
  machine(): MachineFacts | undefined { return this.facts; }

  /** Registers the Node, retrying with back-off (100 ms doubling to 7 s) until it succeeds or `signal` aborts. */
  async register(signal: AbortSignal): Promise<Node | undefined> {
    let delay = 100;
    while (!signal.aborted) {
      try {
        this.node = await this.registerOnce();
        return this.node;
      } catch (err) {
        this.options.onError(err);
        await sleep(this.options.clock, delay, signal);
        delay = Math.min(delay * 2, 7000);
      }
    }
    return undefined;
  }

  /** Registers (if not yet), then updates status and Lease every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (!this.node && !(await this.register(signal))) return;
    const interval = this.options.intervalMs ?? 10_000;
    while (!signal.aborted) {
      await Promise.all([
        this.updateStatus().catch(this.options.onError),
        this.renewLease().catch(this.options.onError),
      ]);
      await sleep(this.options.clock, interval, signal);
    }
  }

  private objectOptions(facts: MachineFacts): NodeObjectOptions {
    return { ...this.options.node, facts };
  }

  private async registerOnce(): Promise<Node> {
    const { client } = this.options;
    const facts = this.facts = await this.options.readFacts();
    const now = secondsTime(new Date(this.options.now()));
    const wanted = newAgentNode(this.objectOptions(facts), now);
    let node: Node;
    try {
      node = await client.create<Node>(nodesResource, undefined, wanted);
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      node = await client.get<Node>(nodesResource, undefined, this.options.node.name);
      const labels = agentNodeLabels(this.options.node.name, facts);
      const have = node.metadata?.labels ?? {};
      const missing = Object.fromEntries(Object.entries(labels).filter(([k, v]) => have[k] !== v));
      const annotations = this.options.node.annotations ?? {};
      const haveAnnotations = node.metadata?.annotations ?? {};
      const changed = Object.fromEntries(Object.entries(annotations).filter(([k, v]) => haveAnnotations[k] !== v));
      if (Object.keys(missing).length > 0 || Object.keys(changed).length > 0) {
        node = await client.patch<Node>(nodesResource, undefined, this.options.node.name, "merge", { metadata: { labels: missing, annotations: changed } });
      }
    }
    const status = agentNodeStatus(this.objectOptions(facts), node.status?.conditions, now);
    node = await client.patch<Node>(nodesResource, undefined, this.options.node.name, "merge", { status }, { subresource: "status" });
    this.lastReport = this.options.clock.now();
    return node;
  }

  private async updateStatus(): Promise<void> {
    const facts = this.facts = await this.options.readFacts();
    const now = secondsTime(new Date(this.options.now()));
    const status = agentNodeStatus(this.objectOptions(facts), this.node?.status?.conditions, now);
    const due = this.options.clock.now() - this.lastReport >= (this.options.reportIntervalMs ?? 5 * 60_000);
    if (!due && !statusChanged(this.node?.status, status)) return;
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        this.node = await this.options.client.patch<Node>(nodesResource, undefined, this.options.node.name, "merge", { status }, { subresource: "status" });
        this.lastReport = this.options.clock.now();
        return;
      } catch (err) {
        lastErr = err;
        if (isStatus(err, 404)) {
          this.node = await this.registerOnce();
          return;
        }
      }
    }
    throw lastErr;
  }

  private async renewLease(): Promise<void> {
    const { client } = this.options;
    const name = this.options.node.name;
    const node = this.node;
    if (!node) return;
    const wanted = nodeLease(node, this.options.leaseDurationSeconds ?? 40, microTime(new Date(this.options.now())));
    if (!this.lease) {
      try {
        this.lease = await client.get<Lease>(leasesResource, nodeLeaseNamespace, name);
      } catch (err) {
        if (!isStatus(err, 404)) throw err;
        this.lease = await client.create<Lease>(leasesResource, nodeLeaseNamespace, wanted);
        return;
      }
    }
    try {
      this.lease = await client.update<Lease>(leasesResource, nodeLeaseNamespace, {
        ...this.lease, metadata: { ...this.lease.metadata, ownerReferences: wanted.metadata?.ownerReferences }, spec: { ...this.lease.spec, ...wanted.spec },
      });
    } catch (err) {
      this.lease = undefined;
      throw err;
    }
  }
}
