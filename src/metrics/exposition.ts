/**
 * Pieces of the Prometheus text format (version 0.0.4) for series rendered ahead of a scrape, as
 * kube-state-metrics renders its object metrics: label values escaped, numbers as Go's `%g` prints them.
 */

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`)) : value;
}

/** Formats a sample value as Go's strconv.FormatFloat(v, 'g', -1, 64): `3`, `0.5`, `1.73346e+09`, `+Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value === 0) return "0";
  const exp = Number(value.toExponential().split("e")[1]);
  return exp < -4 || exp >= 6 ? goExponent(value) : String(value);
}

function goExponent(value: number): string {
  const [mantissa = "", e = "0"] = value.toExponential().split("e");
  const n = Number(e);
  const digits = String(Math.abs(n)).padStart(2, "0");
  return `${mantissa}e${n < 0 ? "-" : "+"}${digits}`;
}

/** One sample line `name{k="v",...} value` (labels in the given order; no braces when there are none). */
export function sampleLine(name: string, labels: readonly (readonly [string, string])[], value: number): string {
  if (labels.length === 0) return `${name} ${formatValue(value)}`;
  let out = `${name}{`;
  for (let i = 0; i < labels.length; i++) {
    const [k, v] = labels[i] as readonly [string, string];
    out += `${i > 0 ? "," : ""}${k}="${escapeLabelValue(v)}"`;
  }
  return `${out}} ${formatValue(value)}`;
}

/** The `# HELP` and `# TYPE` lines of a metric family. */
export function familyHeader(name: string, help: string, type: "gauge" | "counter"): string {
  return `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}\n# TYPE ${name} ${type}`;
}
