/** The declared flags of one command: name → kind. */
export type FlagSpec = Record<string, "string" | "number" | "boolean">;

/** Parsed flags and positional arguments. */
export interface ParsedArgs {
  flags: Record<string, string | number | boolean>;
  positionals: string[];
}

/** Parses `--name value`, `--name=value` and boolean `--name`; throws an Error naming the bad flag. */
export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const flags: Record<string, string | number | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) { positionals.push(arg); continue; }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new Error(`unknown flag: --${name}`);
    let raw: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (kind === "boolean") { flags[name] = raw === undefined ? true : raw !== "false"; continue; }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new Error(`flag needs an argument: --${name}`);
    }
    if (kind === "number") {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`invalid value "${raw}" for --${name}: must be a non-negative integer`);
      flags[name] = n;
    } else {
      flags[name] = raw;
    }
  }
  return { flags, positionals };
}
