/** Command-line flags of the bench programs, parsed by node:util parseArgs (`--name value` or `--name=value`). */
import { parseArgs } from "node:util";

/** A command line the bench program cannot run with (or `--help`): runBench prints the message, not a stack. */
export class BenchUsageError extends Error {
  /** Creates the error; `help` when the user asked for the usage (exit 0 instead of 2). */
  constructor(message: string, readonly help = false) {
    super(message);
    this.name = "BenchUsageError";
  }
}

/**
 * Parses `argv` (without node and script) for string flags `names` and boolean flags `switches` (given: "true").
 * `--help` / `-h`, unknown flags, flags without a value and positionals throw a BenchUsageError naming the accepted
 * flags.
 */
export function benchFlags<N extends string, B extends string = never>(
  argv: readonly string[], names: readonly N[], switches: readonly B[] = [],
): Partial<Record<N | B, string>> {
  const usage = `flags: ${[...names.map((n) => `[--${n} VALUE]`), ...switches.map((n) => `[--${n}]`)].join(" ")}`;
  if (argv.includes("--help") || argv.includes("-h")) throw new BenchUsageError(usage, true);
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of names) options[name] = { type: "string" };
  for (const name of switches) options[name] = { type: "boolean" };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new BenchUsageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  const out: Partial<Record<N | B, string>> = {};
  for (const name of names) {
    const value = values[name];
    if (typeof value === "string") out[name] = value;
  }
  for (const name of switches) if (values[name] === true) out[name] = "true";
  return out;
}

/** The number flag `--name` holds, or `fallback` when absent; throws for text that is not a finite number. */
export function numberFlag(flags: Partial<Record<string, string>>, name: string, fallback: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new BenchUsageError(`--${name} must be a number, not ${JSON.stringify(text)}`);
  return value;
}

/**
 * Runs a bench program's `main` and sets the exit code: main's number (left as main set it when it returns nothing), 2 for a usage
 * error and 0 for `--help` (the message alone on stderr), 1 with the stack for any other failure.
 */
export async function runBench(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    if (code !== undefined) process.exitCode = code;
  } catch (error) {
    if (error instanceof BenchUsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.help ? 0 : 2;
      return;
    }
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
