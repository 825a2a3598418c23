/**
 * Schema-aware walks over JSON objects, as structured-merge-diff's typed package does them: the field set a value
 * sets, the comparison of two values (added / modified / removed paths), the merge of an applied configuration
 * into a live object, and the removal of a set's items from a value.
 */
import type { JsonObject, JsonValue } from "../../api/types.js";
import { isPlainObject, jsonEqual } from "../../util/json.js";
import { FieldSet, fieldElement, keyElement, pathString, valueElement, type PathElement } from "./fieldset.js";
import { childShape, keyDefault, type Shape } from "./schema-types.js";

/** A value the schema cannot hold (an undeclared field in an applied configuration, a list item without keys). */
export class SchemaViolation extends Error {}

const isObject = isPlainObject as (v: unknown) => v is JsonObject;

function isAtomic(shape: Shape, value: JsonValue | undefined): boolean {
  switch (shape.kind) {
    case "scalar": return true;
    case "deduced": return !isObject(value);
    case "list": return shape.rel === "atomic";
    default: return shape.atomic;
  }
}

/** The path element of a set or list-map item. */
export function itemElement(shape: Shape & { kind: "list" }, item: JsonValue, where: () => string): PathElement {
  if (shape.rel === "set") return valueElement(item);
  if (!isObject(item)) throw new SchemaViolation(`${where()}: associative list with keys may not have ${item === null ? "a null element" : "non-map elements"}`);
  const fields: Array<[string, JsonValue]> = [];
  for (const key of shape.keys) {
    const v = Object.hasOwn(item, key) ? item[key] : keyDefault(key);
    if (v !== undefined) fields.push([key, v]);
  }
  if (fields.length === 0) {
    throw new SchemaViolation(`${where()}: associative list with keys has an element that omits all key fields ${JSON.stringify(shape.keys)} (and doesn't have default values for any key fields)`);
  }
  return keyElement(fields);
}

/**
 * The paths `value` sets (structured-merge-diff's ToFieldSet). With `strict`, fields the schema does not declare
 * are a SchemaViolation (an applied configuration); otherwise they are tracked untyped.
 */
export function toFieldSet(value: JsonValue, shape: Shape, strict: boolean, out = new FieldSet(), path: PathElement[] = []): FieldSet {
  if (strict && value !== null) checkKind(value, shape, path);
  if (isAtomic(shape, value) || value === null) {
    if (path.length > 0) out.insert(path);
    return out;
  }
  if (shape.kind === "list") {
    if (!Array.isArray(value)) return out;
    const seen = new Set<PathElement>();
    const dup = new Set<PathElement>();
    const pes = value.map((item) => {
      const pe = itemElement(shape, item, () => pathText(path));
      if (seen.has(pe) && strict) throw new SchemaViolation(`${pathText(path)}: duplicate entries for key ${pathText([pe])}`);
      if (seen.has(pe)) dup.add(pe);
      seen.add(pe);
      return pe;
    });
    value.forEach((item, i) => {
      const pe = pes[i] as PathElement;
      path.push(pe);
      if (!dup.has(pe)) toFieldSet(item, shape.items, strict, out, path);
      out.insert(path);
      path.pop();
    });
    return out;
  }
  if (!isObject(value)) {
    if (path.length > 0) out.insert(path);
    return out;
  }
  for (const key of Object.keys(value)) {
    const v = value[key] as JsonValue;
    const declared = shape.kind === "struct" ? shape.def.properties.has(key) : false;
    if (shape.kind === "struct" && !declared && strict) throw new SchemaViolation(`${pathText(path)}.${key}: field not declared in schema`);
    path.push(fieldElement(key));
    toFieldSet(v, childShape(shape, key), strict, out, path);
    if (v === null || (isObject(v) && Object.keys(v).length === 0) || !declared) out.insert(path);
    path.pop();
  }
  return out;
}

/** Rejects a value whose JSON kind the schema does not allow (maps and structs need objects, lists arrays). */
function checkKind(value: JsonValue, shape: Shape, path: readonly PathElement[]): void {
  const wanted = shape.kind === "list" ? "list" : shape.kind === "struct" || shape.kind === "map" ? "map" : undefined;
  if (wanted === undefined) return;
  if (wanted === "list" ? Array.isArray(value) : isObject(value)) return;
  throw new SchemaViolation(`${pathText(path)}: expected ${wanted}, got ${JSON.stringify(value)}`);
}

function pathText(path: readonly PathElement[]): string {
  return pathString(path);
}

/** What changed between two values: paths added, modified and removed (structured-merge-diff's Compare). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares `lhs` (before) with `rhs` (after); undefined means absent. */
export function compare(lhs: JsonValue | undefined, rhs: JsonValue | undefined, shape: Shape): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareInto(lhs, rhs, shape, [], c);
  return c;
}

function leaf(lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathElement[], c: Comparison): void {
  if (path.length === 0) return;
  if (lhs === undefined) c.added.insert(path);
  else if (rhs === undefined) c.removed.insert(path);
  else if (!jsonEqual(lhs, rhs)) c.modified.insert(path);
}

function isEmptyContainer(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);
}

/** Whether `v` (absent, null, or a value) can be compared as a container of the shape: a list for lists, an object otherwise. */
function containerOk(shape: Shape, v: JsonValue | undefined): boolean {
  return v === undefined || v === null || (shape.kind === "list" ? Array.isArray(v) : isObject(v));
}

function compareInto(lhs: JsonValue | undefined, rhs: JsonValue | undefined, shape: Shape, path: PathElement[], c: Comparison): void {
  if (isAtomic(shape, rhs ?? lhs) || !containerOk(shape, lhs) || !containerOk(shape, rhs) || (isEmptyContainer(lhs) && isEmptyContainer(rhs))) {
    leaf(lhs, rhs, path, c);
    return;
  }
  if (shape.kind === "list") compareLists(Array.isArray(lhs) ? lhs : [], Array.isArray(rhs) ? rhs : [], shape, path, c);
  else compareMaps(isObject(lhs) ? lhs : undefined, isObject(rhs) ? rhs : undefined, shape, path, c);
  if (path.length > 0) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

function compareMaps(lhs: JsonObject | undefined, rhs: JsonObject | undefined, shape: Shape, path: PathElement[], c: Comparison): void {
  // for-in over own keys (the order of Object.keys) without building their arrays.
  if (lhs !== undefined) {
    for (const key in lhs) {
      if (!Object.hasOwn(lhs, key)) continue;
      path.push(fieldElement(key));
      compareInto(lhs[key], rhs !== undefined && Object.hasOwn(rhs, key) ? rhs[key] : undefined, childShape(shape, key), path, c);
      path.pop();
    }
  }
  if (rhs === undefined) return;
  for (const key in rhs) {
    if (!Object.hasOwn(rhs, key) || (lhs !== undefined && Object.hasOwn(lhs, key))) continue;
    path.push(fieldElement(key));
    compareInto(undefined, rhs[key], childShape(shape, key), path, c);
    path.pop();
  }
}

function indexItems(list: JsonValue[], shape: Shape & { kind: "list" }, path: PathElement[]): Map<PathElement, JsonValue[]> {
  const out = new Map<PathElement, JsonValue[]>();
  for (const item of list) {
    const pe = itemElement(shape, item, () => pathText(path));
    const known = out.get(pe);
    if (known === undefined) out.set(pe, [item]);
    else known.push(item);
  }
  return out;
}

/** Whether comparing `value` with itself names every list item without a SchemaViolation (list-map items need a key). */
function keyable(value: JsonValue | undefined, shape: Shape): boolean {
  if (value === undefined || value === null || isAtomic(shape, value)) return true;
  if (shape.kind === "list") {
    if (!Array.isArray(value)) return true;
    for (const item of value) {
      if (shape.rel === "map" && !(isObject(item) && shape.keys.some((key) => Object.hasOwn(item, key) || keyDefault(key) !== undefined))) return false;
      if (!keyable(item, shape.items)) return false;
    }
    return true;
  }
  if (!isObject(value)) return true;
  for (const key of Object.keys(value)) if (!keyable(value[key], childShape(shape, key))) return false;
  return true;
}

/** Whether two lists hold equal items in the same order. */
function sameItems(lhs: readonly JsonValue[], rhs: readonly JsonValue[]): boolean {
  if (lhs.length !== rhs.length) return false;
  for (let i = 0; i < lhs.length; i++) if (!jsonEqual(lhs[i], rhs[i])) return false;
  return true;
}

function compareLists(lhs: JsonValue[], rhs: JsonValue[], shape: Shape & { kind: "list" }, path: PathElement[], c: Comparison): void {
  // Unchanged lists (most of them, in most writes) have nothing to report: no need to name their items.
  if (sameItems(lhs, rhs) && keyable(lhs, shape)) return;
  const left = indexItems(lhs, shape, path);
  const right = indexItems(rhs, shape, path);
  const all = new Set<PathElement>([...left.keys(), ...right.keys()]);
  for (const pe of all) {
    const l = left.get(pe) ?? [];
    const r = right.get(pe) ?? [];
    path.push(pe);
    if (l.length <= 1 && r.length <= 1) {
      compareInto(l[0], r[0], shape.items, path, c);
    } else if (l.length >= 2 && r.length >= 2) {
      if (!jsonEqual(l, r)) c.modified.insert(path);
    } else if (l.length >= 2) {
      if (r[0] !== undefined) compareInto(undefined, r[0], shape.items, path, c);
      c.removed.insert(path);
    } else {
      if (l[0] !== undefined) compareInto(l[0], undefined, shape.items, path, c);
      c.added.insert(path);
    }
    path.pop();
  }
}

/** Merges an applied configuration into a live value: the configuration wins, granular values merge (new value). */
export function merge(lhs: JsonValue | undefined, rhs: JsonValue | undefined, shape: Shape, path: PathElement[] = []): JsonValue | undefined {
  if (rhs === undefined) return lhs;
  if (lhs === undefined || isAtomic(shape, rhs) || rhs === null || lhs === null) return rhs;
  if (shape.kind === "list") {
    if (!Array.isArray(lhs) || !Array.isArray(rhs)) return rhs;
    return mergeLists(lhs, rhs, shape, path);
  }
  if (!isObject(lhs) || !isObject(rhs)) return rhs;
  const out: JsonObject = { ...lhs };
  for (const key of Object.keys(rhs)) {
    path.push(fieldElement(key));
    const merged = merge(Object.hasOwn(lhs, key) ? lhs[key] : undefined, rhs[key], childShape(shape, key), path);
    path.pop();
    if (merged !== undefined) out[key] = merged;
  }
  return out;
}

/** Merges two associative lists in upstream's order: shared items where the configuration puts them. */
function mergeLists(lhs: JsonValue[], rhs: JsonValue[], shape: Shape & { kind: "list" }, path: PathElement[]): JsonValue[] {
  const where = (): string => pathText(path);
  const rPes = rhs.map((item) => itemElement(shape, item, where));
  const rItems = new Map<PathElement, JsonValue>();
  rPes.forEach((pe, i) => {
    if (rItems.has(pe)) throw new SchemaViolation(`${where()}: duplicate entries for key ${pathString([pe])}`);
    rItems.set(pe, rhs[i] as JsonValue);
  });
  const lPes = lhs.map((item) => itemElement(shape, item, where));
  const lItems = new Map<PathElement, JsonValue>();
  lPes.forEach((pe, i) => { if (!lItems.has(pe)) lItems.set(pe, lhs[i] as JsonValue); });
  const shared = rPes.filter((pe) => lItems.has(pe));
  let nextShared = 0;
  const done = new Set<PathElement>();
  const out: JsonValue[] = [];
  const take = (pe: PathElement): void => {
    path.push(pe);
    const merged = merge(lItems.get(pe), rItems.get(pe), shape.items, path);
    path.pop();
    if (merged !== undefined) out.push(merged);
  };
  let li = 0;
  let ri = 0;
  while (li < lPes.length || ri < rPes.length) {
    if (li < lPes.length && ri < rPes.length) {
      const pe = lPes[li] as PathElement;
      if (pe === rPes[ri]) {
        done.add(pe);
        take(pe);
        li++;
        ri++;
        nextShared++;
        continue;
      }
      if (rItems.has(pe) && nextShared < shared.length && shared[nextShared] !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPes.length) {
      const pe = lPes[li] as PathElement;
      if (!rItems.has(pe)) {
        out.push(lhs[li] as JsonValue);
        li++;
        continue;
      }
      if (done.has(pe)) li++;
    }
    if (ri < rPes.length) {
      const pe = rPes[ri] as PathElement;
      done.add(pe);
      take(pe);
      ri++;
      if (nextShared < shared.length && shared[nextShared] === pe) nextShared++;
    }
  }
  return out;
}

/** `value` without the members of `items` (list items, map entries and fields; their descendants with them). */
export function removeItems(value: JsonValue, items: FieldSet, shape: Shape): JsonValue | undefined {
  if (items.isEmpty() || isAtomic(shape, value) || value === null) return value;
  if (shape.kind === "list") {
    if (!Array.isArray(value)) return value;
    const out: JsonValue[] = [];
    for (const item of value) {
      const pe = itemElement(shape, item, () => "");
      if (items.members.has(pe)) continue;
      const sub = items.withPrefix(pe);
      const kept = sub.isEmpty() ? item : removeItems(item, sub, shape.items);
      if (kept !== undefined) out.push(kept);
    }
    return out.length > 0 ? out : undefined;
  }
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    const pe = fieldElement(key);
    if (items.members.has(pe)) continue;
    const sub = items.withPrefix(pe);
    const v = value[key] as JsonValue;
    const kept = sub.isEmpty() ? v : removeItems(v, sub, childShape(shape, key));
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 || shape.kind === "struct" ? out : undefined;
}

/** `set` plus every struct field that has members below it (structured-merge-diff's EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(set: FieldSet, shape: Shape): FieldSet {
  if (set.children.size === 0) return set;
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  for (const [pe, child] of set.children) {
    let sub: Shape;
    if (pe.startsWith("f:")) {
      const name = pe.slice(2);
      sub = childShape(shape, name);
      if (shape.kind === "struct" && shape.def.properties.has(name)) out.members.add(pe);
    } else {
      sub = shape.kind === "list" ? shape.items : shape;
    }
    out.children.set(pe, ensureNamedFieldsAreMembers(child, sub));
  }
  return out;
}
