/**
 * Small helpers over decoded JSON shared by the patch implementations: own-property access that is
 * safe for keys such as `__proto__`, null pruning, Go-style value formatting for
 * upstream-compatible messages, and the nesting-depth guard applied to every patch body.
 */
import { badRequest, statusError, type StatusError } from "../../api/status-error.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { isPlainObject } from "../../util/json.js";

/** Deepest nesting a patch body may have; deeper bodies are rejected with 400 BadRequest. */
export const maxPatchDepth = 100;

/** True for a JSON object (not null, not an array). */
export const isJsonObject = isPlainObject as (value: unknown) => value is JsonObject;

/** The value of an own property, or undefined; never reads inherited members like `toString`. */
export function own(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets an own enumerable property, also for the key `__proto__` (which plain assignment would not). */
export function put(obj: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** A copy of `value` with every null-valued object key removed at any depth; null array items stay. */
export function pruneNulls(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const v = value[key] as JsonValue;
    if (v !== null) put(out, key, pruneNulls(v));
  }
  return out;
}

/** Asserts that `value` is plain decoded JSON nested at most `maxDepth` levels; else 400 BadRequest. */
export function assertPatchBody(value: unknown, maxDepth = maxPatchDepth): asserts value is JsonValue {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    if (v === null || typeof v === "boolean" || typeof v === "string") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw badRequest("invalid JSON document: numbers must be finite");
      continue;
    }
    if (typeof v !== "object") throw badRequest(`invalid JSON document: unexpected ${typeof v} value`);
    if (depth >= maxDepth) throw badRequest(`the patch exceeds the maximum nesting depth of ${maxDepth}`);
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
    } else {
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw badRequest("invalid JSON document: unexpected non-plain object");
      for (const item of Object.values(v)) stack.push({ v: item, depth: depth + 1 });
    }
  }
}

/** Go's json kind name for a value, as used in `json: cannot unmarshal <kind> into ...` messages. */
export function goJsonKind(value: JsonValue): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

/** Formats a JSON value like Go's `%v` of decoded JSON: `map[a:1 b:[x y]]`, strings bare, null `<nil>`. */
export function goFormat(value: JsonValue): string {
  if (value === null) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goFormat).join(" ")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(value[k] as JsonValue)}`).join(" ")}]`;
  }
  return String(value);
}

/** The 422 upstream answers when a well-formed patch cannot be applied; `cause` lands in `details.causes`. */
export function patchRejected(cause: string): StatusError {
  return statusError(422, "Invalid", "the server rejected our request due to an error in our request", {
    causes: [{ reason: "UnexpectedServerResponse", message: cause }],
  });
}
