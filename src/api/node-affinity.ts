/**
 * Required node affinity and nodeSelector matching, as the scheduler and the DaemonSet controller
 * decide whether a pod may land on a node.
 */
import { newRequirement, requirementMatches, type LabelOperator, type Requirement } from "./label-selector.js";
import type { Node, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from "./types.js";

/** The only field node selector terms may match on. */
export const nodeNameField = "metadata.name";

const labelOperators: Record<string, LabelOperator> = {
  In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!", Gt: "gt", Lt: "lt",
};

/** A label requirement for a matchExpressions entry, or undefined when the entry is invalid. */
function labelRequirement(req: NodeSelectorRequirement): Requirement | undefined {
  const op = Object.hasOwn(labelOperators, req.operator) ? labelOperators[req.operator] : undefined;
  if (op === undefined) return undefined;
  try {
    return newRequirement(req.key, op, req.values ?? []);
  } catch {
    return undefined;
  }
}

/** Whether a matchFields entry is well-formed: key metadata.name, In/NotIn, exactly one value. */
function validFieldRequirement(req: NodeSelectorRequirement): boolean {
  return req.key === nodeNameField && (req.operator === "In" || req.operator === "NotIn") && req.values?.length === 1;
}

function fieldRequirementMatches(req: NodeSelectorRequirement, nodeName: string): boolean {
  return (req.values?.[0] === nodeName) === (req.operator === "In");
}

/**
 * Whether one matchExpressions requirement holds for the node labels (In, NotIn, Exists, DoesNotExist,
 * Gt, Lt with integer values). An invalid requirement (unknown operator, bad key/values) matches nothing.
 */
export function nodeSelectorRequirementMatches(req: NodeSelectorRequirement, labels: Record<string, string> | undefined): boolean {
  const r = labelRequirement(req);
  return r !== undefined && requirementMatches(r, labels);
}

/**
 * Whether a node selector term matches: its matchExpressions (on labels) and matchFields (on
 * metadata.name) are ANDed; an empty term, or one with any invalid requirement, matches nothing.
 */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) return false;
  const requirements = expressions.map(labelRequirement);
  if (requirements.some((r) => r === undefined) || !fields.every(validFieldRequirement)) return false;
  const labels = node.metadata?.labels;
  const name = node.metadata?.name ?? "";
  return requirements.every((r) => r !== undefined && requirementMatches(r, labels))
    && fields.every((f) => fieldRequirementMatches(f, name));
}

/** Whether a NodeSelector matches: its terms are ORed (no terms matches nothing). */
export function nodeSelectorMatches(selector: NodeSelector, node: Node): boolean {
  return (selector.nodeSelectorTerms ?? []).some((t) => nodeSelectorTermMatches(t, node));
}

/**
 * Whether the pod may run on the node by spec.nodeSelector (every label equal) and
 * affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution (when set).
 * Preferred affinity, taints and spec.nodeName are not considered.
 */
export function podMatchesNodeSelectorAndAffinity(podSpec: PodSpec, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [key, value] of Object.entries(podSpec.nodeSelector ?? {})) {
    if (!Object.hasOwn(labels, key) || labels[key] !== value) return false;
  }
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required ? nodeSelectorMatches(required, node) : true;
}

/**
 * The node a pod is bound or pinned to: spec.nodeName, else the value of the first required-affinity
 * matchFields `metadata.name In [x]` (undefined when that entry has more than one value); else undefined.
 */
export function podTargetNodeName(podSpec: PodSpec): string | undefined {
  if (podSpec.nodeName) return podSpec.nodeName;
  const terms = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const req of term.matchFields ?? []) {
      if (req.key === nodeNameField && req.operator === "In") {
        return req.values?.length === 1 ? req.values[0] : undefined;
      }
    }
  }
  return undefined;
}
