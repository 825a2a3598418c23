/**
 * Structural validation of metav1.LabelSelector, and the small matcher validation needs to check that a
 * workload's selector selects its own template.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isQualifiedName, isValidLabelValue } from "./names.js";
import { validateLabels } from "./object-meta.js";
import { isAbsent, isObj, readObj, readObjList, readString, readStringList } from "./shape.js";

const operators = new Set(["In", "NotIn", "Exists", "DoesNotExist"]);

/** Validates matchLabels and each matchExpressions requirement (operator, values, key). */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = readObj(selector, path, errs);
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  const exprs = readObjList(sel.matchExpressions, `${path}.matchExpressions`, errs) ?? [];
  exprs.forEach((expr, i) => {
    if (!expr) return;
    const p = `${path}.matchExpressions[${i}]`;
    const operator = readString(expr.operator, `${p}.operator`, errs) ?? "";
    const values = readStringList(expr.values, `${p}.values`, errs) ?? [];
    const key = readString(expr.key, `${p}.key`, errs) ?? "";
    if (operator === "In" || operator === "NotIn") {
      if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === "Exists" || operator === "DoesNotExist") {
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, "not a valid selector operator"));
    }
    for (const msg of isQualifiedName(key)) errs.push(fieldErrors.invalid(`${p}.key`, key, msg));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(fieldErrors.invalid(`${p}.values[${j}]`, v, msg));
    });
  });
  return errs;
}

/** True when the selector has neither matchLabels nor matchExpressions entries. */
export function isEmptySelector(selector: Record<string, unknown>): boolean {
  const labels = isObj(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0;
  const exprs = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0;
  return labels + exprs === 0;
}

interface Requirement { key: string; operator: string; values: string[] }

/** Converts a selector into requirements; undefined when it cannot be converted (like upstream's conversion error). */
function requirements(selector: unknown): Requirement[] | undefined {
  if (!isObj(selector)) return undefined;
  const out: Requirement[] = [];
  if (!isAbsent(selector.matchLabels)) {
    if (!isObj(selector.matchLabels)) return undefined;
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      if (typeof value !== "string" || isQualifiedName(key).length > 0 || isValidLabelValue(value).length > 0) return undefined;
      out.push({ key, operator: "In", values: [value] });
    }
  }
  if (!isAbsent(selector.matchExpressions)) {
    if (!Array.isArray(selector.matchExpressions)) return undefined;
    for (const expr of selector.matchExpressions) {
      if (!isObj(expr) || typeof expr.key !== "string" || typeof expr.operator !== "string") return undefined;
      const values = isAbsent(expr.values) ? [] : expr.values;
      if (!Array.isArray(values) || !values.every((v): v is string => typeof v === "string")) return undefined;
      if (!operators.has(expr.operator) || isQualifiedName(expr.key).length > 0) return undefined;
      const needsValues = expr.operator === "In" || expr.operator === "NotIn";
      if (needsValues !== (values.length > 0)) return undefined;
      if (values.some((v) => isValidLabelValue(v).length > 0)) return undefined;
      out.push({ key: expr.key, operator: expr.operator, values });
    }
  }
  return out;
}

/**
 * Whether the selector matches the labels: true/false, or undefined when the selector is invalid and cannot be
 * evaluated. An absent selector matches nothing; an empty one matches everything.
 */
export function selectorMatchesLabels(selector: unknown, labels: Record<string, string>): boolean | undefined {
  if (isAbsent(selector)) return false;
  const reqs = requirements(selector);
  if (!reqs) return undefined;
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case "In": return has && value !== undefined && r.values.includes(value);
      case "NotIn": return !has || value === undefined || !r.values.includes(value);
      case "Exists": return has;
      default: return !has;
    }
  });
}
