/** Defensive accessors for decoded API objects: printing never throws on odd shapes. */
import { isPlainObject } from "../../util/json.js";

/** The value as a plain object, or an empty one. */
export function obj(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** The value as an array of plain objects (non-objects become empty objects), or an empty array. */
export function objs(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.map(obj) : [];
}

/** The value if it is a string, else "". */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The value if it is a finite number, else 0. */
export function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** A string map (labels, nodeSelector) with non-string values dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v))) if (typeof val === "string") out[k] = val;
  return out;
}
