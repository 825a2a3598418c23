/** Command-line flags of the bench programs, parsed by node:util parseArgs (`--name value` or `--name=value`). */
import { parseArgs } from "node:util";

/** Parses `argv` (without node and script) for string flags `names`; unknown flags and positionals throw. */
export function benchFlags<N extends string>(argv: readonly string[], names: readonly N[]): Partial<Record<N, string>> {
  const options: Record<string, { type: "string" }> = {};
  for (const name of names) options[name] = { type: "string" };
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  const out: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = values[name];
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/** The number flag `--name` holds, or `fallback` when absent; throws for text that is not a finite number. */
export function numberFlag(flags: Partial<Record<string, string>>, name: string, fallback: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new Error(`--${name} must be a number, not ${JSON.stringify(text)}`);
  return value;
}
