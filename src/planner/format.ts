/** The human-readable form of a plan: a short summary for the terminal. */
import { pausedAnnotation } from "../api/rollout-controls.js";
import { defaultReadySeconds } from "./timing.js";
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
  const { plan, pacing } = result;
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
  if (plan.waves.length > 0) lines.push(...estimateLines(result));
  else lines.push("nothing to roll out");
  return lines.join("\n");
}

/** Held-back nodes grouped by reason, in the order the reasons first appear. */
function byReason(held: DaemonSetPlan["nodes"]["heldBack"]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const h of held) out.set(h.reason, [...(out.get(h.reason) ?? []), h.node]);
  return out;
}

/** The estimate and what it rests on. */
function estimateLines({ plan, timing: t }: PlanResult): string[] {
  const basis = t.observedPods > 0
    ? `creation to Ready observed over ${t.observedPods} pod(s), median ${t.medianReadySeconds ?? 0}s; a wave waits for its slowest pod`
    : `no Ready pod observed: ${defaultReadySeconds}s from creation to Ready assumed`;
  const parts = [basis];
  if (t.minReadySeconds > 0) parts.push(`+ minReadySeconds ${t.minReadySeconds}s per wave`);
  const lines = [`estimated duration: ~${plan.estimatedSeconds}s over ${plan.waves.length} wave(s) (${parts.join(" ")})`];
  if (t.worstCaseSeconds > plan.estimatedSeconds) {
    lines.push(`  old pods are assumed to stop within ${t.stopSeconds}s; up to ~${t.worstCaseSeconds}s if they take their whole ${t.gracePeriodSeconds}s grace period`);
  }
  return lines;
}

function wavesLine(plan: DaemonSetPlan, pacing: PlanPacing): string {
  if (pacing.strategy !== "RollingUpdate") return `waves (${pacing.strategy}): ${plan.waves.length}`;
  const by = pacing.maxSurge > 0 ? `maxSurge ${pacing.maxSurge}` : `maxUnavailable ${pacing.maxUnavailable}`;
  return `waves (${by}): ${plan.waves.length}`;
}
