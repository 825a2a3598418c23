/** Stopping one container instance as the kubelet does: preStop exec hook, SIGTERM, SIGKILL when the grace runs out. */
import { execFile } from "node:child_process";
import { sleep, type Clock } from "../util/clock.js";
import { defaultPath } from "./process-runtime.js";
import type { ContainerHandle } from "./runtime.js";

/** How to stop an instance. */
export interface KillOptions {
  /** Seconds from the start of the stop (preStop included) to SIGKILL. */
  gracePeriodSeconds: number;
  clock: Clock;
  preStop?: { argv: readonly string[]; env: () => Record<string, string> };
  /** Receives the FailedPreStopHook message when the hook fails. */
  onPreStopFailure?: (message: string) => void;
}

function runHook(argv: readonly string[], run: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(run[0] ?? "", run.slice(1), { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve(err ? `PreStopHook failed: command '${argv.join(" ")}' exited with ${String((err as { code?: unknown }).code ?? err.message)}: ${stdout}${stderr}` : undefined);
    });
  });
}

/** Stops `handle`; resolves once it exited (SIGKILL is sent when the grace period is over). */
export async function killContainer(handle: ContainerHandle, o: KillOptions): Promise<void> {
  const graceMs = o.gracePeriodSeconds * 1000;
  const begin = o.clock.now();
  let done = false;
  void handle.exited.then(() => { done = true; });
  if (o.preStop) {
    let env: Record<string, string> = {};
    try { env = o.preStop.env(); } catch { env = {}; }
    const run = handle.execArgv ? handle.execArgv(o.preStop.argv) : o.preStop.argv;
    const failure = await runHook(o.preStop.argv, run, { PATH: defaultPath, ...env }, graceMs);
    if (failure) o.onPreStopFailure?.(failure);
  }
  if (done) return;
  handle.signal("SIGTERM");
  const left = Math.max(0, graceMs - (o.clock.now() - begin));
  const abort = new AbortController();
  const timedOut = await Promise.race([
    handle.exited.then(() => false),
    sleep(o.clock, left, abort.signal).then(() => true),
  ]);
  abort.abort();
  if (timedOut && !done) handle.signal("SIGKILL");
  await handle.exited;
}
