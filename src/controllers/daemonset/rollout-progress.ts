/**
 * The `Progressing` condition of a DaemonSet with a progress deadline, kept as a Deployment's: True
 * RevisionRollingOut while nodes make progress (lastUpdateTime = the last progress, lastTransitionTime = the last
 * status change), True RolloutComplete once every node runs the current revision available, Unknown RolloutPaused
 * while paused or held by a partition or selector, and False ProgressDeadlineExceeded when no node made progress
 * for the deadline. Pure: the caller supplies the clock reading and the stuck-node summary.
 */
import type { DaemonSetStatus } from "../../api/types.js";
import type { RolloutControls } from "../../api/rollout-controls.js";
import type { DaemonSetCounts } from "./status.js";

/** The condition type. */
export const progressingType = "Progressing";
/** Condition reasons, as Deployments name them for the same situations. */
export const progressReasons = {
  rollingOut: "RevisionRollingOut",
  complete: "RolloutComplete",
  deadlineExceeded: "ProgressDeadlineExceeded",
  paused: "RolloutPaused",
} as const;

/** One condition of DaemonSet status. */
export type DaemonSetCondition = NonNullable<DaemonSetStatus["conditions"]>[number];

/** A DaemonSet condition with a Deployment condition's lastUpdateTime. */
export type ProgressCondition = DaemonSetCondition & { lastUpdateTime?: string };

/** Everything the condition is computed from. */
export interface ProgressInput {
  /** The DaemonSet's name, for messages. */
  name: string;
  controls: RolloutControls;
  /** The current Progressing condition, if any. */
  previous: ProgressCondition | undefined;
  /** The counters of the status being replaced. */
  previousCounts: Partial<DaemonSetCounts>;
  counts: DaemonSetCounts;
  /** The spec changed since the status was last written (observedGeneration behind generation). */
  specChanged: boolean;
  /** Every node the controls let the rollout update runs the current revision available (only meaningful when held back). */
  scopeDone: boolean;
  /** The current revision number. */
  revision: number;
  /** Wall-clock epoch ms. */
  nowMs: number;
  /** The stuck-node summary for a deadline message; called only when the deadline is exceeded. */
  stuck: () => string;
}

/** What to do with the condition. */
export interface ProgressOutcome {
  /** The condition to store; undefined: remove it (no deadline set). */
  condition: ProgressCondition | undefined;
  /** True only on the sync the deadline is found exceeded (emit the event, maybe revert). */
  deadlineExceeded: boolean;
  /** Sync again after this many ms to check the deadline. */
  requeueAfterMs?: number;
}

/** RFC 3339 with seconds, as metav1.Time serializes. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function made(prev: ProgressCondition | undefined, status: string, reason: string, message: string, nowMs: number, progressed: boolean): ProgressCondition {
  const now = rfc3339(nowMs);
  const same = prev !== undefined && prev.status === status;
  return {
    type: progressingType, status,
    lastUpdateTime: progressed || !same || prev.reason !== reason ? now : prev.lastUpdateTime ?? now,
    lastTransitionTime: same ? prev.lastTransitionTime ?? now : now,
    reason, message,
  };
}

function hasProgressed(before: Partial<DaemonSetCounts>, after: DaemonSetCounts): boolean {
  const oldPods = (c: Partial<DaemonSetCounts>): number => (c.currentNumberScheduled ?? 0) - (c.updatedNumberScheduled ?? 0);
  return after.updatedNumberScheduled > (before.updatedNumberScheduled ?? 0)
    || after.numberReady > (before.numberReady ?? 0)
    || after.numberAvailable > (before.numberAvailable ?? 0)
    || oldPods(after) < oldPods(before);
}

function heldMessage(name: string, controls: RolloutControls, counts: DaemonSetCounts): string {
  const by: string[] = [];
  if (controls.partition > 0) by.push(`partition ${controls.partition}`);
  if (controls.selector) by.push(`selector ${controls.selector.toString()}`);
  return `DaemonSet "${name}" rollout is held by ${by.join(" and ")}: ${counts.updatedNumberScheduled} of ${counts.desiredNumberScheduled} nodes updated`;
}

/** Computes the next Progressing condition (see the module comment for the rules). */
export function nextProgress(input: ProgressInput): ProgressOutcome {
  const { name, controls, previous, counts, nowMs, revision } = input;
  const deadline = controls.progressDeadlineSeconds;
  if (deadline === undefined) return { condition: undefined, deadlineExceeded: false };
  const desired = counts.desiredNumberScheduled;
  if (controls.paused) {
    return { condition: made(previous, "Unknown", progressReasons.paused, `DaemonSet "${name}" is paused`, nowMs, false), deadlineExceeded: false };
  }
  if (counts.updatedNumberScheduled >= desired && counts.numberAvailable >= desired) {
    const message = `DaemonSet "${name}" has successfully progressed: revision ${revision} is available on ${desired} of ${desired} nodes`;
    return { condition: made(previous, "True", progressReasons.complete, message, nowMs, false), deadlineExceeded: false };
  }
  if (input.scopeDone) {
    return { condition: made(previous, "Unknown", progressReasons.paused, heldMessage(name, controls, counts), nowMs, false), deadlineExceeded: false };
  }
  const rolling = `DaemonSet "${name}" is rolling out revision ${revision}: ${counts.updatedNumberScheduled} of ${desired} nodes updated, ${counts.numberAvailable} available`;
  const restart = previous === undefined || previous.reason === progressReasons.paused || previous.reason === progressReasons.complete || input.specChanged;
  if (restart || hasProgressed(input.previousCounts, counts)) {
    return { condition: made(previous, "True", progressReasons.rollingOut, rolling, nowMs, true), deadlineExceeded: false, requeueAfterMs: deadline * 1000 + 1000 };
  }
  if (previous.status === "False") return { condition: previous, deadlineExceeded: false };
  const since = Date.parse(previous.lastUpdateTime ?? previous.lastTransitionTime ?? "");
  const due = (Number.isFinite(since) ? since : nowMs) + deadline * 1000;
  if (nowMs >= due) {
    const stuck = input.stuck();
    const message = `DaemonSet "${name}" has timed out progressing: revision ${revision} made no progress for ${deadline}s`
      + `${stuck ? `; ${stuck}` : ""}`;
    return { condition: made(previous, "False", progressReasons.deadlineExceeded, message, nowMs, false), deadlineExceeded: true };
  }
  return { condition: { ...previous, message: rolling }, deadlineExceeded: false, requeueAfterMs: due - nowMs + 1000 };
}

/** `conditions` with the Progressing condition replaced by `condition` (or removed when undefined); order kept. */
export function withProgressCondition(conditions: readonly DaemonSetCondition[] | undefined, condition: ProgressCondition | undefined): DaemonSetCondition[] | undefined {
  const rest = (conditions ?? []).filter((c) => c.type !== progressingType);
  const index = (conditions ?? []).findIndex((c) => c.type === progressingType);
  if (condition === undefined) return rest.length > 0 ? rest : undefined;
  if (index < 0) return [...rest, condition];
  rest.splice(index, 0, condition);
  return rest;
}
