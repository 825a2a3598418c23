/** Row cells for ConfigMap, Secret, ServiceAccount and PriorityClass, as upstream prints them. */
import { num, obj, str } from "./fields.js";
import { translateTimestampSince } from "./duration.js";

function count(v: unknown): number {
  return Object.keys(obj(v)).length;
}

function age(o: Record<string, unknown>, now: Date): string {
  return translateTimestampSince(obj(o.metadata).creationTimestamp, now);
}

/** NAME DATA AGE (DATA counts data and binaryData keys). */
export function configMapCells(cm: Record<string, unknown>, now: Date): unknown[] {
  return [str(obj(cm.metadata).name), count(cm.data) + count(cm.binaryData), age(cm, now)];
}

/** NAME TYPE DATA AGE. */
export function secretCells(secret: Record<string, unknown>, now: Date): unknown[] {
  return [str(obj(secret.metadata).name), str(secret.type), count(secret.data), age(secret, now)];
}

/** NAME SECRETS AGE. */
export function serviceAccountCells(sa: Record<string, unknown>, now: Date): unknown[] {
  return [str(obj(sa.metadata).name), Array.isArray(sa.secrets) ? sa.secrets.length : 0, age(sa, now)];
}

/** NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY. */
export function priorityClassCells(pc: Record<string, unknown>, now: Date): unknown[] {
  return [str(obj(pc.metadata).name), num(pc.value), pc.globalDefault === true, age(pc, now), str(pc.preemptionPolicy)];
}
