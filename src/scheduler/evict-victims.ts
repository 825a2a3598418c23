/**
 * Carrying out a preemption as kube-scheduler's DefaultPreemption does: each victim gets the condition
 * `DisruptionTarget=True` (reason PreemptionByScheduler), is deleted gracefully, and gets a Normal `Preempted`
 * event (action `Preempting`, related to the preemptor) reading `Preempted by pod <uid> on node <node>`.
 */
import { mustFindResource } from "../api/resources.js";
import { isStatus } from "../api/status-error.js";
import type { Pod, PodCondition } from "../api/types.js";
import type { Client } from "../client/client.js";
import { objectReference, rfc3339, type EventRecorder } from "../client/event-recorder.js";
import { preemptionByScheduler, type PodOnNode } from "./preemption.js";

const podsResource = mustFindResource("", "pods");

/** What evicting victims needs. */
export interface EvictionContext {
  client: Client;
  recorder: EventRecorder;
  /** The scheduler's name, in the condition's message. */
  schedulerName: string;
  /** Wall-clock time in epoch ms. */
  now: () => number;
}

/** The condition a victim gets before it is deleted. */
export function disruptionTarget(schedulerName: string, at: number): PodCondition {
  return {
    type: "DisruptionTarget", status: "True", reason: preemptionByScheduler,
    message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: rfc3339(at),
  };
}

async function evict(ctx: EvictionContext, preemptor: Pod, node: string, victim: Pod): Promise<void> {
  const { namespace = "", name = "", uid } = victim.metadata ?? {};
  try {
    if (!(victim.status?.conditions ?? []).some((c) => c.type === "DisruptionTarget" && c.status === "True")) {
      const condition = { ...disruptionTarget(ctx.schedulerName, ctx.now()), lastProbeTime: null };
      await ctx.client.patch(podsResource, namespace, name, "strategic", { status: { conditions: [condition] } }, { subresource: "status" });
    }
    await ctx.client.delete(podsResource, namespace, name, uid ? { preconditions: { uid } } : undefined);
  } catch (error) {
    // Already gone (or replaced by a pod of the same name): nothing left to preempt.
    if (isStatus(error, 404) || isStatus(error, 409)) return;
    throw error;
  }
  ctx.recorder.event(objectReference(victim, "v1", "Pod"), "Normal", "Preempted", `Preempted by pod ${preemptor.metadata?.uid ?? ""} on node ${node}`, {
    action: "Preempting", related: objectReference(preemptor, "v1", "Pod"),
  });
}

/** Evicts every victim (in parallel); rejects with the first failure other than the victim being gone. */
export async function evictVictims(ctx: EvictionContext, preemptor: Pod, node: string, victims: readonly PodOnNode[]): Promise<void> {
  const results = await Promise.allSettled(victims.map((v) => evict(ctx, preemptor, node, v.pod)));
  for (const r of results) if (r.status === "rejected") throw r.reason;
}
