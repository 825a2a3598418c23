/** The shared pod index by node name, and small pod helpers of the node controllers. */
import type { Pod, PodCondition } from "../../api/types.js";
import { byNodeName } from "../../client/cache.js";
import type { Informer } from "../../client/informer.js";

/** Pod index shared by controllers: `spec.nodeName` (the byNodeName index function). */
export const nodeNameIndex = "spec.nodeName";

/** Adds the `spec.nodeName` index to a pod informer unless it is there already (informers are shared). */
export function ensureNodeNameIndex(informer: Informer<Pod>): void {
  try {
    informer.addIndexers({ [nodeNameIndex]: byNodeName });
  } catch (error) {
    if (!(error instanceof Error && error.message.includes("already exists"))) throw error;
  }
}

/** `conditions` with the one of the same type replaced (lastTransitionTime kept if the status is unchanged) or appended. */
export function withPodCondition(conditions: readonly PodCondition[] | undefined, condition: PodCondition): PodCondition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((c) => c.type === condition.type);
  if (i < 0) return [...out, condition];
  const old = out[i] as PodCondition;
  out[i] = old.status === condition.status ? { ...condition, lastTransitionTime: old.lastTransitionTime ?? condition.lastTransitionTime } : condition;
  return out;
}
