/**
 * The rollout controls in a sync: which nodes the rolling update may touch, the Progressing condition, marking
 * revisions that completed, and the automatic revert to the last completed revision when the deadline passes.
 */
import {
  partitionAnnotation, pausedAnnotation, selectorAnnotation, type RolloutControls,
} from "../../api/rollout-controls.js";
import type { ControllerRevision, DaemonSet, DaemonSetStatus, Node, ObjectReference, PodTemplateSpec } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { ResourceInfo } from "../../api/resources.js";
import { deepCopy } from "../../util/json.js";
import { isStatus } from "../../api/status-error.js";
import { revisionHash, revisionMatches } from "./history.js";
import type { NodeDecision } from "./placement.js";
import { nextProgress, progressingType, withProgressCondition, type ProgressCondition, type ProgressOutcome } from "./rollout-progress.js";
import { updatableNodes } from "./rollout-scope.js";
import type { DaemonSetCounts } from "./status.js";
import { stuckNodes, summarizeStuckNodes } from "./stuck-nodes.js";
import type { Pod } from "../../api/types.js";

/** Annotation set on a ControllerRevision once every node ran it available (what auto-revert returns to). */
export const completedRevisionAnnotation = "rollout.everynode.dev/completed";

/** What the rollout steps of one sync read. */
export interface RolloutView {
  ds: DaemonSet;
  controls: RolloutControls;
  nodes: readonly Node[];
  decide: (node: Node) => NodeDecision;
  nodeToPods: ReadonlyMap<string, readonly Pod[]>;
  hash: string;
  generation: number | undefined;
  minReadySeconds: number;
  nowMs: number;
  /** The full cached Node by name. */
  nodeOf: (name: string) => Node | undefined;
  current: ControllerRevision;
}

/** The nodes whose pods the rolling update may replace; undefined: every node (see rollout-scope.ts). */
export function updatableFor(v: RolloutView): Set<string> | undefined {
  return updatableNodes(v.nodes, v.decide, v.nodeToPods, v.controls, {
    hash: v.hash, generation: v.generation, labelsOf: (name) => v.nodeOf(name)?.metadata?.labels,
  });
}

/** The next Progressing condition and the conditions list carrying it. */
export function progressFor(v: RolloutView, counts: DaemonSetCounts): { outcome: ProgressOutcome; conditions: DaemonSetStatus["conditions"] } {
  const ds = v.ds;
  const previous = ds.status?.conditions?.find((c) => c.type === progressingType) as ProgressCondition | undefined;
  const updatable = v.controls.partition > 0 || v.controls.selector ? updatableFor(v) : undefined;
  const ctx = { hash: v.hash, generation: v.generation, minReadySeconds: v.minReadySeconds, nowMs: v.nowMs, nodeOf: v.nodeOf, updatable };
  const outcome = nextProgress({
    name: ds.metadata?.name ?? "",
    controls: v.controls,
    previous,
    previousCounts: ds.status ?? {},
    counts,
    specChanged: (ds.status?.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0),
    scopeDone: updatable !== undefined && stuckNodes(v.nodes, v.decide, v.nodeToPods, { ...ctx, includeWaiting: true }).length === 0,
    revision: v.current.revision ?? 0,
    nowMs: v.nowMs,
    stuck: () => summarizeStuckNodes(stuckNodes(v.nodes, v.decide, v.nodeToPods, ctx)),
  });
  return { outcome, conditions: withProgressCondition(ds.status?.conditions, outcome.condition) };
}

/** The handles the write steps use. */
export interface RolloutWriteDeps {
  client: Client;
  recorder: EventRecorder;
  daemonSets: ResourceInfo;
  controllerRevisions: ResourceInfo;
}

/** Marks the current revision completed when every desired node runs it available (once; a conflict is left to a later sync). */
export async function markCompleted(deps: RolloutWriteDeps, current: ControllerRevision, counts: DaemonSetCounts): Promise<void> {
  const desired = counts.desiredNumberScheduled;
  if (counts.updatedNumberScheduled < desired || counts.numberAvailable < desired) return;
  if (current.metadata?.annotations?.[completedRevisionAnnotation] === "true") return;
  const copy = deepCopy(current);
  const meta = copy.metadata ?? (copy.metadata = {});
  meta.annotations = { ...(meta.annotations ?? {}), [completedRevisionAnnotation]: "true" };
  try {
    await deps.client.update<ControllerRevision>(deps.controllerRevisions, meta.namespace, copy);
  } catch (error) {
    // A stale revision is marked by a later sync (it reads the cache again); anything else is reported.
    if (!isStatus(error, 409)) throw error;
  }
}

/** Of the old revisions, the completed one with the highest revision number. */
export function lastCompletedRevision(old: readonly ControllerRevision[], currentHash: string): ControllerRevision | undefined {
  let best: ControllerRevision | undefined;
  for (const r of old) {
    if (r.metadata?.annotations?.[completedRevisionAnnotation] !== "true" || revisionHash(r) === currentHash) continue;
    if (best === undefined || (r.revision ?? 0) > (best.revision ?? 0)) best = r;
  }
  return best;
}

function templateOf(revision: ControllerRevision): PodTemplateSpec | undefined {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const raw = data?.spec?.template;
  if (raw === undefined || raw === null || typeof raw !== "object") return undefined;
  const template = deepCopy(raw);
  delete template.$patch;
  return template as PodTemplateSpec;
}

/** Reports an exceeded deadline: a Warning event carrying the condition's message (the stuck nodes). */
export function reportDeadlineExceeded(deps: RolloutWriteDeps, ref: ObjectReference, message: string): void {
  deps.recorder.event(ref, "Warning", "ProgressDeadlineExceeded", message);
}

/**
 * With auto-revert and an exceeded deadline, writes the last completed revision's template back into the
 * DaemonSet (read fresh; retried on conflicts), with pause, partition and selector removed so every node returns
 * to it, as `kubectl rollout undo` does, and records an event saying so. Level-triggered: a sync after a failed
 * write tries again; once the template matches the target nothing is written. `firstTime` limits the event for a
 * missing target to the sync that found the deadline exceeded.
 */
export async function autoRevert(deps: RolloutWriteDeps, ref: ObjectReference, v: RolloutView, old: readonly ControllerRevision[], firstTime: boolean): Promise<void> {
  const target = lastCompletedRevision(old, v.hash);
  const template = target ? templateOf(target) : undefined;
  if (!target || !template) {
    if (firstTime) deps.recorder.event(ref, "Warning", "RolloutNotReverted", "auto-revert: no earlier revision completed; nothing to roll back to");
    return;
  }
  const ns = v.ds.metadata?.namespace;
  const name = v.ds.metadata?.name ?? "";
  for (let attempt = 0; ; attempt++) {
    const fresh = await deps.client.get<DaemonSet>(deps.daemonSets, ns, name);
    if (fresh.metadata?.uid !== v.ds.metadata?.uid || revisionMatches(fresh, target)) return;
    if (fresh.spec) fresh.spec.template = deepCopy(template);
    const annotations = fresh.metadata?.annotations;
    if (annotations) for (const key of [pausedAnnotation, partitionAnnotation, selectorAnnotation]) delete annotations[key];
    try {
      await deps.client.update<DaemonSet>(deps.daemonSets, ns, fresh);
      break;
    } catch (error) {
      if (attempt >= 2 || !isStatus(error, 409)) throw error;
    }
  }
  deps.recorder.event(ref, "Warning", "RolloutReverted",
    `Progress deadline exceeded: rolling back from revision ${v.current.revision ?? 0} to revision ${target.revision ?? 0}, the last revision that completed (pause, partition and selector removed)`);
}
