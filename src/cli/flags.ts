import { parseArgs as parseNodeArgs, type ParseArgsConfig } from "node:util";

/** The declared flags of one command: name → kind. */
export type FlagSpec = Record<string, "string" | "number" | "boolean">;

/** Parsed flags and positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean>;
  positionals: string[];
}

/** A mistake in how a command was invoked (unknown flag, missing or invalid value): the CLI exits 2 for it. */
export class UsageError extends Error {}

/**
 * Parses `--name value`, `--name=value`, boolean `--name` and `--name=true|false` (as Kubernetes commands accept)
 * with node:util's parseArgs; `-h` is `--help` when the spec declares `help`, and `shorts` names other one-letter
 * forms (e.g. `{ n: "namespace" }` for `-n NS`). Number flags take non-negative integers. Throws a UsageError
 * naming the bad flag.
 */
export function parseArgs(argv: string[], spec: FlagSpec, shorts: Record<string, string> = {}): ParsedArgs {
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  const shortOf = new Map(Object.entries(shorts).map(([letter, name]) => [name, letter]));
  if (spec.help) shortOf.set("help", "h");
  for (const [name, kind] of Object.entries(spec)) {
    const short = shortOf.get(name);
    options[name] = { type: kind === "boolean" ? "boolean" : "string", ...(short ? { short } : {}) };
  }
  // node:util knows no `--flag=false`: take explicit boolean values out before it sees them.
  const explicit: Record<string, boolean> = {};
  const args: string[] = [];
  for (const arg of argv) {
    const m = /^--([^=]+)=(.*)$/s.exec(arg);
    if (m && spec[m[1] ?? ""] === "boolean") {
      const value = m[2] ?? "";
      if (value !== "true" && value !== "false") throw new UsageError(`invalid value "${value}" for --${m[1] ?? ""}: must be true or false`);
      explicit[m[1] ?? ""] = value === "true";
      continue;
    }
    args.push(arg);
  }
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
  const flags: Record<string, string | number | boolean> = { ...explicit };
  for (const [name, raw] of Object.entries(parsed.values)) {
    if (raw === undefined || Array.isArray(raw)) continue;
    if (spec[name] === "number") {
      const n = Number(raw);
      if (typeof raw !== "string" || raw.trim() === "" || !Number.isInteger(n) || n < 0) {
        throw new UsageError(`invalid value "${String(raw)}" for --${name}: must be a non-negative integer`);
      }
      flags[name] = n;
    } else {
      flags[name] = raw;
    }
  }
  return { flags, positionals: parsed.positionals };
}

function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const flag = /'(-[^' ]*)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) return `unknown flag: ${flag}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag && /argument missing/.test(message)) return `flag needs an argument: ${flag.split(" ")[0] ?? flag}`;
  return message.split("\n")[0] ?? message;
}
