/** The priority a DaemonSet is synced with: its pods' priority, as the Priority admission plugin would resolve it. */
import type { DaemonSet, KubeObject } from "../../api/types.js";

/** A PriorityClass as the controller reads it. */
export interface PriorityClassView extends KubeObject {
  value?: number;
  globalDefault?: boolean;
}

/** Looks PriorityClasses up (an informer's store). */
export interface PriorityClassLookup {
  get(name: string): PriorityClassView | undefined;
  list(): PriorityClassView[];
}

/**
 * The priority of `ds`'s pods: the value of the template's priorityClassName (0 when that class does not exist),
 * else the template's own spec.priority, else the value of the global default class, else 0.
 */
export function daemonSetPriority(ds: DaemonSet | undefined, classes: PriorityClassLookup): number {
  const spec = ds?.spec?.template?.spec;
  if (!spec) return 0;
  const name = spec.priorityClassName;
  if (name) return classes.get(name)?.value ?? 0;
  if (typeof spec.priority === "number") return spec.priority;
  return classes.list().find((pc) => pc.globalDefault === true)?.value ?? 0;
}
