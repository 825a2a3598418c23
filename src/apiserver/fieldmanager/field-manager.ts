/**
 * The field manager: keeps `metadata.managedFields` on every write, as k8s.io/apiserver's field manager does.
 * Update operations (create, update, non-apply patches) give their manager the fields they changed and take them
 * from everyone else; Apply operations merge the applied configuration by the schema, remove what the manager
 * applied before and no longer applies (unless someone else owns it), and answer 409 when they would change a
 * field another manager owns (unless forced).
 */
import { badRequest } from "../../api/status-error.js";
import type { JsonObject, JsonValue, KubeObject } from "../../api/types.js";
import { deepCopy, isPlainObject, jsonEqual } from "../../util/json.js";
import { conflictError, type Conflict } from "./conflict.js";
import { emptyFieldSet, FieldSet, fieldElement, fieldSetOf } from "./fieldset.js";
import {
  capUpdateManagers, decodeManaged, encodeManaged, fieldsOf, isResetManagedFields, managerKey, setFields, type Managed, type ManagerEntry,
} from "./managed-fields.js";
import { covers, touches } from "./raw-fields.js";
import { rootShape, zeroObject, type Shape } from "./schema-types.js";
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, SchemaViolation, toFieldSet, type Comparison } from "./typed.js";

/** What the field manager needs to know about one write. */
export interface WriteScope {
  kind: { apiVersion: string; kind: string };
  /** "status" for writes to the status subresource. */
  subresource: "" | "status";
  /** Whether the kind has a status subresource (the main resource then ignores status). */
  hasStatus: boolean;
  /** RFC 3339 time of the write. */
  now: string;
  /**
   * True when neither the written object nor the live one is ever mutated (the written object goes to the watch
   * cache as it is, its answer is only serialized): the written managedFields may then share the live object's
   * stored FieldsV1 encodings instead of copying them.
   */
  readOnly?: boolean;
}

const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

/** Paths no manager owns (structured-merge-diff's strip set of the API server). */
const stripSet = fieldSetOf(
  ["f:apiVersion"], ["f:kind"], ["f:metadata"],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"].map((f) => ["f:metadata", fieldElement(f)]),
);
const statusSet = fieldSetOf(["f:status"]);

/** The part of a set a write may own: status excluded from main-resource writes of kinds with status, only status for status writes. */
function ownable(set: FieldSet, scope: WriteScope): FieldSet {
  if (scope.subresource === "status") {
    const out = new FieldSet();
    if (set.members.has("f:status")) out.members.add("f:status");
    const below = set.children.get("f:status");
    if (below !== undefined) out.children.set("f:status", below);
    return out;
  }
  const stripped = set.difference(stripSet);
  return scope.hasStatus ? stripped.recursiveDifference(statusSet) : stripped;
}

/** The object as ownership compares it: without managedFields, and restricted to what the write may change. */
function comparable(object: JsonObject | undefined, scope: WriteScope): JsonObject | undefined {
  if (object === undefined) return undefined;
  if (scope.subresource === "status") return Object.hasOwn(object, "status") ? { status: object.status as JsonValue } : {};
  // Copied key by key (deleting from a copy would slow every later read of it).
  const out: JsonObject = {};
  for (const key of Object.keys(object)) {
    if (key === "status" && scope.hasStatus) continue;
    const value = object[key] as JsonValue;
    setOwn(out, key, key === "metadata" && isPlainObject(value) && Object.hasOwn(value, "managedFields") ? withoutManagedFields(value as JsonObject) : value);
  }
  return out;
}

function withoutManagedFields(meta: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(meta)) if (key !== "managedFields") setOwn(out, key, meta[key] as JsonValue);
  return out;
}

/** Sets an own property (a `__proto__` key too, as JSON decoding makes it). */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

const zeros = new WeakMap<Shape, JsonObject>();

/** The (shared, never mutated) empty object of a kind that creations are compared with. */
function zeroOf(root: Shape): JsonObject {
  let zero = zeros.get(root);
  if (zero === undefined) {
    zero = zeroObject(root) as JsonObject;
    zeros.set(root, zero);
  }
  return zero;
}

function tryDecode(list: unknown, validate: boolean): Managed | undefined {
  try {
    return decodeManaged(list, validate);
  } catch {
    return undefined;
  }
}

function changedPaths(c: Comparison): FieldSet {
  return c.added.union(c.modified).union(c.removed);
}

/** Takes `changed` from every entry but `except` (Update operations never conflict), dropping emptied entries. */
function takeFromOthers(managed: Managed, changed: FieldSet, except: string): void {
  if (changed.isEmpty()) return;
  for (const [key, entry] of managed) {
    if (key === except) continue;
    if (entry.fields === undefined && entry.raw !== undefined && !touches(entry.raw, changed)) continue;
    const rest = fieldsOf(entry).difference(changed);
    if (rest.isEmpty()) managed.delete(key);
    else setFields(entry, rest);
  }
}

/**
 * Whether `previous` (the writing manager's entry) comes out of this write unchanged: it owns every field the write
 * gives it (`mine`) and none of the other fields the write changed (which it would lose). Decides on the stored
 * encoding where the entry has not been decoded.
 */
function keepsItsFields(previous: ManagerEntry, mine: FieldSet, changed: FieldSet): boolean {
  const others = changed.difference(mine);
  if (previous.fields === undefined && previous.raw !== undefined) return covers(previous.raw, mine) && !touches(previous.raw, others);
  const fields = fieldsOf(previous);
  return mine.difference(fields).isEmpty() && others.intersection(fields).isEmpty();
}

/**
 * Gives `manager` the fields `c` shows it changed (merged into its previous entry of the same identity) and takes
 * them from everyone else. A manager that changes only values it already owns (a renewal, a heartbeat) keeps its
 * entry as it is but for the time, as upstream's managedFieldsUpdater stamps every write that owns something.
 */
function recordChanges(managed: Managed, c: Comparison, entry: Omit<ManagerEntry, "raw" | "fields">, scope: WriteScope): void {
  const key = managerKey(entry);
  const changed = changedPaths(c);
  const mine = ownable(c.added.union(c.modified), scope);
  const previous = managed.get(key);
  if (previous !== undefined && !mine.isEmpty() && keepsItsFields(previous, mine, changed)) {
    takeFromOthers(managed, changed, key);
    previous.time = scope.now;
    return;
  }
  takeFromOthers(managed, changed, "");
  if (mine.isEmpty()) return;
  const left = managed.get(key);
  const fields = left === undefined ? mine : fieldsOf(left).union(mine);
  managed.set(key, Object.assign({}, entry, { time: scope.now, fields }));
}

/**
 * Records an Update operation by `manager` on `next` (mutated: its managedFields are replaced). `live` is the
 * stored object, undefined for a create. Managed fields in `next` are honoured when valid (`[]` clears them);
 * updates of an object that has none keep it without, as upstream does.
 */
export function recordUpdate(live: KubeObject | undefined, next: KubeObject, manager: string, scope: WriteScope): void {
  const meta = (next.metadata ??= {});
  const root = rootShape(scope.kind);
  try {
    let managed: Managed | undefined;
    if (scope.subresource !== "") managed = tryDecode(live?.metadata?.managedFields, false);
    else if (isResetManagedFields(meta.managedFields)) managed = new Map();
    else if (live !== undefined && jsonEqual(meta.managedFields, live.metadata?.managedFields)) {
      // Sent back as read (get-modify-update): the stored entries, decoded only where needed.
      managed = tryDecode(live.metadata?.managedFields, false);
    } else {
      const mine = tryDecode(meta.managedFields, true);
      managed = mine !== undefined && mine.size > 0 ? mine : tryDecode(live?.metadata?.managedFields, false);
    }
    managed ??= new Map();
    if (managed.size === 0 && live !== undefined) {
      delete meta.managedFields;
      return;
    }
    const before = live === undefined ? zeroOf(root) : comparable(live as JsonObject, scope);
    const c = compare(before, comparable(next as JsonObject, scope), root);
    const entry: Omit<ManagerEntry, "raw" | "fields"> = { manager, operation: "Update", apiVersion: scope.kind.apiVersion };
    if (scope.subresource) entry.subresource = scope.subresource;
    recordChanges(managed, c, entry, scope);
    capUpdateManagers(managed);
    const encoded = encodeManaged(managed, scope.readOnly === true);
    if (encoded === undefined) delete meta.managedFields;
    else meta.managedFields = encoded as NonNullable<typeof meta.managedFields>;
  } catch (error) {
    if (!(error instanceof SchemaViolation) && !(error instanceof Error)) throw error;
    // As upstream: ownership that cannot be computed is dropped rather than left wrong.
    delete meta.managedFields;
  }
}

/** Options of one Apply operation. */
export interface ApplyRequest {
  manager: string;
  force: boolean;
  /** The applied configuration (decoded YAML/JSON object). */
  config: JsonObject;
}

/**
 * Applies a configuration to `live` (undefined: the object does not exist yet) and returns the new object with its
 * managedFields. Throws 409 Conflict on conflicts (unless forced) and 400 for configurations the schema cannot hold.
 */
export function applyConfiguration(live: KubeObject | undefined, request: ApplyRequest, scope: WriteScope): KubeObject {
  try {
    return applyChecked(live, request, scope);
  } catch (error) {
    if (error instanceof SchemaViolation) throw badRequest(`failed to create typed patch object (${gvkText(scope, request.config)}): ${error.message}`);
    throw error;
  }
}

function applyChecked(live: KubeObject | undefined, request: ApplyRequest, scope: WriteScope): KubeObject {
  const root = rootShape(scope.kind);
  const { manager, config } = request;
  if (isPlainObject(config.metadata) && (config.metadata as JsonObject).managedFields !== undefined) {
    throw badRequest("metadata.managedFields must be nil");
  }
  const managed = tryDecode(live?.metadata?.managedFields, false) ?? new Map<string, ManagerEntry>();
  const base = comparableLive(live);
  if (managed.size === 0 && live !== undefined) {
    recordChanges(managed, compare(zeroOf(root), comparable(base, scope), root),
      { manager: "before-first-apply", operation: "Update", apiVersion: scope.kind.apiVersion }, scope);
  }
  const configSet = ownable(toFieldSet(config, root, true), scope);
  const merged = mergeValue(base, config, root);
  const key = managerKey({ manager, operation: "Apply", apiVersion: scope.kind.apiVersion, subresource: scope.subresource });
  const previous = managed.get(key);
  const lastSet = previous === undefined ? undefined : fieldsOf(previous);
  const entry: ManagerEntry = { manager, operation: "Apply", apiVersion: scope.kind.apiVersion, fields: configSet };
  if (scope.subresource) entry.subresource = scope.subresource;
  if (previous?.time !== undefined) entry.time = previous.time;
  managed.set(key, entry);
  const result = prune(merged, managed, lastSet, root) as JsonObject;

  const c = compare(comparable(base, scope), comparable(result, scope), root);
  const taken = c.modified.union(c.added);
  const conflicts: Conflict[] = [];
  for (const [k, e] of managed) {
    if (k === key) continue;
    const clash = fieldsOf(e).intersection(taken);
    for (const path of clash.paths()) conflicts.push({ manager: e, path });
  }
  if (conflicts.length > 0 && !request.force) {
    const remaining = manager === "kubectl" ? withoutLastAppliedConflicts(conflicts, live, root, scope) : conflicts;
    if (remaining.length > 0) throw conflictError(remaining);
  }
  takeFromOthers(managed, changedPaths(c), key);
  if (entry.time === undefined || !sameJson(base, result)) entry.time = scope.now;

  const meta = ((result.metadata as JsonObject | undefined) ?? {}) as JsonObject;
  result.metadata = meta;
  syncLastApplied(meta, live, manager, config);
  capUpdateManagers(managed);
  const encoded = encodeManaged(managed);
  if (encoded === undefined) delete meta.managedFields;
  else meta.managedFields = encoded;
  // The result shares subtrees with the live object and the configuration: callers get their own copy.
  return deepCopy(result) as KubeObject;
}

function comparableLive(live: KubeObject | undefined): JsonObject {
  if (live === undefined) return {};
  const out = { ...(live as JsonObject) };
  if (isPlainObject(out.metadata)) {
    const meta = { ...(out.metadata as JsonObject) };
    delete meta.managedFields;
    out.metadata = meta;
  }
  return out;
}

function mergeValue(base: JsonObject, config: JsonObject, root: Shape): JsonValue {
  return pruneNullFields(merge(base, config, root) ?? {});
}

/** Drops null-valued fields (a null in an applied configuration clears the field, as typed decoding does). */
function pruneNullFields(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(pruneNullFields);
  if (!isPlainObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value as JsonObject)) if (v !== null) out[k] = pruneNullFields(v);
  return out;
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Removes what the applier applied last time and no longer applies, unless another manager (or the new
 * configuration) owns it (structured-merge-diff's prune, addBackOwnedItems and addBackDanglingItems).
 */
function prune(merged: JsonValue, managed: Managed, lastSet: FieldSet | undefined, root: Shape): JsonValue {
  if (lastSet === undefined || lastSet.isEmpty()) return merged;
  const ensure = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, root);
  const setOf = (v: JsonValue): FieldSet => ensure(toFieldSet(v, root, false));
  const last = ensure(lastSet);
  const first = removeItems(merged, last, root) ?? {};
  let owned = emptyFieldSet();
  for (const e of managed.values()) owned = owned.union(fieldsOf(e));
  const mergedSet = setOf(merged);
  const ownedBack = removeItems(merged, mergedSet.difference(setOf(first).union(ensure(owned))), root) ?? {};
  return removeItems(merged, mergedSet.difference(setOf(ownedBack)).intersection(last), root) ?? {};
}

/** kubectl's server-side apply may take the fields its client-side last-applied configuration still matches. */
function withoutLastAppliedConflicts(conflicts: Conflict[], live: KubeObject | undefined, root: Shape, scope: WriteScope): Conflict[] {
  const text = live?.metadata?.annotations?.[lastAppliedAnnotation];
  if (!text) return conflicts;
  let applied: unknown;
  try {
    applied = JSON.parse(text);
  } catch {
    return conflicts;
  }
  if (!isPlainObject(applied) || (applied as JsonObject).apiVersion !== scope.kind.apiVersion) return conflicts;
  let allowed: FieldSet;
  try {
    const c = compare(applied as JsonObject, live as JsonObject, root);
    allowed = toFieldSet(applied as JsonObject, root, false).difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return conflicts;
  }
  return conflicts.filter((x) => !allowed.has(x.path));
}

/** kubectl's server-side apply keeps an existing last-applied-configuration annotation in step with what it applies. */
function syncLastApplied(meta: JsonObject, live: KubeObject | undefined, manager: string, config: JsonObject): void {
  if (manager !== "kubectl" || !live?.metadata?.annotations?.[lastAppliedAnnotation]) return;
  const copy = structuredClone(config);
  if (isPlainObject(copy.metadata)) {
    const m = copy.metadata as JsonObject;
    if (isPlainObject(m.annotations)) {
      const a = { ...(m.annotations as JsonObject) };
      delete a[lastAppliedAnnotation];
      if (Object.keys(a).length === 0) delete m.annotations;
      else m.annotations = a;
    }
  }
  const annotations = isPlainObject(meta.annotations) ? { ...(meta.annotations as JsonObject) } : {};
  annotations[lastAppliedAnnotation] = JSON.stringify(copy);
  meta.annotations = annotations;
}

function gvkText(scope: WriteScope, config: JsonObject): string {
  const meta = isPlainObject(config.metadata) ? config.metadata as JsonObject : {};
  const ns = typeof meta.namespace === "string" ? `${meta.namespace}/` : "";
  const name = typeof meta.name === "string" ? meta.name : "";
  const slash = scope.kind.apiVersion.lastIndexOf("/");
  const gv = slash < 0 ? `/${scope.kind.apiVersion}` : scope.kind.apiVersion;
  return `${ns}${name}; ${gv}, Kind=${scope.kind.kind}`;
}
