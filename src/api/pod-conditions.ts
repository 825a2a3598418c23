/** Pod condition lists as controllers write them. */
import type { PodCondition } from "./types.js";

/** `conditions` (not mutated) with the one of the same type replaced (lastTransitionTime kept if the status is unchanged) or appended. */
export function withPodCondition(conditions: readonly PodCondition[] | undefined, condition: PodCondition): PodCondition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((c) => c.type === condition.type);
  if (i < 0) return [...out, condition];
  const old = out[i] as PodCondition;
  out[i] = old.status === condition.status ? { ...condition, lastTransitionTime: old.lastTransitionTime ?? condition.lastTransitionTime } : condition;
  return out;
}
