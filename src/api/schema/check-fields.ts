/**
 * Field checks on decoded JSON bodies, as upstream's typed decoding sees them: fields the schema does not
 * know (what strict decoding reports and lenient decoding drops) and values of the wrong JSON type (what
 * json decoding into Go structs rejects).
 */
import { isPlainObject as isObject } from "../../util/json.js";
import { parseQuantity, quantityFormatError } from "../quantity.js";
import type { ResourceInfo } from "../resources.js";
import { definition, goTypeName, schemaFor } from "./catalog.js";
import type { Definition, SchemaType } from "./types.js";

/** What checkFields found. Both lists are in document order; upstream reports only the first type error. */
export interface FieldCheckResult {
  /** Dotted paths as strict decoding prints them, e.g. `spec.template.spec.containers[0].imagee`. */
  unknownFields: string[];
  /** Messages as json decoding prints them, e.g. `json: cannot unmarshal string into Go struct field DaemonSetSpec.spec.minReadySeconds of type int32`. */
  typeErrors: string[];
}

/** Which schema to check against: a served resource, or any known kind (Binding, Eviction, DeleteOptions). */
export type SchemaTarget = Pick<ResourceInfo, "group" | "version" | "kind">;

const maxDepth = 100;
const maxReports = 1000;

/** Lists unknown fields and type errors of `obj` against the kind's schema; never throws on any input. */
export function checkFields(target: SchemaTarget, obj: unknown): FieldCheckResult {
  const ctx: Walk = { result: { unknownFields: [], typeErrors: [] }, prune: false };
  walkRoot(rootDefinition(target), obj, ctx);
  return ctx.result;
}

/**
 * Deletes, in place, every field of `obj` the kind's schema does not know (what typed decoding drops), and turns
 * null map values and list items into their type's zero value (`""`, `0`, `false`, `{}`), as decoding into Go
 * maps and slices does: stored objects never hold `{"app": null}` labels or `[null]` lists.
 */
export function pruneUnknownFields(target: SchemaTarget, obj: unknown): void {
  walkRoot(rootDefinition(target), obj, { result: { unknownFields: [], typeErrors: [] }, prune: true });
}

/**
 * checkFields and pruneUnknownFields in one walk: reports what checkFields reports (zero values put in place of
 * nulls never make type errors) while pruning `obj` in place as pruneUnknownFields does.
 */
export function checkAndPruneFields(target: SchemaTarget, obj: unknown): FieldCheckResult {
  const ctx: Walk = { result: { unknownFields: [], typeErrors: [] }, prune: true };
  walkRoot(rootDefinition(target), obj, ctx);
  return ctx.result;
}

function rootDefinition(target: SchemaTarget): Definition {
  const apiVersion = target.group ? `${target.group}/${target.version}` : target.version;
  const def = schemaFor(target.kind, apiVersion);
  if (!def) throw new Error(`no schema for ${apiVersion}, Kind=${target.kind}`);
  return def;
}

interface Walk { result: FieldCheckResult; prune: boolean }

/**
 * Where a value sits, as a chain to the root: the display path and the Go error context (innermost struct, field
 * chain) are only joined into strings when a report needs them.
 */
interface Place {
  readonly parent: Place | undefined;
  /**
   * What this place adds to the display path: a key (`key` at the root, `.key` below) or a list index (`[i]`); the
   * text is only made when a report needs it.
   */
  readonly step: string | number;
  /** The struct field name this place adds to the Go field chain; "" for map values and list items. */
  readonly goField: string;
  /** Go name of the innermost struct. */
  readonly goStruct: string;
}

function pathOf(place: Place | undefined): string {
  const parts: string[] = [];
  for (let p = place; p !== undefined; p = p.parent) {
    parts.push(typeof p.step === "number" ? `[${p.step}]` : p.parent === undefined ? p.step : `.${p.step}`);
  }
  return parts.reverse().join("");
}

function goFieldsOf(place: Place | undefined): string {
  const parts: string[] = [];
  for (let p = place; p !== undefined; p = p.parent) if (p.goField !== "") parts.push(p.goField);
  return parts.reverse().join(".");
}

function walkRoot(def: Definition, obj: unknown, ctx: Walk): void {
  if (!isObject(obj)) return;
  walkStruct(def, obj, undefined, ctx, 0);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "object" : typeof v;
}

function report(list: string[], message: string): void {
  if (list.length < maxReports) list.push(message);
}

function walkStruct(def: Definition, obj: Record<string, unknown>, at: Place | undefined, ctx: Walk, depth: number): void {
  if (depth > maxDepth) {
    report(ctx.result.typeErrors, `json: exceeded max depth at ${pathOf(at) || "<root>"}`);
    return;
  }
  for (const key of Object.keys(obj)) {
    const prop = def.properties.get(key);
    const place: Place = { parent: at, step: key, goField: key, goStruct: def.goName };
    if (!prop) {
      report(ctx.result.unknownFields, pathOf(place));
      if (ctx.prune) delete obj[key];
      continue;
    }
    walkValue(prop.type, obj[key], place, ctx, depth + 1);
  }
}

function typeError(ctx: Walk, value: string, place: Place, t: SchemaType): void {
  report(ctx.result.typeErrors, `json: cannot unmarshal ${value} into Go struct field ${place.goStruct}.${goFieldsOf(place)} of type ${goTypeName(t)}`);
}

/** The place of an entry of the container at `place` (map key or list index): same Go context, longer path. */
function entryPlace(place: Place, step: string | number): Place {
  return { parent: place, step, goField: "", goStruct: place.goStruct };
}

const int32Min = -2147483648;
const int32Max = 2147483647;

function walkValue(t: SchemaType, v: unknown, place: Place, ctx: Walk, depth: number): void {
  if (v === null || v === undefined) return;
  switch (t.kind) {
    case "string":
      if (typeof v !== "string") typeError(ctx, jsonKind(v), place, t);
      return;
    case "boolean":
      if (typeof v !== "boolean") typeError(ctx, jsonKind(v), place, t);
      return;
    case "number":
      if (typeof v !== "number") typeError(ctx, jsonKind(v), place, t);
      return;
    case "integer":
      if (typeof v !== "number") typeError(ctx, jsonKind(v), place, t);
      else if (!Number.isInteger(v) || (t.format === "int32" && (v < int32Min || v > int32Max)) || !Number.isSafeInteger(v)) typeError(ctx, `number ${v}`, place, t);
      return;
    case "object": {
      const def = definition(t.ref);
      if (!isObject(v)) typeError(ctx, jsonKind(v), place, t);
      else if (def) walkStruct(def, v, place, ctx, depth);
      return;
    }
    case "map":
      if (!isObject(v)) typeError(ctx, jsonKind(v), place, t);
      else {
        for (const key of Object.keys(v)) {
          if (ctx.prune && v[key] === null) v[key] = zeroValue(t.values);
          const item = v[key];
          // Scalars are checked without a place of their own unless they are wrong.
          if (item !== null && item !== undefined) walkValue(t.values, item, entryPlace(place, key), ctx, depth + 1);
        }
      }
      return;
    case "array":
      if (!Array.isArray(v)) typeError(ctx, jsonKind(v), place, t);
      else {
        for (let i = 0; i < v.length; i++) {
          if (ctx.prune && v[i] === null) v[i] = zeroValue(t.items);
          const item: unknown = v[i];
          if (item !== null && item !== undefined) walkValue(t.items, item, entryPlace(place, i), ctx, depth + 1);
        }
      }
      return;
    case "time": {
      const message = timeError(v, t.micro);
      if (message) report(ctx.result.typeErrors, message);
      return;
    }
    case "int-or-string":
      if (typeof v === "string") return;
      if (typeof v !== "number") report(ctx.result.typeErrors, `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`);
      else if (!Number.isInteger(v) || v < int32Min || v > int32Max) report(ctx.result.typeErrors, `json: cannot unmarshal number ${v} into Go value of type int32`);
      return;
    case "quantity": {
      const message = quantityError(v);
      if (message) report(ctx.result.typeErrors, message);
      return;
    }
    case "free-form":
      return;
  }
}

/** What Go decodes a JSON null into when it is a map value or slice item of type `t` (null stays null for the rest). */
function zeroValue(t: SchemaType): unknown {
  switch (t.kind) {
    case "string": return "";
    case "integer": case "number": case "int-or-string": return 0;
    case "boolean": return false;
    case "quantity": return "0";
    case "object": case "map": return {};
    default: return null;
  }
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The full check of a metav1.Time/MicroTime string: RFC 3339 that Date.parse accepts. */
export function isTime(v: string): boolean {
  return rfc3339.test(v) && !Number.isNaN(Date.parse(v));
}

/** Two ASCII digits at `i` forming a number in [min, max]. */
function twoDigits(v: string, i: number, min: number, max: number): boolean {
  const a = v.charCodeAt(i) - 48;
  const b = v.charCodeAt(i + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return false;
  const n = a * 10 + b;
  return n >= min && n <= max;
}

/**
 * The common case that both checks of timeError pass, without the regular expression and Date.parse:
 * `YYYY-MM-DDTHH:MM:SS[.F{1,9}]Z` with a day of the month up to 28 (so valid in every month), hours up to 23 and
 * minutes and seconds up to 59. False says nothing (the full check decides).
 */
export function isPlainUtcTime(v: string): boolean {
  const n = v.length;
  if (n < 20 || n > 30 || v.charCodeAt(n - 1) !== 90 /* Z */) return false;
  if (!twoDigits(v, 0, 0, 99) || !twoDigits(v, 2, 0, 99) || v.charCodeAt(4) !== 45 || !twoDigits(v, 5, 1, 12) || v.charCodeAt(7) !== 45) return false;
  if (!twoDigits(v, 8, 1, 28) || v.charCodeAt(10) !== 84 /* T */ || !twoDigits(v, 11, 0, 23) || v.charCodeAt(13) !== 58) return false;
  if (!twoDigits(v, 14, 0, 59) || v.charCodeAt(16) !== 58 || !twoDigits(v, 17, 0, 59)) return false;
  if (n === 20) return true;
  if (v.charCodeAt(19) !== 46 /* . */ || n === 21) return false;
  for (let i = 20; i < n - 1; i++) {
    const d = v.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** Why a value is not a metav1.Time/MicroTime as Go would say it; undefined when it is one. */
export function timeError(v: unknown, micro: boolean): string | undefined {
  if (typeof v !== "string") return `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
  if (isPlainUtcTime(v) || isTime(v)) return undefined;
  const layout = micro ? "2006-01-02T15:04:05.000000Z07:00" : "2006-01-02T15:04:05Z07:00";
  return `parsing time ${JSON.stringify(v)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(v)} as "2006"`;
}

/** Why a value is not a resource.Quantity, in upstream's words; undefined when it is one. */
export function quantityError(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? undefined : quantityFormatError;
  if (typeof v !== "string") return quantityFormatError;
  try {
    parseQuantity(v.trim());
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : quantityFormatError;
  }
}
