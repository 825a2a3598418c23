/**
 * Field selectors (`fieldSelector=spec.nodeName=n1,status.phase!=Failed`): parsing with the Kubernetes
 * escaping rules, the per-resource set of selectable fields, and how each field is read from an object.
 */
import { badRequest } from "./status-error.js";
import type { KubeObject } from "./types.js";

/** One term of a field selector; `==` is normalised to `=`. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** A parsed field selector: the terms are ANDed. */
export interface FieldSelector {
  /** True when every term holds for `obj` (fields read with `fieldValue`). */
  matches(obj: KubeObject): boolean;
  /** True when the selector has no terms (matches everything). */
  empty(): boolean;
  /** Canonical string form with values escaped, e.g. `metadata.name=a\,b`; "" when empty. */
  toString(): string;
  readonly requirements: readonly FieldRequirement[];
}

interface FieldRules {
  /** Accepted field label → the field it selects on (aliases map to their canonical field). */
  accepted: Record<string, string>;
  reject(field: string): string;
}

const identity = (...fields: string[]): Record<string, string> => Object.fromEntries(fields.map((f) => [f, f]));
const notSupported = (field: string): string => `field label not supported: ${field}`;

const fieldRules: Record<string, FieldRules> = {
  pods: {
    accepted: {
      ...identity("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"),
      "spec.host": "spec.nodeName",
    },
    reject: notSupported,
  },
  nodes: { accepted: identity("metadata.name", "spec.unschedulable"), reject: notSupported },
  namespaces: { accepted: identity("metadata.name", "status.phase"), reject: notSupported },
  events: {
    accepted: identity("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
      "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
      "reportingComponent", "source", "type", "metadata.namespace", "metadata.name"),
    reject: notSupported,
  },
};

const defaultRules: FieldRules = {
  accepted: identity("metadata.name", "metadata.namespace"),
  reject: (field) => `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

/** The field labels `resource` (plural name, e.g. `pods`) can be selected on, aliases included. */
export function selectableFields(resource: string): string[] {
  return Object.keys((Object.hasOwn(fieldRules, resource) ? fieldRules[resource] : undefined)?.accepted ?? defaultRules.accepted);
}

// ---- reading fields ----

function at(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const part of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function scalar(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return "";
}

const booleanFields = new Set(["spec.hostNetwork", "spec.unschedulable"]);

/**
 * The value a selectable field has on `obj`, as the API server compares it: missing → "", booleans →
 * "true"/"false" (missing → "false"), `status.podIP` from `status.podIPs[0]` (else `status.podIP`),
 * event `source` = `source.component` or else `reportingComponent`; `status.podIPs` always reads "".
 */
export function fieldValue(obj: KubeObject, field: string): string {
  switch (field) {
    case "status.podIP": {
      const ips = at(obj, ["status", "podIPs"]);
      if (Array.isArray(ips) && ips.length > 0) return scalar(at(ips[0], ["ip"]));
      return scalar(at(obj, ["status", "podIP"]));
    }
    case "status.podIPs":
      return "";
    case "source":
      return scalar(at(obj, ["source", "component"])) || scalar(at(obj, ["reportingComponent"]));
  }
  const v = at(obj, field.split("."));
  if (booleanFields.has(field)) return v === true ? "true" : "false";
  return scalar(v);
}

// ---- parsing ----

/** Splits on commas not escaped with a backslash (escapes are kept for unescapeValue). */
function splitTerms(s: string): string[] {
  if (s === "") return [];
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Splits a term at the first operator, trying `!=`, `==`, `=` at each position. */
function splitTerm(term: string): { field: string; op: "=" | "!="; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ["!=", "==", "="] as const) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op: op === "!=" ? "!=" : "=", rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class FieldSelectorSyntaxError extends Error {}

function unescapeValue(s: string): string {
  let out = "";
  let escaped = false;
  for (const c of s) {
    if (escaped) {
      if (c !== "\\" && c !== "," && c !== "=") throw new FieldSelectorSyntaxError(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      escaped = false;
    } else if (c === "\\") {
      escaped = true;
    } else if (c === "," || c === "=") {
      // Upstream prints the rune with %v, i.e. its code point.
      throw new FieldSelectorSyntaxError(`invalid field selector: unescaped character in value: ${c.codePointAt(0) ?? 0}`);
    } else {
      out += c;
    }
  }
  if (escaped) throw new FieldSelectorSyntaxError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Escapes `\`, `,` and `=` in a field selector value. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

class TermsSelector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}
  matches(obj: KubeObject): boolean {
    return this.requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === "="));
  }
  empty(): boolean { return this.requirements.length === 0; }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(",");
  }
}

/**
 * Parses a field selector for `resource` (plural name). Terms are sorted; "" = everything.
 * Throws 400 BadRequest on malformed terms or bad escapes (`invalid selector: '…'; can't understand '…'`)
 * and on fields the resource cannot select on (`field label not supported: …` for pods, nodes,
 * namespaces and events; the generic "is not a known field selector" message for other resources).
 */
export function parseFieldSelector(s: string, resource: string): FieldSelector {
  const parsed: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === "") continue;
    const term = splitTerm(part);
    if (!term) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    let value: string;
    try {
      value = unescapeValue(term.rhs);
    } catch (e) {
      if (e instanceof FieldSelectorSyntaxError) throw badRequest(e.message);
      throw e;
    }
    parsed.push({ field: term.field, operator: term.op, value });
  }
  const rules = (Object.hasOwn(fieldRules, resource) ? fieldRules[resource] : undefined) ?? defaultRules;
  const requirements = parsed.map((r) => {
    const field = Object.hasOwn(rules.accepted, r.field) ? rules.accepted[r.field] : undefined;
    if (field === undefined) throw badRequest(rules.reject(r.field));
    return { ...r, field };
  });
  return new TermsSelector(requirements);
}

/** The value `field` must equal when the selector has a `field=value` term; else undefined. */
export function exactFieldValue(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === "=")?.value;
}
