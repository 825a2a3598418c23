/**
 * `metadata.managedFields` as the field manager reads and writes it: entries keyed by manager identity (manager,
 * operation, subresource, and the apiVersion for updates), decoded lazily from FieldsV1, encoded back in
 * upstream's order (Apply before Update, then by time, manager, apiVersion, subresource), with the Update entries
 * capped at ten by merging the oldest into `ancient-changes` buckets per apiVersion.
 */
import { fieldErrors, type FieldError } from "../../api/status-error.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { deepCopy, isPlainObject } from "../../util/json.js";
import { FieldSet } from "./fieldset.js";

/** One manager's fields. `raw` is the stored FieldsV1 while `fields` has not been replaced. */
export interface ManagerEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  subresource?: string;
  raw?: JsonObject;
  fields?: FieldSet;
}

/** The decoded managedFields of one object, by identity. */
export type Managed = Map<string, ManagerEntry>;

/** The identity of a manager: appliers keep one entry whatever apiVersion they apply; updaters one per apiVersion. */
export function managerKey(e: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  const version = e.operation === "Apply" ? "" : e.apiVersion;
  const sub = e.subresource ?? "";
  // Each part prefixed by its length: distinct identities never share a key, whatever characters names hold.
  return `${e.manager.length}:${e.manager}${e.operation.length}:${e.operation}${version.length}:${version}${sub.length}:${sub}`;
}

/** The fields of an entry (decoded on first use). */
export function fieldsOf(e: ManagerEntry): FieldSet {
  if (e.fields === undefined) e.fields = FieldSet.fromFieldsV1(e.raw ?? {});
  return e.fields;
}

/** Replaces an entry's fields (its raw encoding is dropped unless the set is unchanged). */
export function setFields(e: ManagerEntry, fields: FieldSet): void {
  if (e.fields === fields) return;
  e.fields = fields;
  delete e.raw;
}

/**
 * Decodes managedFields; throws an Error when an entry is not a valid FieldsV1 entry (the caller then falls back
 * to the live object's, as upstream does). Entries are decoded lazily: only their shape is checked here, and
 * FieldsV1 content is parsed (strictly) when first needed — `validate` forces that for user-supplied entries.
 */
export function decodeManaged(list: unknown, validate: boolean): Managed {
  const out: Managed = new Map();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new Error("managedFields must be a list");
  for (const raw of list) {
    if (!isPlainObject(raw)) throw new Error("managedFields entries must be objects");
    const o = raw as JsonObject;
    const str = (k: string): string | undefined => (typeof o[k] === "string" ? (o[k] as string) : undefined);
    if (str("fieldsType") !== "FieldsV1") throw new Error(`only type FieldsV1 is supported, got ${JSON.stringify(o.fieldsType ?? "")}`);
    const entry: ManagerEntry = { manager: str("manager") ?? "", operation: str("operation") ?? "", apiVersion: str("apiVersion") ?? "" };
    const time = str("time");
    if (time) entry.time = time;
    const sub = str("subresource");
    if (sub) entry.subresource = sub;
    const fv = o.fieldsV1;
    if (fv !== undefined && fv !== null && !isPlainObject(fv)) throw new Error("fieldsV1 must be an object");
    entry.raw = (fv ?? {}) as JsonObject;
    if (validate) fieldsOf(entry);
    const key = managerKey(entry);
    const known = out.get(key);
    if (known !== undefined) {
      setFields(known, fieldsOf(known).union(fieldsOf(entry)));
      continue;
    }
    out.set(key, entry);
  }
  return out;
}

/** True for `[]` or `[{}]`: a request to clear managedFields. */
export function isResetManagedFields(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  if (list.length === 0) return true;
  return list.length === 1 && isPlainObject(list[0]) && Object.keys(list[0] as object).length === 0;
}

const maxUpdateManagers = 10;

/** Merges the oldest Update entries into `ancient-changes` (one per apiVersion) while there are more than ten. */
export function capUpdateManagers(managed: Managed): void {
  let count = 0;
  for (const e of managed.values()) if (e.operation !== "Apply") count++;
  if (count <= maxUpdateManagers) return;
  const updaters = [...managed.entries()].filter(([, e]) => e.operation !== "Apply");
  updaters.sort(([ka, a], [kb, b]) => {
    const ta = a.time ?? "";
    const tb = b.time ?? "";
    if (ta !== tb) return ta < tb ? -1 : 1;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (const [key, entry] of updaters) {
    if (length <= maxUpdateManagers) break;
    const bucketKey = managerKey({ manager: "ancient-changes", operation: "Update", apiVersion: entry.apiVersion });
    const first = firstOfVersion.get(entry.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(entry.apiVersion, key);
      continue;
    }
    let bucket = managed.get(bucketKey);
    if (bucket === undefined) {
      const moved = managed.get(first) as ManagerEntry;
      managed.delete(first);
      bucket = { ...moved, manager: "ancient-changes", operation: "Update", apiVersion: entry.apiVersion };
      delete bucket.subresource;
      managed.set(bucketKey, bucket);
    }
    setFields(bucket, fieldsOf(entry).union(fieldsOf(bucket)));
    if (entry.time !== undefined) bucket.time = entry.time;
    managed.delete(key);
    length--;
  }
}

/** upstream's order of managedFields entries: Apply before Update, then by time, manager, apiVersion, subresource. */
function upstreamOrder(p: ManagerEntry, q: ManagerEntry): number {
  if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
  const tp = p.time ?? "";
  const tq = q.time ?? "";
  if (tp !== tq) return tp < tq ? -1 : 1;
  if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
  if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
  const sp = p.subresource ?? "";
  const sq = q.subresource ?? "";
  return sp < sq ? -1 : sp > sq ? 1 : 0;
}

/**
 * Encodes managedFields in upstream's order; undefined when there is no entry. Stored encodings are copied unless
 * `share` (the caller guarantees that neither the object they came from nor the one written is ever mutated).
 */
export function encodeManaged(managed: Managed, share = false): JsonValue[] | undefined {
  const entries: ManagerEntry[] = [];
  for (const e of managed.values()) if (e.raw !== undefined ? hasOwnKey(e.raw) : !fieldsOf(e).isEmpty()) entries.push(e);
  if (entries.length === 0) return undefined;
  // Sorting (stable) an array already in order changes nothing: most writes leave the entries in order.
  let sorted = true;
  for (let i = 1; i < entries.length && sorted; i++) sorted = upstreamOrder(entries[i - 1] as ManagerEntry, entries[i] as ManagerEntry) <= 0;
  if (!sorted) entries.sort(upstreamOrder);
  return entries.map((e) => {
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time !== undefined) out.time = e.time;
    out.fieldsType = "FieldsV1";
    // A stored encoding is copied (unless shared read-only): the written object shares nothing with the live one it came from.
    out.fieldsV1 = e.raw !== undefined ? (share ? e.raw : deepCopy(e.raw)) : fieldsOf(e).toFieldsV1();
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Whether `o` has an own enumerable key (Object.keys(o).length > 0, without the array). */
function hasOwnKey(o: JsonObject): boolean {
  for (const key in o) if (Object.hasOwn(o, key)) return true;
  return false;
}

/** upstream's ValidateManagedFields: operation Apply or Update, fieldsType FieldsV1, printable managers. */
export function validateManagedFields(list: unknown): FieldError[] {
  if (!Array.isArray(list)) return [];
  const errs: FieldError[] = [];
  list.forEach((raw, i) => {
    if (!isPlainObject(raw)) return;
    const e = raw as JsonObject;
    const at = `metadata.managedFields[${i}]`;
    if (e.operation !== "Apply" && e.operation !== "Update") errs.push(fieldErrors.invalid(`${at}.operation`, e.operation ?? "", "must be `Apply` or `Update`"));
    if (typeof e.fieldsType === "string" && e.fieldsType !== "" && e.fieldsType !== "FieldsV1") {
      errs.push(fieldErrors.invalid(`${at}.fieldsType`, e.fieldsType, "must be `FieldsV1`"));
    }
    const manager = typeof e.manager === "string" ? e.manager : "";
    if (manager.length > 128) errs.push(fieldErrors.tooLong(`${at}.manager`, 128));
    const bad = /\p{C}/u.test(manager) ? [...manager].findIndex((ch) => /\p{C}/u.test(ch)) : -1;
    if (bad >= 0) errs.push(fieldErrors.invalid(`${at}.manager`, manager, `invalid ${bad}th character: ${unicodeName([...manager][bad] as string)}`));
    if (typeof e.subresource === "string" && e.subresource.length > 128) errs.push(fieldErrors.tooLong(`${at}.subresource`, 128));
  });
  return errs;
}

/** Go's %#U of a rune: `U+0007`. */
function unicodeName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}
