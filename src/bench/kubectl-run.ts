/** The kubectl phase of the cluster benchmark: `kubectl get pods -A` run as a user runs it, timed. */
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { readKubeconfig } from "../client/kubeconfig.js";
import { percentile } from "./bench-stats.js";
import { capturePodTable, discoveryCacheDir, replayKubeconfig, startReplayServer, throttledMs } from "./kubectl-replay.js";

/** Latency of `kubectl get pods -A` (cold = first call with an empty discovery cache). */
export interface KubectlMeasure {
  coldMs: number;
  /** Median of the warm calls. */
  warmMs: number;
  /** Lines printed (header included). */
  lines: number;
  /** kubectl's own CPU (user + system) in the median warm call; absent where /proc is not readable. */
  warmKubectlCpuMs?: number;
  /** Time kubectl waited on its own client-side rate limiter in one more warm call (run with `-v=6`). */
  throttledMs?: number;
  /** The same pages served again by a replay server that does no work: kubectl's floor. */
  replay?: KubectlReplayMeasure;
}

/** `kubectl get pods -A` against a replay of the pages the server answered (see kubectl-replay.ts). */
export interface KubectlReplayMeasure {
  pages: number;
  bytes: number;
  /** Median of the calls (the discovery cache is warm: it is the server's, copied). */
  warmMs: number;
  warmKubectlCpuMs?: number;
  throttledMs: number;
}

/**
 * CPU (user + system, ms) of this process's children that have ended and been waited for: cutime + cstime of
 * /proc/self/stat (Linux, 100 ticks a second); undefined elsewhere.
 */
export function endedChildrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) * 10;
  } catch {
    return undefined;
  }
}

function runKubectl(kubectl: string, args: string[]): Promise<{ ms: number; stdout: string; stderr: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(kubectl, args, { maxBuffer: 1024 * 1024 * 1024, timeout: 600_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(" ")}: ${error.message} ${String(stderr)}`));
      else resolve({ ms: performance.now() - t0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

interface Timed { ms: number; cpuMs: number | undefined; lines: number }

async function timedRuns(kubectl: string, args: string[], runs: number): Promise<Timed[]> {
  const times: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const before = endedChildrenCpuMs();
    const r = await runKubectl(kubectl, args);
    const after = endedChildrenCpuMs();
    times.push({ ms: r.ms, cpuMs: before !== undefined && after !== undefined ? after - before : undefined, lines: r.stdout.split("\n").filter((l) => l !== "").length });
  }
  return times;
}

/** How long kubectl waited on its own rate limiter in one more call of `args`, read from its `-v=6` log. */
async function throttledCall(kubectl: string, args: string[]): Promise<number> {
  return throttledMs((await runKubectl(kubectl, [...args, "-v=6"])).stderr);
}

/** The median call of `times` by wall time. */
function median(times: Timed[]): Timed | undefined {
  const sorted = [...times].sort((a, b) => a.ms - b.ms);
  const ms = percentile(sorted.map((t) => t.ms), 50);
  return sorted.find((t) => t.ms === ms);
}

function checkLines(t: Timed | undefined, expectedPods: number, what: string): void {
  const lines = t?.lines ?? 0;
  if (lines < expectedPods + 1) throw new Error(`kubectl get pods -A ${what}printed ${lines} lines, expected at least ${expectedPods + 1}`);
}

/**
 * Runs `kubectl get pods -A` `runs` times (own cache dir), checking the row count; then once more with `-v=6` to
 * read how long kubectl waited on its own rate limiter; then against a replay of the same pages (measureReplay).
 */
export async function measureKubectl(kubectl: string, kubeconfig: string, cacheDir: string, expectedPods: number, runs = 3): Promise<KubectlMeasure> {
  const args = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "get", "pods", "-A"];
  const times = await timedRuns(kubectl, args, runs);
  const last = times[times.length - 1];
  checkLines(last, expectedPods, "");
  const warm = median(times.slice(1));
  const result: KubectlMeasure = { coldMs: Math.round(times[0]?.ms ?? 0), warmMs: Math.round(warm?.ms ?? 0), lines: last?.lines ?? 0 };
  if (warm?.cpuMs !== undefined) result.warmKubectlCpuMs = warm.cpuMs;
  result.throttledMs = await throttledCall(kubectl, args);
  result.replay = await measureReplay(kubectl, kubeconfig, cacheDir, expectedPods, Math.max(1, runs - 1));
  return result;
}

/**
 * Captures the pod Table pages the server at `kubeconfig` answers, serves them from a replay server and runs
 * `kubectl get pods -A` against it `runs` times and once with `-v=6`, with the server's discovery cache copied so
 * kubectl asks the replay for nothing else. Throws if kubectl asked for anything the capture does not hold.
 */
export async function measureReplay(kubectl: string, kubeconfig: string, cacheDir: string, expectedPods: number, runs: number): Promise<KubectlReplayMeasure> {
  const { rest } = await readKubeconfig(kubeconfig);
  const capture = await capturePodTable(rest);
  const replay = await startReplayServer(capture);
  try {
    const source = discoveryCacheDir(cacheDir, rest.server);
    if (!existsSync(source)) throw new Error(`no discovery cache at ${source} to give kubectl for the replay`);
    cpSync(source, discoveryCacheDir(cacheDir, replay.url), { recursive: true });
    const replayConfig = `${cacheDir}.replay-kubeconfig`;
    writeFileSync(replayConfig, replayKubeconfig(replay.url, replay.caCert), { mode: 0o600 });
    const args = ["--kubeconfig", replayConfig, "--cache-dir", cacheDir, "get", "pods", "-A"];
    const times = await timedRuns(kubectl, args, runs);
    const throttled = await throttledCall(kubectl, args);
    if (replay.unanswered.length > 0) throw new Error(`kubectl asked the replay for what it does not hold: ${replay.unanswered.slice(0, 3).join(", ")}`);
    const warm = median(times);
    checkLines(warm, expectedPods, "against the replay ");
    const result: KubectlReplayMeasure = { pages: capture.pages.size, bytes: capture.bytes, warmMs: Math.round(warm?.ms ?? 0), throttledMs: throttled };
    if (warm?.cpuMs !== undefined) result.warmKubectlCpuMs = warm.cpuMs;
    return result;
  } finally {
    await replay.close();
  }
}
