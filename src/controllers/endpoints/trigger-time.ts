/** The `endpoints.kubernetes.io/last-change-trigger-time` of a Service's endpoints, as upstream's TriggerTimeTracker. */
import type { Pod, Service } from "../../api/types.js";
import { podTriggerTime } from "./pod-endpoints.js";

/** Annotation naming the time of the earliest change the endpoints reflect. */
export const lastChangeTriggerTimeAnnotation = "endpoints.kubernetes.io/last-change-trigger-time";

/**
 * Remembers, per Service, the trigger times (pods' Ready transitions, the Service's creation) already reflected,
 * and answers the earliest one that changed since the previous sync. Cost: the pods of the Service.
 */
export class TriggerTimeTracker {
  private readonly state = new Map<string, { service: string; pods: Map<string, string> }>();

  /** The earliest new trigger time among the Service and `pods` since the last call for `key`; undefined if none. */
  compute(key: string, service: Service, pods: readonly Pod[]): string | undefined {
    const previous = this.state.get(key);
    const created = service.metadata?.creationTimestamp ?? "";
    const next = { service: created, pods: new Map<string, string>() };
    let earliest: string | undefined;
    const consider = (t: string): void => {
      if (t && (earliest === undefined || Date.parse(t) < Date.parse(earliest))) earliest = t;
    };
    if (previous?.service !== created) consider(created);
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      const name = pod.metadata?.name ?? "";
      next.pods.set(name, t);
      if (previous?.pods.get(name) !== t) consider(t);
    }
    this.state.set(key, next);
    return earliest;
  }

  /** Forgets a Service that went away. */
  delete(key: string): void {
    this.state.delete(key);
  }
}

/** RFC 3339 with nanoseconds as upstream formats the annotation (`2024-05-01T10:00:00Z`); `t` is RFC 3339. */
export function formatTriggerTime(t: string): string {
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace(".000Z", "Z") : t;
}
