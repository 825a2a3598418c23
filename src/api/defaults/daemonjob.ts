/** everynode.dev/v1alpha1 DaemonJob defaulting: backoffLimitPerNode 6, runOnNewNodes false, pod template defaults. */
import { defaultBackoffLimitPerNode } from "../daemonjob-types.js";
import { type Obj, isAbsent, isObj } from "../validation/shape.js";
import { defaultPodTemplate } from "./pod.js";

/** Applies DaemonJob defaults in place (parallelism stays unset: every covered node at once). */
export function defaultDaemonJob(dj: Obj): void {
  if (isAbsent(dj.spec)) dj.spec = {};
  const spec = dj.spec;
  if (!isObj(spec)) return;
  if (isAbsent(spec.backoffLimitPerNode)) spec.backoffLimitPerNode = defaultBackoffLimitPerNode;
  if (isAbsent(spec.runOnNewNodes)) spec.runOnNewNodes = false;
  defaultPodTemplate(spec);
}
