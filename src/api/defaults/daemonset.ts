/**
 * apps/v1 DaemonSet defaulting: RollingUpdate strategy with maxUnavailable 1 and maxSurge 0,
 * revisionHistoryLimit 10, pod template defaults, and the status counts that are always present.
 */
import { type Obj, isAbsent, isObj } from "../validation/shape.js";
import { defaultPodTemplate } from "./pod.js";

const alwaysPresentCounts = ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"];

/** Applies DaemonSet defaults in place. */
export function defaultDaemonSet(ds: Obj): void {
  if (isAbsent(ds.spec)) ds.spec = {};
  const spec = ds.spec;
  if (isObj(spec)) {
    if (isAbsent(spec.updateStrategy)) spec.updateStrategy = {};
    const strategy = spec.updateStrategy;
    if (isObj(strategy)) {
      if (isAbsent(strategy.type) || strategy.type === "") strategy.type = "RollingUpdate";
      if (strategy.type === "RollingUpdate") {
        if (isAbsent(strategy.rollingUpdate)) strategy.rollingUpdate = {};
        const ru = strategy.rollingUpdate;
        if (isObj(ru)) {
          if (isAbsent(ru.maxUnavailable)) ru.maxUnavailable = 1;
          if (isAbsent(ru.maxSurge)) ru.maxSurge = 0;
        }
      }
    }
    if (isAbsent(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
    defaultPodTemplate(spec);
  }
  if (isAbsent(ds.status)) ds.status = {};
  const status = ds.status;
  if (isObj(status)) for (const field of alwaysPresentCounts) if (isAbsent(status[field])) status[field] = 0;
}
