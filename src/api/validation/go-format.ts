/**
 * Renders values the way upstream error messages print them (Go's `%#v` for maps, slices and structs, and
 * `String()` for int-or-string values), so messages read exactly like a real API server's.
 */
import { isAbsent, isObj } from "./shape.js";

/** A Go quoted string. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

function goScalar(v: unknown): string {
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return goQuote(JSON.stringify(v) ?? "");
}

/** `map[string]string{"a":"b", "c":"d"}`, or `map[string]string(nil)` when absent. */
export function goStringMap(m: unknown): string {
  if (!isObj(m)) return "map[string]string(nil)";
  const entries = Object.keys(m).sort().map((k) => `${goQuote(k)}:${goScalar(m[k])}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** `[]string{"a", "b"}`, or `[]string(nil)` when absent. */
export function goStringSlice(list: unknown): string {
  if (!Array.isArray(list)) return "[]string(nil)";
  return `[]string{${list.map(goScalar).join(", ")}}`;
}

function goRequirement(r: unknown): string {
  const o = isObj(r) ? r : {};
  return `v1.LabelSelectorRequirement{Key:${goScalar(o.key ?? "")}, Operator:${goScalar(o.operator ?? "")}, Values:${goStringSlice(o.values)}}`;
}

/** Upstream prints nil values as the quoted string "null". */
export const goNil = "\"null\"";

/** `v1.LabelSelector{MatchLabels:…, MatchExpressions:…}` for a selector (dereferenced), `"null"` when absent. */
export function goLabelSelector(sel: unknown): string {
  if (isAbsent(sel)) return goNil;
  const o = isObj(sel) ? sel : {};
  const exprs = Array.isArray(o.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${o.matchExpressions.map(goRequirement).join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goStringMap(o.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** An int-or-string as its String() form: `1`, `20%`. */
export function goIntOrString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (isAbsent(v)) return "0";
  return JSON.stringify(v) ?? "";
}

function goPointer(type: string, present: boolean): string {
  return present ? `(*${type})(0xc000010000)` : `(*${type})(nil)`;
}

/** `core.Taint{Key:"k", Value:"v", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}`. */
export function goTaint(t: unknown): string {
  const o = isObj(t) ? t : {};
  return `core.Taint{Key:${goScalar(o.key ?? "")}, Value:${goScalar(o.value ?? "")}, Effect:${goScalar(o.effect ?? "")}, `
    + `TimeAdded:${goPointer("v1.Time", !isAbsent(o.timeAdded))}}`;
}

/** `apps.DaemonSetUpdateStrategy{Type:"X", RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`. */
export function goDaemonSetUpdateStrategy(s: unknown): string {
  const o = isObj(s) ? s : {};
  return `apps.DaemonSetUpdateStrategy{Type:${goScalar(o.type ?? "")}, RollingUpdate:${goPointer("apps.RollingUpdateDaemonSet", !isAbsent(o.rollingUpdate))}}`;
}

/** A generic value: strings quoted, numbers bare, anything else as compact JSON; `"null"` when absent. */
export function goValue(v: unknown): string {
  if (isAbsent(v)) return goNil;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return goScalar(v);
  return JSON.stringify(v) ?? "null";
}
