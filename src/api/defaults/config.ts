/** Defaulting of Secret (type Opaque) and PriorityClass (preemptionPolicy PreemptLowerPriority). */
import { type Obj, isAbsent } from "../validation/shape.js";

/** Secret defaults: type Opaque when unset or empty. */
export function defaultSecret(secret: Obj): void {
  if (isAbsent(secret.type) || secret.type === "") secret.type = "Opaque";
}

/** PriorityClass defaults: preemptionPolicy PreemptLowerPriority when unset. */
export function defaultPriorityClass(pc: Obj): void {
  if (isAbsent(pc.preemptionPolicy)) pc.preemptionPolicy = "PreemptLowerPriority";
}
