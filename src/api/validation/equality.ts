/**
 * Semantic equality of decoded JSON: a field set to its zero value (null, "", 0, false, [] or {}) equals an
 * absent field, as it does for the typed objects upstream compares.
 */
import { isObj } from "./shape.js";

/** Drops zero values recursively; returns undefined when the whole value is zero. */
export function withoutZeroValues(v: unknown): unknown {
  if (v === null || v === undefined || v === "" || v === 0 || v === false) return undefined;
  if (Array.isArray(v)) {
    if (v.length === 0) return undefined;
    return v.map((item) => withoutZeroValues(item) ?? null);
  }
  if (isObj(v)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) {
      const inner = withoutZeroValues(v[key]);
      if (inner !== undefined) out[key] = inner;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return v;
}

/** True when a and b are equal once zero values are ignored. */
export function semanticEqual(a: unknown, b: unknown): boolean {
  // The same value, or two strings (unchanged names and uids): no need to normalize them.
  if (a === b) return true;
  if (typeof a === "string" && typeof b === "string") return false;
  return JSON.stringify(withoutZeroValues(a)) === JSON.stringify(withoutZeroValues(b));
}
