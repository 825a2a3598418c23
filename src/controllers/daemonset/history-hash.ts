/** Revision hashes and revision data: deterministic, so restarts and rollbacks find the same names. */
import type { DaemonSet, PodTemplateSpec } from "../../api/types.js";

/** The characters revision hashes are written in (no vowels, no look-alikes). */
export const hashAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/**
 * Canonical JSON: object keys sorted, `undefined` and `null` object members dropped (an absent optional
 * field and a null one mean the same), arrays kept in order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;

/** FNV-1a (32 bit) over bytes, continuing from `seed`. */
export function fnv1a32(bytes: Uint8Array, seed = fnvOffset): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, fnvPrime) >>> 0;
  }
  return h >>> 0;
}

/** Maps each character of `s` to the hash alphabet by its code (what makes decimal digits safe in names). */
export function safeEncodeString(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += hashAlphabet[s.charCodeAt(i) % hashAlphabet.length] ?? "";
  return out;
}

/** The revision hash of a pod template (and collisionCount when set): FNV-1a of its canonical JSON, its decimal form safe-encoded. */
export function computeTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv1a32(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(b, h);
  }
  return safeEncodeString(String(h));
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/** A copy with object keys in sorted order at every level and null/undefined members dropped; arrays kept in order. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null).sort(byKey);
  return Object.fromEntries(entries.map(([k, v]) => [k, sortedKeys(v)]));
}

/**
 * The data a revision stores: a patch replacing spec.template, `{"spec":{"template":{"$patch":"replace",…}}}`,
 * laid out as Go clients serialize a DaemonSet's template (keys sorted, `metadata.creationTimestamp: null`) so that
 * `kubectl rollout undo` recognizes, byte for byte, the revision equal to the current template and skips it.
 */
export function revisionData(ds: DaemonSet): { spec: { template: Record<string, unknown> } } {
  const { metadata, ...rest } = sortedKeys(ds.spec?.template ?? {}) as Record<string, unknown>;
  const meta: [string, unknown][] = [...Object.entries((metadata ?? {}) as Record<string, unknown>), ["creationTimestamp", null]];
  const fields: [string, unknown][] = [...Object.entries(rest), ["metadata", Object.fromEntries(meta.sort(byKey))], ["$patch", "replace"]];
  return { spec: { template: Object.fromEntries(fields.sort(byKey)) } };
}

/** Whether stored revision data equals the DaemonSet's current template (compared canonically). */
export function revisionDataMatches(ds: DaemonSet, data: unknown): boolean {
  return canonicalJson(data) === canonicalJson(revisionData(ds));
}
