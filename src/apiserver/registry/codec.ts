/** Storage encoding of API objects and the semantic equality the registry relies on. */
import type { KubeObject, ObjectMeta } from "../../api/types.js";
import type { KeyValue } from "../../storage/backend.js";
import { copyWith, isPlainObject, jsonEqual } from "../../util/json.js";

/** The stored form of an object: its JSON without metadata.resourceVersion (the key's modRevision is authoritative). */
export function encodeObject(object: KubeObject): string {
  const { resourceVersion: _rv, selfLink: _selfLink, ...metadata } = object.metadata ?? {};
  return JSON.stringify({ ...object, metadata });
}

/** Decodes a stored value; metadata.resourceVersion is set to the key's modRevision. Throws on invalid JSON. */
export function decodeObject(kv: Pick<KeyValue, "value" | "modRevision">): KubeObject {
  const parsed: unknown = JSON.parse(kv.value);
  if (!isPlainObject(parsed)) throw new Error("stored value is not a JSON object");
  const object = parsed as KubeObject;
  object.metadata = copyWith(object.metadata, "resourceVersion", String(kv.modRevision));
  return object;
}

/**
 * Semantic equality as the API compares specs: like jsonEqual, but null, empty arrays and empty objects
 * are the same as an absent field.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return jsonEqual(normalizeEmpty(a), normalizeEmpty(b));
}

function normalizeEmpty(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.length === 0 ? undefined : value.map((v) => normalizeEmpty(v) ?? null);
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalizeEmpty(v);
      if (n !== undefined) out[k] = n;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value === null ? undefined : value;
}

/** ObjectMeta with the fields the registry sets (uid, generation, deletionTimestamp, ...) writable. */
export type MutableObjectMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

/** The object's metadata (created empty when absent), writable. */
export function metaOf(object: KubeObject): MutableObjectMeta {
  if (object.metadata === undefined) object.metadata = {};
  return object.metadata as MutableObjectMeta;
}
