/** Node conditions as the node lifecycle controller reads and writes them. */
import type { Node, NodeCondition } from "../../api/types.js";

/** Reason set on conditions of a node whose kubelet stopped reporting. */
export const nodeStatusUnknownReason = "NodeStatusUnknown";
/** Message set on conditions of a node whose kubelet stopped reporting. */
export const nodeStatusUnknownMessage = "Kubelet stopped posting node status.";
/** Reason of conditions added to a node that never reported them. */
export const nodeStatusNeverUpdatedReason = "NodeStatusNeverUpdated";
/** Message of conditions added to a node that never reported them. */
export const nodeStatusNeverUpdatedMessage = "Kubelet never posted node status.";

/** Conditions turned Unknown when a node stops reporting (NetworkUnavailable is left alone, as upstream does). */
const unknownWhenUnreachable = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"] as const;

/** The node's condition of `type`. */
export function nodeCondition(node: Node, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

/** True when `condition` is one this controller wrote for an unreachable node (not a sign of life). */
export function isControllerWrittenUnknown(condition: NodeCondition | undefined): boolean {
  return condition?.status === "Unknown" && (condition.reason === nodeStatusUnknownReason || condition.reason === nodeStatusNeverUpdatedReason);
}

/**
 * The conditions of an unreachable node: Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown
 * (transition time `nowIso`, heartbeat kept) or added as never updated. Undefined when the Ready condition
 * would not change (nothing to write).
 */
export function unreachableConditions(node: Node, nowIso: string): NodeCondition[] | undefined {
  const conditions = (node.status?.conditions ?? []).map((c) => ({ ...c }));
  for (const type of unknownWhenUnreachable) {
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      conditions.push({
        type, status: "Unknown", reason: nodeStatusNeverUpdatedReason, message: nodeStatusNeverUpdatedMessage,
        lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: nowIso,
      });
    } else if (current.status !== "Unknown") {
      Object.assign(current, { status: "Unknown", reason: nodeStatusUnknownReason, message: nodeStatusUnknownMessage, lastTransitionTime: nowIso });
    }
  }
  const before = nodeCondition(node, "Ready");
  const after = conditions.find((c) => c.type === "Ready");
  return JSON.stringify(before) === JSON.stringify(after) ? undefined : conditions;
}
