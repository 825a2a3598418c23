/**
 * What one sync of a DaemonJob does, decided without a cluster: the nodes that get a pod now (parallelism,
 * retry back-off), the pods to stop (node failed, deadline passed), the new status with Job-like conditions,
 * whether the DaemonJob is to be deleted (ttlSecondsAfterFinished) and when to look again.
 */
import { scaledValueFromIntOrPercent } from "../../api/intstr.js";
import type { DaemonJob, DaemonJobCondition, DaemonJobStatus, Pod } from "../../api/types.js";
import type { NodeState } from "./node-states.js";

/** Reason of the Failed condition when the deadline passed. */
export const deadlineExceededReason = "DeadlineExceeded";
/** Reason of the Failed condition when nodes failed. */
export const failedNodesReason = "FailedNodes";
/** Reason of the Complete condition. */
export const completionsReachedReason = "CompletionsReached";
/** Reason of a Complete or Failed condition turned False because nodes that joined later are being run. */
export const newNodesReason = "NewNodes";

/** Node names listed in a message at most; the rest are counted. */
const namedNodes = 5;

/** The decisions of one sync. */
export interface DaemonJobPlan {
  /** Nodes to create a pod on now, in order. */
  create: string[];
  /** Pods to delete now. */
  delete: Pod[];
  /** The status to write (unchanged fields included). */
  status: DaemonJobStatus;
  /** The DaemonJob finished more than ttlSecondsAfterFinished ago. */
  expired: boolean;
  /** Sync again after this long (back-off, deadline or TTL), if at all. */
  requeueAfterMs?: number;
  /** Conditions that turned True in this sync (for events). */
  transitions: DaemonJobCondition[];
}

/** Epoch ms of an RFC 3339 time; undefined when absent or unparsable. */
export function timeMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** metav1.Time of epoch ms (seconds precision). */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The True condition of `type`, if any. */
export function trueCondition(status: DaemonJobStatus | undefined, type: string): DaemonJobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type && c.status === "True");
}

/** Whether the deadline passed (or had passed: the Failed condition says DeadlineExceeded). */
export function deadlinePassed(dj: DaemonJob, nowMs: number): boolean {
  if (trueCondition(dj.status, "Failed")?.reason === deadlineExceededReason) return true;
  const deadline = dj.spec?.activeDeadlineSeconds;
  const start = timeMs(dj.status?.startTime);
  return deadline !== undefined && start !== undefined && nowMs >= start + deadline * 1000;
}

function listNodes(names: readonly string[]): string {
  const shown = names.slice(0, namedNodes).join(", ");
  return names.length > namedNodes ? `${shown} and ${names.length - namedNodes} more` : shown;
}

/** Sets a condition to `status`: a True one is added when missing; a False one only updates an existing condition. */
function setCondition(conditions: DaemonJobCondition[], want: DaemonJobCondition, now: string, transitions: DaemonJobCondition[]): void {
  const i = conditions.findIndex((c) => c.type === want.type);
  const old = conditions[i];
  if (!old) {
    if (want.status !== "True") return;
    const added = { ...want, lastProbeTime: now, lastTransitionTime: now };
    conditions.push(added);
    transitions.push(added);
    return;
  }
  if (old.status === want.status && old.reason === want.reason && old.message === want.message) return;
  const changed = { ...want, lastProbeTime: now, lastTransitionTime: old.status === want.status ? old.lastTransitionTime ?? now : now };
  conditions[i] = changed;
  if (want.status === "True" && old.status !== "True") transitions.push(changed);
}

function conditionsFor(dj: DaemonJob, states: readonly NodeState[], expiredDeadline: boolean, now: string, transitions: DaemonJobCondition[]): DaemonJobCondition[] {
  const conditions = (dj.status?.conditions ?? []).map((c) => ({ ...c }));
  const reopened = { status: "False", reason: newNodesReason, message: "Running on nodes that joined later" };
  if (expiredDeadline) {
    setCondition(conditions, { type: "Failed", status: "True", reason: deadlineExceededReason, message: "DaemonJob was active longer than specified deadline" }, now, transitions);
    return conditions;
  }
  const finished = states.every((s) => s.phase === "succeeded" || s.phase === "failed");
  const failed = states.filter((s) => s.phase === "failed").map((s) => s.node);
  if (!finished) {
    for (const type of ["Complete", "Failed"]) setCondition(conditions, { type, ...reopened }, now, transitions);
  } else if (failed.length > 0) {
    setCondition(conditions, { type: "Complete", ...reopened, reason: failedNodesReason, message: "Not every node succeeded" }, now, transitions);
    setCondition(conditions, { type: "Failed", status: "True", reason: failedNodesReason, message: `DaemonJob failed on ${failed.length} of ${states.length} nodes: ${listNodes(failed)}` }, now, transitions);
  } else {
    setCondition(conditions, { type: "Failed", ...reopened }, now, transitions);
    setCondition(conditions, { type: "Complete", status: "True", reason: completionsReachedReason, message: `Succeeded on all ${states.length} nodes` }, now, transitions);
  }
  return conditions;
}

/** How many nodes may run at once out of `desired` (parallelism as a count or a percentage rounded up; default all). */
export function parallelismLimit(dj: DaemonJob, desired: number): number {
  const p = dj.spec?.parallelism;
  if (p === undefined || p === null) return desired;
  try {
    return Math.max(0, scaledValueFromIntOrPercent(p, desired, true));
  } catch {
    return desired;
  }
}

/** Decides one sync of `dj` at `nowMs` (wall clock) from its node states; `burst` caps creations per sync. */
export function planDaemonJob(dj: DaemonJob, states: readonly NodeState[], nowMs: number, burst: number): DaemonJobPlan {
  const now = metaTime(nowMs);
  const transitions: DaemonJobCondition[] = [];
  const expiredDeadline = deadlinePassed(dj, nowMs);
  const waits: number[] = [];
  const del: Pod[] = [];
  const create: string[] = [];
  for (const s of states) if (s.phase === "failed" || expiredDeadline) del.push(...s.running.filter((p) => !p.metadata?.deletionTimestamp));
  if (!expiredDeadline) {
    const active = states.filter((s) => s.phase === "active").length;
    let room = Math.min(burst, parallelismLimit(dj, states.length) - active);
    for (const s of states) {
      if (room <= 0 || s.phase !== "pending") continue;
      if (s.retryAtMs !== undefined && s.retryAtMs > nowMs) {
        waits.push(s.retryAtMs - nowMs);
        continue;
      }
      create.push(s.node);
      room--;
    }
  }
  const count = (phase: NodeState["phase"]): number => states.filter((s) => s.phase === phase).length;
  const succeeded = count("succeeded");
  const status: DaemonJobStatus = {
    ...dj.status,
    desired: states.length,
    active: expiredDeadline ? 0 : count("active") + create.length,
    succeeded,
    failed: expiredDeadline ? states.length - succeeded : count("failed"),
    observedGeneration: dj.metadata?.generation ?? dj.status?.observedGeneration,
    startTime: dj.status?.startTime ?? now,
    conditions: conditionsFor(dj, states, expiredDeadline, now, transitions),
  };
  if (transitions.some((c) => c.type === "Complete")) status.completionTime = now;
  if (status.conditions?.length === 0) delete status.conditions;
  const deadline = dj.spec?.activeDeadlineSeconds;
  const start = timeMs(status.startTime) ?? nowMs;
  if (!expiredDeadline && deadline !== undefined) waits.push(start + deadline * 1000 - nowMs);
  let expired = false;
  const ttl = dj.spec?.ttlSecondsAfterFinished;
  const finishedAt = timeMs((trueCondition(status, "Complete") ?? trueCondition(status, "Failed"))?.lastTransitionTime);
  if (ttl !== undefined && finishedAt !== undefined) {
    const left = finishedAt + ttl * 1000 - nowMs;
    if (left <= 0) expired = true;
    else waits.push(left);
  }
  const plan: DaemonJobPlan = { create, delete: del, status, expired, transitions };
  const soonest = Math.min(...waits.filter((w) => w > 0));
  if (Number.isFinite(soonest)) plan.requeueAfterMs = soonest;
  return plan;
}
