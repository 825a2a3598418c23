/**
 * Fields everynode serves beyond the upstream types, merged into the generated definitions by the catalog:
 * `DaemonSetCondition.lastUpdateTime`, kept by the rollout progress deadline as `DeploymentCondition.lastUpdateTime` is.
 */
import type { RawProperty } from "./types.js";

/** Extra properties per definition name. */
export const extensionProperties: Readonly<Record<string, Readonly<Record<string, RawProperty>>>> = {
  "io.k8s.api.apps.v1.DaemonSetCondition": {
    lastUpdateTime: { type: "Time", description: "The last time this condition was updated (everynode: kept with a rollout progress deadline, as in DeploymentCondition)." },
  },
};
