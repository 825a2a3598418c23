import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { kubectlPath } from "./harness.js";

/** The `everynode` executable, as `npx everynode` runs it. */
export const everynodeBin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

/** A spawned long-running `everynode` command (e.g. `up`) whose output is collected. */
export interface EverynodeProcess {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves once the output matches `re`; rejects when the process exits first, or after `timeoutMs` (killing it). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends SIGTERM (unless it exited) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `everynode ...args` (optionally through `prefix`, e.g. nsenter). */
export function spawnEverynode(args: string[], prefix: string[] = []): EverynodeProcess {
  const argv = [...prefix, process.execPath, everynodeBin, ...args];
  const child = spawn(argv[0] ?? process.execPath, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let exitCode: number | null | undefined;
  child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => { exitCode = code; ok(code); }));
  return {
    child, exited, output: () => out,
    waitFor: async (re, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (exitCode !== undefined) throw new Error(`everynode ${args.join(" ")} exited ${String(exitCode)} before printing ${re}:\n${out}`);
        if (Date.now() > deadline) {
          // The test fails here and will not stop the process: end it, or it outlives the test and holds its file open.
          child.kill("SIGKILL");
          await exited;
          throw new Error(`everynode ${args.join(" ")} did not print ${re} within ${timeoutMs} ms (ended it):\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      if (exitCode === undefined) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** What a finished command printed. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `everynode ...args` to completion (at most 60 s). */
export function runEverynode(args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [everynodeBin, ...args], process.env);
}

/** Runs the installed kubectl with `kubeconfig`, its cache and HOME under `home`. */
export function kubectlWith(kubeconfig: string, home: string, args: string[]): Promise<CommandResult> {
  return runCommand(kubectlPath, args, { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: kubeconfig, KUBECACHEDIR: `${home}/cache` });
}

function runCommand(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((ok) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
