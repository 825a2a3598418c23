/**
 * Label selectors: the string form clients send as `labelSelector=` and metav1.LabelSelector objects,
 * with the same grammar, validation messages and matching rules as the Kubernetes API.
 */
import { badRequest } from "./status-error.js";
import type { LabelSelector } from "./types.js";

/** Requirement operators; `gt`/`lt` compare integers (`a>5`, `a<5`). `==` is normalised to `=`. */
export type LabelOperator = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

/** One requirement of a selector: `key`, operator and (sorted for set operators) values. */
export interface Requirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

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

// ---- validation (messages as the Kubernetes apimachinery validators print them) ----

const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push("must be no more than 253 characters");
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", dns1123SubdomainFmt, "example.com"));
  }
  return errs;
}

/** Problems with a label key (qualified name with optional DNS-subdomain prefix); [] when valid. */
export function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split("/");
  if (parts.length > 2) {
    return [`a qualified name ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts[parts.length - 1] ?? "";
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix === "") errs.push("prefix part must be non-empty");
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name === "") errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push("name part must be no more than 63 characters");
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** Problems with a label value (≤ 63 characters, empty allowed); [] when valid. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push("must be no more than 63 characters");
  if (!labelValueRe.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, "MyValue", "my_value", "12345"));
  }
  return errs;
}

/** Renders a string list the way Go's %#v prints a []string. */
function goStrings(values: readonly string[], nilWhenEmpty: boolean): string {
  if (values.length === 0) return nilWhenEmpty ? "[]string(nil)" : "[]string{}";
  return `[]string{${values.map((v) => JSON.stringify(v)).join(", ")}}`;
}

const invalidValue = (path: string, value: string, detail: string): string => `${path}: Invalid value: ${value}: ${detail}`;

const int64Re = /^[+-]?[0-9]+$/;
function isInt64(s: string): boolean {
  if (!int64Re.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Validation errors of a requirement (paths `key`, `values[i][key]`); empty value lists print as nil when asked. */
function requirementErrors(key: string, op: LabelOperator, values: readonly string[], nilWhenEmpty: boolean): string[] {
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
function aggregate(errs: readonly string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? (unique[0] ?? "") : `[${unique.join(", ")}]`;
}

/** Builds a validated requirement; throws Error (aggregate message as upstream) when invalid. */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const errs = requirementErrors(key, operator, values, true);
  if (errs.length) throw new Error(aggregate(errs));
  return { key, operator, values: [...values] };
}

// ---- matching ----

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

function requirementString(r: Requirement): string {
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

class RequirementsSelector implements Selector {
  readonly requirements: readonly Requirement[];
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

// ---- string form ----

type TokenKind = "end" | "ident" | "in" | "notin" | "(" | ")" | "," | "!" | "=" | "==" | "!=" | ">" | "<";
interface Token { kind: TokenKind; text: string }

const symbols = new Set(["=", "!", "(", ")", ",", ">", "<"]);
const twoCharSymbols = new Set(["==", "!="]);
const isSpace = (ch: string): boolean => ch === " " || ch === "\t" || ch === "\r" || ch === "\n";

function lex(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && isSpace(s[i] ?? "")) i++;
    if (i >= s.length) {
      tokens.push({ kind: "end", text: "" });
      return tokens;
    }
    const ch = s[i] ?? "";
    if (symbols.has(ch)) {
      const two = s.slice(i, i + 2);
      const text = twoCharSymbols.has(two) ? two : ch;
      tokens.push({ kind: text as TokenKind, text });
      i += text.length;
      continue;
    }
    const start = i;
    while (i < s.length && !symbols.has(s[i] ?? "") && !isSpace(s[i] ?? "")) i++;
    const text = s.slice(start, i);
    tokens.push({ kind: text === "in" || text === "notin" ? text : "ident", text });
  }
}

class ParseError extends Error {}

const binaryOperators = "in, notin, =, ==, !=, gt, lt";

/** Recursive-descent parser over the token list; `in`/`notin` are keywords only in operator position. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(asValue = true): Token {
    const t = this.tokens[this.pos] ?? { kind: "end", text: "" };
    return asValue && (t.kind === "in" || t.kind === "notin") ? { kind: "ident", text: t.text } : t;
  }
  private next(asValue = true): Token {
    const t = this.peek(asValue);
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  parse(): Requirement[] {
    const out: Requirement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "end") return out;
      if (t.kind !== "ident" && t.kind !== "!") throw new ParseError(`found '${t.text}', expected: !, identifier, or 'end of string'`);
      try {
        out.push(this.requirement());
      } catch (e) {
        if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const sep = this.next();
      if (sep.kind === "end") return out;
      if (sep.kind !== ",") throw new ParseError(`found '${sep.text}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.kind !== "ident" && after.kind !== "!") throw new ParseError(`found '${after.text}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let t = this.next();
    if (t.kind === "!") {
      negated = true;
      t = this.next();
    }
    if (t.kind !== "ident") throw new ParseError(`found '${t.text}', expected: identifier`);
    const key = t.text;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length) throw new ParseError(invalidValue("<nil>", JSON.stringify(key), keyErrs.join("; ")));
    const following = this.peek().kind;
    if (negated || following === "end" || following === ",") return this.build(key, negated ? "!" : "exists", []);
    const opToken = this.next(false);
    let op: LabelOperator;
    switch (opToken.kind) {
      case "in": op = "in"; break;
      case "notin": op = "notin"; break;
      case "=": case "==": op = "="; break;
      case "!=": op = "!="; break;
      case ">": op = "gt"; break;
      case "<": op = "lt"; break;
      default: throw new ParseError(`found '${opToken.text}', expected: ${binaryOperators}`);
    }
    const values = op === "in" || op === "notin" ? this.setValues() : this.exactValue();
    return this.build(key, op, [...new Set(values)].sort());
  }

  private build(key: string, op: LabelOperator, values: string[]): Requirement {
    const errs = requirementErrors(key, op, values, false);
    if (errs.length) throw new ParseError(aggregate(errs));
    return { key, operator: op, values };
  }

  private setValues(): string[] {
    const open = this.next();
    if (open.kind !== "(") throw new ParseError(`found '${open.text}' expected: '('`);
    const first = this.peek();
    if (first.kind === ")") {
      this.next();
      return [""];
    }
    if (first.kind !== "ident" && first.kind !== ",") throw new ParseError(`found '${first.text}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = this.next();
      if (t.kind === "ident") {
        values.push(t.text);
        const after = this.peek();
        if (after.kind === ")") break;
        if (after.kind !== ",") throw new ParseError(`found '${after.text}', expected: ',' or ')'`);
      } else if (t.kind === ",") {
        if (values.length === 0) values.push("");
        const after = this.peek();
        if (after.kind === ")") {
          values.push("");
          break;
        }
        if (after.kind === ",") {
          this.next();
          values.push("");
        }
      } else {
        throw new ParseError(`found '${t.text}', expected: ',', or identifier`);
      }
    }
    this.next(); // the ")" seen above
    return values;
  }

  private exactValue(): string[] {
    const t = this.peek();
    if (t.kind === "end" || t.kind === ",") return [""];
    this.next();
    if (t.kind !== "ident") throw new ParseError(`found '${t.text}', expected: identifier`);
    return [t.text];
  }
}

/**
 * Parses the string form (`a=b,c!=d,e in (x,y),f notin (z),!g,h`); "" (or blanks) = everything.
 * Throws a 400 BadRequest StatusError with the upstream parser message when malformed or invalid.
 */
export function parseLabelSelector(s: string): Selector {
  try {
    return new RequirementsSelector(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}
