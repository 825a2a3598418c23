/** The label selector model: requirements ANDed, and the selectors built from sets and metav1.LabelSelector. */
import type { LabelSelector } from "../types.js";
import { newRequirement, requirementMatches, requirementString, type LabelOperator, type Requirement } from "./requirement.js";

/** A parsed label selector: the requirements are ANDed. */
export interface Selector {
  /** True when every requirement holds for `labels` (undefined labels = no labels). */
  matches(labels: Record<string, string> | undefined): boolean;
  /** True when the selector does not restrict anything (it matches everything). */
  empty(): boolean;
  /** Canonical string form, e.g. `a=b,c in (x,y),!d`; "" for everything and for nothing. */
  toString(): string;
  readonly requirements: readonly Requirement[];
}

/** A selector ANDing requirements (sorted by key). */
export class RequirementsSelector implements Selector {
  readonly requirements: readonly Requirement[];
  /** Keeps `requirements` sorted by key. */
  constructor(requirements: readonly Requirement[]) {
    this.requirements = Object.freeze([...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
  matches(labels: Record<string, string> | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  empty(): boolean { return this.requirements.length === 0; }
  toString(): string { return this.requirements.map(requirementString).join(","); }
}

const nothingSelector: Selector = Object.freeze({
  requirements: Object.freeze([]) as readonly Requirement[],
  matches: () => false,
  empty: () => false,
  toString: () => "",
});

/** A selector ANDing the given requirements (sorted by key); no requirements = everything. */
export function selectorFromRequirements(requirements: readonly Requirement[]): Selector {
  return new RequirementsSelector(requirements);
}

/** A selector requiring every `key=value` of the set; empty/undefined set = everything. No validation. */
export function labelSelectorFromSet(set: Record<string, string> | undefined): Selector {
  return new RequirementsSelector(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: "=", values: [value] })));
}

/** True for the selector that matches nothing (from an absent metav1.LabelSelector). */
export function matchesNothing(selector: Selector): boolean {
  return selector === nothingSelector;
}

/** The value `key` must have when the selector pins it with a single-valued `=`/`in`; else undefined. */
export function exactLabelValue(selector: Selector, key: string): string | undefined {
  const r = selector.requirements.find((x) => x.key === key);
  if (!r || (r.operator !== "=" && r.operator !== "in") || r.values.length !== 1) return undefined;
  return r.values[0];
}

// ---- metav1.LabelSelector ----

const objectOperators: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * Converts a metav1.LabelSelector: undefined/null matches nothing, `{}` matches everything.
 * Throws Error for an unknown operator or an invalid requirement (e.g. In with no values).
 */
export function labelSelectorFromObject(sel: LabelSelector | undefined | null): Selector {
  if (sel === undefined || sel === null) return nothingSelector;
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    requirements.push(newRequirement(key, "=", [value]));
  }
  for (const expr of sel.matchExpressions ?? []) {
    const op = Object.hasOwn(objectOperators, expr.operator) ? objectOperators[expr.operator] : undefined;
    if (op === undefined) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, expr.values ?? []));
  }
  return new RequirementsSelector(requirements);
}
