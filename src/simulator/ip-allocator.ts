/** Pod IPs out of each simulated node's /24 range, handed out round-robin and returned when pods go away. */
import { nodePodRangePrefix } from "./node-status.js";

/** The first three octets of a node's /24 pod range, by node name. */
export type PodRangeOf = (node: string) => string;

interface NodeRange { prefix: string; used: Map<number, string>; next: number }

const first = 2;
const last = 254;

/** Tracks which pod holds which IP on each node; every call is O(1) amortised. */
export class PodIPAllocator {
  private readonly nodes = new Map<string, NodeRange>();
  private readonly byPod = new Map<string, { node: string; host: number }>();

  /** Creates an allocator reading each node's range from `rangeOf` (default: derived from the node's name). */
  constructor(private readonly rangeOf: PodRangeOf = nodePodRangePrefix) {}

  /** The IP held by `podKey` on `node`, allocating a free one (or, when the range is full, reusing one). */
  allocate(node: string, podKey: string): string {
    const held = this.byPod.get(podKey);
    const range = this.range(node);
    if (held && held.node === node && range.used.get(held.host) === podKey) return `${range.prefix}.${held.host}`;
    if (held) this.release(podKey);
    let host = range.next;
    for (let tries = 0; tries <= last - first && range.used.has(host); tries++) host = host >= last ? first : host + 1;
    range.next = host >= last ? first : host + 1;
    range.used.set(host, podKey);
    this.byPod.set(podKey, { node, host });
    return `${range.prefix}.${host}`;
  }

  /** Records that `podKey` already holds `ip` (e.g. after a restart); IPs outside the node's range are ignored. */
  markUsed(node: string, podKey: string, ip: string): void {
    const range = this.range(node);
    if (!ip.startsWith(`${range.prefix}.`)) return;
    const host = Number(ip.slice(range.prefix.length + 1));
    if (!Number.isInteger(host) || host < first || host > last) return;
    const held = this.byPod.get(podKey);
    if (held && held.node === node && held.host === host) return;
    if (held) this.release(podKey);
    range.used.set(host, podKey);
    this.byPod.set(podKey, { node, host });
  }

  /** Frees the IP of `podKey`, if it holds one. */
  release(podKey: string): void {
    const held = this.byPod.get(podKey);
    if (!held) return;
    this.byPod.delete(podKey);
    const range = this.nodes.get(held.node);
    if (range && range.used.get(held.host) === podKey) range.used.delete(held.host);
  }

  /** The node's range; when the node's range changed (its pod CIDR was assigned), IPs start over in the new one. */
  private range(node: string): NodeRange {
    const prefix = this.rangeOf(node);
    let range = this.nodes.get(node);
    if (!range || range.prefix !== prefix) this.nodes.set(node, (range = { prefix, used: new Map(), next: first }));
    return range;
  }
}
