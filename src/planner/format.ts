/** The human-readable form of a plan: a short summary for the terminal. */
import { pausedAnnotation } from "../api/rollout-controls.js";
import type { DaemonSetPlan, PlanResult } from "./plan.js";

/** Names listed in full up to this many; longer lists end in "… and N more". */
const maxNames = 8;

function names(list: readonly string[]): string {
  if (list.length <= maxNames) return list.join(", ");
  return `${list.slice(0, maxNames).join(", ")} … and ${list.length - maxNames} more`;
}

type PlanPacing = PlanResult["pacing"];

/** The summary lines of a plan (no trailing newline). */
export function formatPlan(result: PlanResult): string {
  const { plan, timing, pacing } = result;
  const n = plan.nodes;
  const lines: string[] = [];
  const rev = plan.revision;
  const revision = rev.current === null ? `new DaemonSet, revision ${rev.new}` : rev.changed ? `revision ${rev.current} -> ${rev.new}` : `revision ${rev.new} (template unchanged)`;
  lines.push(`daemonset ${plan.daemonSet}: ${revision}`);
  lines.push(`nodes: ${n.create.length} create, ${n.delete.length} delete, ${n.replace.length} replace, ${n.unchanged.length} unchanged, ${n.blocked.length} blocked`);
  const list = (label: string, items: readonly string[]): void => { if (items.length > 0) lines.push(`  ${label}: ${names(items)}`); };
  if (result.controls.paused && pacing.strategy === "RollingUpdate") {
    lines.push(`rollout paused (${pausedAnnotation} "true"): no pod is replaced until it is resumed; nodes without a pod still get one`);
  }
  list("create", n.create);
  list("delete", n.delete);
  list("replace", n.replace);
  list("unchanged", n.unchanged);
  for (const [reason, held] of byReason(n.heldBack)) lines.push(`  held back: ${names(held)}: ${reason}`);
  for (const b of n.blocked.slice(0, maxNames)) lines.push(`  blocked: ${b.node}: ${b.reason}`);
  if (n.blocked.length > maxNames) lines.push(`  blocked: … and ${n.blocked.length - maxNames} more`);
  lines.push(wavesLine(plan, pacing));
  plan.waves.slice(0, maxNames).forEach((w, i) => lines.push(`  ${i + 1}: ${names(w)}`));
  if (plan.waves.length > maxNames) lines.push(`  … and ${plan.waves.length - maxNames} more waves`);
  if (plan.waves.length > 0) {
    const basis = timing.observedPods > 0
      ? `median ${timing.medianReadySeconds ?? 0}s from creation to Ready over ${timing.observedPods} pod(s)`
      : "no Ready pod observed: assumed";
    lines.push(`estimated duration: ~${plan.estimatedSeconds}s (${plan.waves.length} wave(s) × ${timing.waveSeconds}s; ${basis})`);
  } else {
    lines.push("nothing to roll out");
  }
  return lines.join("\n");
}

/** Held-back nodes grouped by reason, in the order the reasons first appear. */
function byReason(held: DaemonSetPlan["nodes"]["heldBack"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of held) out.set(h.reason, [...(out.get(h.reason) ?? []), h.node]);
  return out;
}

function wavesLine(plan: DaemonSetPlan, pacing: PlanPacing): string {
  if (pacing.strategy !== "RollingUpdate") return `waves (${pacing.strategy}): ${plan.waves.length}`;
  const by = pacing.maxSurge > 0 ? `maxSurge ${pacing.maxSurge}` : `maxUnavailable ${pacing.maxUnavailable}`;
  return `waves (${by}): ${plan.waves.length}`;
}
