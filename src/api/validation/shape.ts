/**
 * Readers for untrusted decoded JSON: each returns the value when it has the expected JSON type, returns
 * undefined when it is absent (undefined or null), and records a FieldValueTypeInvalid error otherwise.
 */
import { isPlainObject } from "../../util/json.js";
import { type FieldError, fieldErrors, formatValue } from "../status-error.js";

/** A decoded JSON object. */
export type Obj = Record<string, unknown>;

/** True for a non-null, non-array object. */
export const isObj: (v: unknown) => v is Obj = isPlainObject;

/** True for undefined and null: the field is not set. */
export function isAbsent(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** A FieldValueTypeInvalid error: `Invalid value: "3": must be of type integer`. */
export function typeInvalid(field: string, value: unknown, type: string): FieldError {
  return { type: "FieldValueTypeInvalid", field, detail: `Invalid value: ${formatValue(value)}: must be of type ${type}` };
}

/** A FieldValueInvalid error whose value is already rendered (e.g. in Go syntax). */
export function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, detail: `Invalid value: ${rendered}${detail ? `: ${detail}` : ""}` };
}

/** A FieldValueDuplicate error with an already rendered value and an optional detail. */
export function duplicateRendered(field: string, rendered: string, detail = ""): FieldError {
  return { type: "FieldValueDuplicate", field, detail: `Duplicate value: ${rendered}${detail ? `: ${detail}` : ""}` };
}

/** A FieldValueNotSupported error with an already rendered value. */
export function notSupportedRendered(field: string, rendered: string, supported: string[]): FieldError {
  return {
    type: "FieldValueNotSupported", field,
    detail: `Unsupported value: ${rendered}: supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}`,
  };
}

/** Reads an object. */
export function readObj(v: unknown, path: string, errs: FieldError[]): Obj | undefined {
  if (isAbsent(v)) return undefined;
  if (isObj(v)) return v;
  errs.push(typeInvalid(path, v, "object"));
  return undefined;
}

/** Reads an array. */
export function readArray(v: unknown, path: string, errs: FieldError[]): unknown[] | undefined {
  if (isAbsent(v)) return undefined;
  if (Array.isArray(v)) return v;
  errs.push(typeInvalid(path, v, "array"));
  return undefined;
}

/** Reads a string. */
export function readString(v: unknown, path: string, errs: FieldError[]): string | undefined {
  if (isAbsent(v)) return undefined;
  if (typeof v === "string") return v;
  errs.push(typeInvalid(path, v, "string"));
  return undefined;
}

/** Reads an integer (a JSON number without a fraction). */
export function readInt(v: unknown, path: string, errs: FieldError[]): number | undefined {
  if (isAbsent(v)) return undefined;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  errs.push(typeInvalid(path, v, "integer"));
  return undefined;
}

/** Reads a boolean. */
export function readBool(v: unknown, path: string, errs: FieldError[]): boolean | undefined {
  if (isAbsent(v)) return undefined;
  if (typeof v === "boolean") return v;
  errs.push(typeInvalid(path, v, "boolean"));
  return undefined;
}

/** Reads a map of strings (labels, annotations, nodeSelector); entries of another type are reported and dropped. */
export function readStringMap(v: unknown, path: string, errs: FieldError[]): Record<string, string> | undefined {
  const o = readObj(v, path, errs);
  if (!o) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) {
    if (typeof val === "string") out[k] = val;
    else if (!isAbsent(val)) errs.push(typeInvalid(`${path}[${k}]`, val, "string"));
  }
  return out;
}

/** Reads a list of strings; items of another type are reported and dropped. */
export function readStringList(v: unknown, path: string, errs: FieldError[]): string[] | undefined {
  const list = readArray(v, path, errs);
  if (!list) return undefined;
  const out: string[] = [];
  list.forEach((item, i) => {
    if (typeof item === "string") out.push(item);
    else errs.push(typeInvalid(`${path}[${i}]`, item, "string"));
  });
  return out;
}

/** Reads an array of objects; items of another type are reported and returned as undefined at their index. */
export function readObjList(v: unknown, path: string, errs: FieldError[]): Array<Obj | undefined> | undefined {
  const list = readArray(v, path, errs);
  if (!list) return undefined;
  return list.map((item, i) => readObj(item, `${path}[${i}]`, errs) ?? (isAbsent(item) ? {} : undefined));
}

/** Sorted own keys, so that errors come out in a stable order. */
export function sortedKeys(o: Obj): string[] {
  return Object.keys(o).sort();
}

/**
 * Reads a string that must be set: records Required (with an optional detail) when it is absent or empty and a
 * type error when it is not a string; returns the string, or undefined when it is unusable.
 */
export function readRequiredString(v: unknown, path: string, errs: FieldError[], detail = ""): string | undefined {
  if (isAbsent(v) || v === "") {
    errs.push(fieldErrors.required(path, detail));
    return undefined;
  }
  return readString(v, path, errs);
}
