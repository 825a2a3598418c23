/**
 * Field sets as server-side apply tracks them (structured-merge-diff's fieldpath.Set): a tree of path elements
 * whose nodes may be members. Path elements are kept in their FieldsV1 spelling: `f:<field>`, `k:<JSON object of
 * the list-map keys>`, `v:<JSON value of a set item>`, `i:<index>`. `toFieldsV1` / `fromFieldsV1` convert to and
 * from the `metadata.managedFields[].fieldsV1` encoding, where `".": {}` marks a node that is itself a member and
 * has children, and a leaf `{}` is a member.
 */
import type { JsonObject, JsonValue } from "../../api/types.js";
import { isPlainObject } from "../../util/json.js";

/** One path element in FieldsV1 spelling (see the file comment). */
export type PathElement = string;

/** A set of paths; immutable once built (every operation returns a new set, possibly sharing subtrees). */
export class FieldSet {
  /** Path elements that are members at this level. */
  readonly members = new Set<PathElement>();
  /** Non-empty sets below each path element. */
  readonly children = new Map<PathElement, FieldSet>();

  /** Adds `path` (from its element `from` on) as a member; only while the set is being built. */
  insert(path: readonly PathElement[], from = 0): void {
    const pe = path[from];
    if (pe === undefined) return;
    if (from === path.length - 1) {
      this.members.add(pe);
      return;
    }
    let child = this.children.get(pe);
    if (child === undefined) {
      child = new FieldSet();
      this.children.set(pe, child);
    }
    child.insert(path, from + 1);
  }

  /** True when `path` is a member. */
  has(path: readonly PathElement[]): boolean {
    const first = path[0];
    if (first === undefined) return false;
    if (path.length === 1) return this.members.has(first);
    return this.children.get(first)?.has(path.slice(1)) ?? false;
  }

  /** True when the set has no member at any depth. */
  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** The set below one path element (empty when there is none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe) ?? emptySet;
  }

  /** Members of this set or of `other`. */
  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const m of other.members) out.members.add(m);
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      out.children.set(pe, o === undefined ? c : c.union(o));
    }
    for (const [pe, o] of other.children) if (!this.children.has(pe)) out.children.set(pe, o);
    return out;
  }

  /** Members of both sets. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      if (o === undefined) continue;
      const i = c.intersection(o);
      if (!i.isEmpty()) out.children.set(pe, i);
    }
    return out;
  }

  /** Members of this set that are not members of `other` (path by path; descendants of removed members stay). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    if (other === this) return emptySet;
    if (!this.loses(other)) return this;
    const out = new FieldSet();
    let changed = false;
    for (const m of this.members) {
      if (other.members.has(m)) changed = true;
      else out.members.add(m);
    }
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      const d = o === undefined ? c : c.difference(o);
      if (d !== c) changed = true;
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return changed ? out : this;
  }

  /** Whether `difference(other)` removes some member (decided without building sets). */
  private loses(other: FieldSet): boolean {
    for (const m of this.members) if (other.members.has(m)) return true;
    for (const [pe, c] of this.children) {
      const o = other.children.get(pe);
      if (o !== undefined && !o.isEmpty() && (o === c || c.loses(o))) return true;
    }
    return false;
  }

  /** This set without every member of `other` and everything below those members. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      if (other.members.has(pe)) continue;
      const o = other.children.get(pe);
      const d = o === undefined ? c : c.recursiveDifference(o);
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  /** Every member path, in upstream's order. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    const walk = (node: FieldSet, prefix: PathElement[]): void => {
      const keys = new Set<PathElement>([...node.members, ...node.children.keys()]);
      for (const pe of [...keys].sort(comparePathElements)) {
        const path = [...prefix, pe];
        if (node.members.has(pe)) out.push(path);
        const child = node.children.get(pe);
        if (child !== undefined) walk(child, path);
      }
    };
    walk(this, []);
    return out;
  }

  /** The FieldsV1 encoding of the set (keys in upstream's order), written into `out`. */
  toFieldsV1(out: JsonObject = {}): JsonObject {
    const keys = [...this.members];
    for (const pe of this.children.keys()) if (!this.members.has(pe)) keys.push(pe);
    keys.sort(comparePathElements);
    for (const pe of keys) {
      const child = this.children.get(pe);
      if (child === undefined) {
        out[pe] = {};
        continue;
      }
      out[pe] = child.toFieldsV1(this.members.has(pe) ? { ".": {} } : {});
    }
    return out;
  }

  /** Decodes a FieldsV1 value; throws an Error naming the problem when it is not a valid encoding. */
  static fromFieldsV1(value: unknown): FieldSet {
    if (!isPlainObject(value)) throw new Error("FieldsV1 must be a JSON object");
    const out = new FieldSet();
    for (const [pe, child] of Object.entries(value)) {
      if (pe === ".") throw new Error("unexpected \".\" at the top level");
      checkPathElement(pe);
      if (!isPlainObject(child)) throw new Error(`the value of ${JSON.stringify(pe)} must be a JSON object`);
      const keys = Object.keys(child);
      if (keys.length === 0 || Object.hasOwn(child, ".")) out.members.add(pe);
      if (keys.some((k) => k !== ".")) {
        const rest: JsonObject = {};
        for (const k of keys) if (k !== ".") rest[k] = child[k] as JsonValue;
        const sub = FieldSet.fromFieldsV1(rest);
        if (!sub.isEmpty()) out.children.set(pe, sub);
      }
      if (Object.hasOwn(child, ".") && !(isPlainObject(child["."]) && Object.keys(child["."] as JsonObject).length === 0)) {
        throw new Error("the value of \".\" must be {}");
      }
    }
    return out;
  }
}

const emptySet = new FieldSet();

/** The empty field set. */
export function emptyFieldSet(): FieldSet {
  return emptySet;
}

/** A set holding exactly the given paths. */
export function fieldSetOf(...paths: PathElement[][]): FieldSet {
  const out = new FieldSet();
  for (const p of paths) out.insert(p);
  return out;
}

/** `f:<name>`. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** `k:{...}` for a list-map item from its key fields (sorted by name, as upstream spells them). */
export function keyElement(fields: ReadonlyArray<readonly [string, JsonValue]>): PathElement {
  const sorted = [...fields].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `k:{${sorted.map(([n, v]) => `${JSON.stringify(n)}:${canonicalJson(v)}`).join(",")}}`;
}

/** `v:<json>` for a set item. */
export function valueElement(value: JsonValue): PathElement {
  return `v:${canonicalJson(value)}`;
}

/** JSON with object keys sorted, as Go serializes a value.Map. */
function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isPlainObject(value)) {
    const obj = value as JsonObject;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k] as JsonValue)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function checkPathElement(pe: string): void {
  const kind = pe.slice(0, 2);
  const rest = pe.slice(2);
  if (kind === "f:") return;
  if (kind === "i:") {
    if (!/^(0|[1-9][0-9]*)$/.test(rest)) throw new Error(`invalid index in path element ${JSON.stringify(pe)}`);
    return;
  }
  if (kind === "k:" || kind === "v:") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rest);
    } catch {
      throw new Error(`invalid JSON in path element ${JSON.stringify(pe)}`);
    }
    if (kind === "k:" && !isPlainObject(parsed)) throw new Error(`path element ${JSON.stringify(pe)} must hold a JSON object of keys`);
    return;
  }
  throw new Error(`unknown path element type in ${JSON.stringify(pe)}`);
}

const typeRank: Readonly<Record<string, number>> = { "f:": 0, "k:": 1, "v:": 2, "i:": 3 };

/** Upstream's order of path elements: fields, then keys, then values, then indexes; each compared by value. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  // Field names (nearly all elements) order as plain strings: same prefix, then the name.
  if (a.charCodeAt(0) === 102 && b.charCodeAt(0) === 102) return a < b ? -1 : a > b ? 1 : 0;
  const ra = typeRank[a.slice(0, 2)] ?? 4;
  const rb = typeRank[b.slice(0, 2)] ?? 4;
  if (ra !== rb) return ra - rb;
  const x = a.slice(2);
  const y = b.slice(2);
  switch (ra) {
    case 0: return x < y ? -1 : x > y ? 1 : 0;
    case 1: return compareKeys(JSON.parse(x) as JsonObject, JSON.parse(y) as JsonObject);
    case 2: return compareValues(JSON.parse(x) as JsonValue, JSON.parse(y) as JsonValue);
    default: return Number(x) - Number(y);
  }
}

function compareKeys(a: JsonObject, b: JsonObject): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  for (let i = 0; ; i++) {
    if (i >= ka.length && i >= kb.length) return 0;
    if (i >= ka.length) return -1;
    if (i >= kb.length) return 1;
    const na = ka[i] as string;
    const nb = kb[i] as string;
    if (na !== nb) return na < nb ? -1 : 1;
    const c = compareValues(a[na] as JsonValue, b[nb] as JsonValue);
    if (c !== 0) return c;
  }
}

function valueRank(v: JsonValue): number {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null) return 4;
  return 5;
}

/** structured-merge-diff's total order of values: numbers, strings, booleans, lists, maps, null. */
function compareValues(a: JsonValue, b: JsonValue): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  const sa = canonicalJson(a);
  const sb = canonicalJson(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A path as upstream prints it in conflicts: `.spec.containers[name="c"].image`, `[=value]`, `[0]`. */
export function pathString(path: readonly PathElement[]): string {
  let out = "";
  for (const pe of path) {
    const rest = pe.slice(2);
    switch (pe.slice(0, 2)) {
      case "f:": out += `.${rest}`; break;
      case "k:": {
        const keys = JSON.parse(rest) as JsonObject;
        out += `[${Object.keys(keys).sort().map((k) => `${k}=${canonicalJson(keys[k] as JsonValue)}`).join(",")}]`;
        break;
      }
      case "v:": out += `[=${rest}]`; break;
      default: out += `[${rest}]`;
    }
  }
  return out;
}
