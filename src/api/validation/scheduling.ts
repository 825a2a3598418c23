/**
 * Scheduling-related validation: taints (node spec), tolerations, and node/pod affinity.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { goTaint } from "./go-format.js";
import { validateLabelSelector } from "./label-selector.js";
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from "./names.js";
import { duplicateRendered, isAbsent, readInt, readObj, readObjList, readString, readStringList } from "./shape.js";

/** The taint effects upstream supports. */
export const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** Validates a taint effect; an empty effect is Required unless allowEmpty. */
export function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): FieldError[] {
  if (!allowEmpty && effect === "") return [fieldErrors.required(path)];
  return taintEffects.includes(effect) ? [] : [fieldErrors.notSupported(path, effect, taintEffects)];
}

function labelNameErrors(key: string, path: string): FieldError[] {
  return isQualifiedName(key).map((msg) => fieldErrors.invalid(path, key, msg));
}

/** Validates node taints: key qualified name, value label value, supported effect, unique by key and effect. */
export function validateNodeTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  (readObjList(taints, path, errs) ?? []).forEach((taint, i) => {
    if (!taint) return;
    const p = `${path}[${i}]`;
    const key = readString(taint.key, `${p}.key`, errs) ?? "";
    const value = readString(taint.value, `${p}.value`, errs) ?? "";
    const effect = readString(taint.effect, `${p}.effect`, errs) ?? "";
    errs.push(...labelNameErrors(key, `${p}.key`));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length > 0) errs.push(fieldErrors.invalid(`${p}.value`, value, valueErrs.join(";")));
    errs.push(...validateTaintEffect(effect, false, `${p}.effect`));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      errs.push(duplicateRendered(p, goTaint(taint), "taints must be unique by key and effect pair"));
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return errs;
}

/** Validates tolerations: key, operator/value combination, effect, tolerationSeconds only with NoExecute. */
export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (readObjList(tolerations, path, errs) ?? []).forEach((t, i) => {
    if (!t) return;
    const p = `${path}[${i}]`;
    const key = readString(t.key, `${p}.key`, errs) ?? "";
    const operator = readString(t.operator, `${p}.operator`, errs) ?? "";
    const value = readString(t.value, `${p}.value`, errs) ?? "";
    const effect = readString(t.effect, `${p}.effect`, errs) ?? "";
    const seconds = readInt(t.tolerationSeconds, `${p}.tolerationSeconds`, errs);
    if (key !== "") errs.push(...labelNameErrors(key, `${p}.key`));
    if (key === "" && operator !== "Exists") {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (seconds !== undefined && effect !== "NoExecute") {
      errs.push(fieldErrors.invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === "" || operator === "Equal") {
      const valueErrs = isValidLabelValue(value);
      if (valueErrs.length > 0) errs.push(fieldErrors.invalid(`${p}.operator`, value, valueErrs.join(";")));
    } else if (operator === "Exists") {
      if (value !== "") errs.push(fieldErrors.invalid(`${p}.operator`, value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldErrors.notSupported(`${p}.operator`, operator, ["Equal", "Exists"]));
    }
    if (effect !== "") errs.push(...validateTaintEffect(effect, true, `${p}.effect`));
  });
  return errs;
}

function validateNodeSelectorTerm(term: Record<string, unknown>, path: string, errs: FieldError[]): void {
  (readObjList(term.matchExpressions, `${path}.matchExpressions`, errs) ?? []).forEach((req, j) => {
    if (!req) return;
    const p = `${path}.matchExpressions[${j}]`;
    const operator = readString(req.operator, `${p}.operator`, errs) ?? "";
    const values = readStringList(req.values, `${p}.values`, errs) ?? [];
    const key = readString(req.key, `${p}.key`, errs) ?? "";
    if (operator === "In" || operator === "NotIn") {
      if (values.length === 0) errs.push(fieldErrors.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === "Exists" || operator === "DoesNotExist") {
      if (values.length > 0) errs.push(fieldErrors.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (operator === "Gt" || operator === "Lt") {
      if (values.length !== 1) errs.push(fieldErrors.required(`${p}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, "not a valid selector operator"));
    }
    errs.push(...labelNameErrors(key, `${p}.key`));
  });
  (readObjList(term.matchFields, `${path}.matchFields`, errs) ?? []).forEach((req, j) => {
    if (!req) return;
    const p = `${path}.matchFields[${j}]`;
    const operator = readString(req.operator, `${p}.operator`, errs) ?? "";
    const values = readStringList(req.values, `${p}.values`, errs) ?? [];
    const key = readString(req.key, `${p}.key`, errs) ?? "";
    if (operator === "In" || operator === "NotIn") {
      if (values.length !== 1) errs.push(fieldErrors.required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errs.push(fieldErrors.invalid(`${p}.operator`, operator, "not a valid selector operator"));
    }
    if (key !== "metadata.name") {
      errs.push(fieldErrors.invalid(`${p}.key`, key, "not a valid field selector key"));
    } else {
      values.forEach((v, k) => {
        for (const msg of nameIsDNSSubdomain(v, false)) errs.push(fieldErrors.invalid(`${p}.values[${k}]`, v, msg));
      });
    }
  });
}

/** Validates a NodeSelector (required node affinity): at least one term, valid requirements. */
export function validateNodeSelector(selector: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sel = readObj(selector, path, errs);
  if (!sel) return errs;
  const termsPath = `${path}.nodeSelectorTerms`;
  const terms = readObjList(sel.nodeSelectorTerms, termsPath, errs) ?? [];
  if (terms.length === 0) return [...errs, fieldErrors.required(termsPath, "must have at least one node selector term")];
  terms.forEach((term, i) => { if (term) validateNodeSelectorTerm(term, `${termsPath}[${i}]`, errs); });
  return errs;
}

function validateWeight(weight: unknown, path: string, errs: FieldError[]): void {
  const w = readInt(weight, path, errs) ?? 0;
  if (w <= 0 || w > 100) errs.push(fieldErrors.invalid(path, w, "must be in the range 1-100"));
}

function validatePodAffinityTerm(term: Record<string, unknown>, path: string, errs: FieldError[]): void {
  errs.push(...validateLabelSelector(term.labelSelector, `${path}.labelSelector`));
  errs.push(...validateLabelSelector(term.namespaceSelector, `${path}.namespaceSelector`));
  for (const ns of readStringList(term.namespaces, `${path}.namespaces`, errs) ?? []) {
    for (const msg of nameIsDNSLabel(ns, false)) errs.push(fieldErrors.invalid(`${path}.namespace`, ns, msg));
  }
  const topologyKey = readString(term.topologyKey, `${path}.topologyKey`, errs) ?? "";
  if (topologyKey === "") errs.push(fieldErrors.required(`${path}.topologyKey`, "can not be empty"));
  errs.push(...labelNameErrors(topologyKey, `${path}.topologyKey`));
}

function validatePodAffinityRules(rules: Record<string, unknown>, path: string, errs: FieldError[]): void {
  const requiredPath = `${path}.requiredDuringSchedulingIgnoredDuringExecution`;
  (readObjList(rules.requiredDuringSchedulingIgnoredDuringExecution, requiredPath, errs) ?? []).forEach((term, i) => {
    if (term) validatePodAffinityTerm(term, `${requiredPath}[${i}]`, errs);
  });
  const preferredPath = `${path}.preferredDuringSchedulingIgnoredDuringExecution`;
  (readObjList(rules.preferredDuringSchedulingIgnoredDuringExecution, preferredPath, errs) ?? []).forEach((weighted, i) => {
    if (!weighted) return;
    validateWeight(weighted.weight, `${preferredPath}[${i}].weight`, errs);
    const term = readObj(weighted.podAffinityTerm, `${preferredPath}[${i}].podAffinityTerm`, errs) ?? {};
    validatePodAffinityTerm(term, `${preferredPath}[${i}].podAffinityTerm`, errs);
  });
}

/** Validates spec.affinity: node affinity selectors and weights, pod (anti-)affinity terms. */
export function validateAffinity(affinity: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const a = readObj(affinity, path, errs);
  if (!a) return errs;
  const na = readObj(a.nodeAffinity, `${path}.nodeAffinity`, errs);
  if (na) {
    const naPath = `${path}.nodeAffinity`;
    if (!isAbsent(na.requiredDuringSchedulingIgnoredDuringExecution)) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, `${naPath}.requiredDuringSchedulingIgnoredDuringExecution`));
    }
    const preferredPath = `${naPath}.preferredDuringSchedulingIgnoredDuringExecution`;
    (readObjList(na.preferredDuringSchedulingIgnoredDuringExecution, preferredPath, errs) ?? []).forEach((term, i) => {
      if (!term) return;
      validateWeight(term.weight, `${preferredPath}[${i}].weight`, errs);
      const preference = readObj(term.preference, `${preferredPath}[${i}].preference`, errs) ?? {};
      validateNodeSelectorTerm(preference, `${preferredPath}[${i}].preference`, errs);
    });
  }
  const pa = readObj(a.podAffinity, `${path}.podAffinity`, errs);
  if (pa) validatePodAffinityRules(pa, `${path}.podAffinity`, errs);
  const paa = readObj(a.podAntiAffinity, `${path}.podAntiAffinity`, errs);
  if (paa) validatePodAffinityRules(paa, `${path}.podAntiAffinity`, errs);
  return errs;
}
