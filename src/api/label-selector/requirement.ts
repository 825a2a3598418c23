/** Label selector requirements: their operators, validation (upstream messages) and matching. */
import { isQualifiedName as labelKeyErrors, isValidLabelValue as labelValueErrors } from "../validation/names.js";

/** Requirement operators; `gt`/`lt` compare integers (`a>5`, `a<5`). `==` is normalised to `=`. */
export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One requirement of a selector: `key`, operator and (sorted for set operators) values. */
export interface Requirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** Renders a string list the way Go's %#v prints a []string. */
function goStrings(values: readonly string[], nilWhenEmpty: boolean): string {
  if (values.length === 0) return nilWhenEmpty ? "[]string(nil)" : "[]string{}";
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

/** `path: Invalid value: value: detail`, as field errors print. */
export const invalidValue = (path: string, value: string, detail: string): string => `${path}: Invalid value: ${value}: ${detail}`;

const int64Re = /^[+-]?[0-9]+$/;
function isInt64(s: string): boolean {
  if (!int64Re.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Validation errors of a requirement (paths `key`, `values[i][key]`); empty value lists print as nil when asked. */
export function requirementErrors(key: string, op: LabelOperator, values: readonly string[], nilWhenEmpty: boolean): string[] {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length) errs.push(invalidValue("key", JSON.stringify(key), keyErrs.join("; ")));
  const shown = goStrings(values, nilWhenEmpty);
  switch (op) {
    case "in": case "notin":
      if (values.length === 0) errs.push(invalidValue("values", shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=": case "!=":
      if (values.length !== 1) errs.push(invalidValue("values", shown, "exact-match compatibility requires one single value"));
      break;
    case "exists": case "!":
      if (values.length !== 0) errs.push(invalidValue("values", shown, "values set must be empty for exists and does not exist"));
      break;
    case "gt": case "lt":
      if (values.length !== 1) errs.push(invalidValue("values", shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (!isInt64(v)) errs.push(invalidValue(`values[${i}]`, JSON.stringify(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length) errs.push(invalidValue(`values[${i}][${key}]`, JSON.stringify(v), valueErrs.join("; ")));
  });
  return errs;
}

/** Joins errors as an aggregate error prints them: one as is, several as `[a, b]` (duplicates dropped). */
export function aggregate(errs: readonly string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? (unique[0] ?? "") : `[${unique.join(", ")}]`;
}

/** Builds a validated requirement; throws Error (aggregate message as upstream) when invalid. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, operator, values, true);
  if (errs.length) throw new Error(aggregate(errs));
  return { key, operator, values: [...values] };
}

/** True when one requirement holds for `labels`. */
export function requirementMatches(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && labels !== null && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "=": case "in":
      return has && r.values.includes(value ?? "");
    case "!=": case "notin":
      return !has || !r.values.includes(value ?? "");
    case "exists":
      return has;
    case "!":
      return !has;
    case "gt": case "lt": {
      if (!has || r.values.length !== 1 || !isInt64(value ?? "") || !isInt64(r.values[0] ?? "")) return false;
      const actual = BigInt(value ?? "");
      const bound = BigInt(r.values[0] ?? "");
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

/** Canonical string form of one requirement, e.g. `c in (x,y)`. */
export function requirementString(r: Requirement): string {
  const values = r.values.length === 1 ? (r.values[0] ?? "") : [...r.values].sort().join(",");
  switch (r.operator) {
    case "exists": return r.key;
    case "!": return `!${r.key}`;
    case "in": return `${r.key} in (${values})`;
    case "notin": return `${r.key} notin (${values})`;
    case "gt": return `${r.key}>${values}`;
    case "lt": return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}
