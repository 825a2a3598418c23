/** The taints the node lifecycle controller keeps in line with a node's conditions and spec.unschedulable. */
import { TaintEffect, TaintKey } from "../../api/taints.js";
import type { Node, Taint } from "../../api/types.js";
import { nodeCondition } from "./node-status.js";

/** Condition type → condition status → key of the NoSchedule taint it implies. */
const noScheduleByCondition: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TaintKey.NotReady, Unknown: TaintKey.Unreachable },
  MemoryPressure: { True: TaintKey.MemoryPressure },
  DiskPressure: { True: TaintKey.DiskPressure },
  PIDPressure: { True: TaintKey.PIDPressure },
  NetworkUnavailable: { True: TaintKey.NetworkUnavailable },
};

const managedNoSchedule = new Set<string>([TaintKey.NotReady, TaintKey.Unreachable, TaintKey.MemoryPressure, TaintKey.DiskPressure, TaintKey.PIDPressure, TaintKey.NetworkUnavailable, TaintKey.Unschedulable]);
const managedNoExecute = new Set<string>([TaintKey.NotReady, TaintKey.Unreachable]);

const id = (t: Taint): string => `${t.key}\u0000${t.effect}`;

/** The managed taints a node should carry: NoSchedule from conditions and cordoning, NoExecute from Ready. */
function wantedTaints(node: Node): { wanted: Taint[]; manageNoExecute: boolean } {
  const wanted: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = noScheduleByCondition[c.type]?.[c.status];
    if (key) wanted.push({ key, effect: TaintEffect.NoSchedule });
  }
  if (node.spec?.unschedulable) wanted.push({ key: TaintKey.Unschedulable, effect: TaintEffect.NoSchedule });
  const ready = nodeCondition(node, "Ready");
  if (ready?.status === "False") wanted.push({ key: TaintKey.NotReady, effect: TaintEffect.NoExecute });
  if (ready?.status === "Unknown") wanted.push({ key: TaintKey.Unreachable, effect: TaintEffect.NoExecute });
  // Without a Ready condition there is nothing to judge NoExecute by: leave those taints as they are.
  return { wanted, manageNoExecute: ready !== undefined };
}

/**
 * The node's taint list with the managed taints reconciled (other taints kept in place, kept managed taints keep
 * their timeAdded, new NoExecute taints get timeAdded `nowIso`), or undefined when nothing changes.
 * Managed: not-ready / unreachable / memory-pressure / disk-pressure / pid-pressure / network-unavailable /
 * unschedulable with NoSchedule, and not-ready / unreachable with NoExecute.
 */
export function reconcileTaints(node: Node, nowIso: string): Taint[] | undefined {
  const current = node.spec?.taints ?? [];
  const { wanted, manageNoExecute } = wantedTaints(node);
  const wantedIds = new Set(wanted.map(id));
  const isManaged = (t: Taint): boolean =>
    (t.effect === TaintEffect.NoSchedule && managedNoSchedule.has(t.key)) || (manageNoExecute && t.effect === TaintEffect.NoExecute && managedNoExecute.has(t.key));
  const kept = current.filter((t) => !isManaged(t) || wantedIds.has(id(t)));
  const have = new Set(kept.map(id));
  const added = wanted.filter((t) => !have.has(id(t))).map((t) => (t.effect === TaintEffect.NoExecute ? { ...t, timeAdded: nowIso } : t));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}
