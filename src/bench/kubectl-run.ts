/** The kubectl phase of the cluster benchmark: `kubectl get pods -A` run as a user runs it, timed. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { percentile } from "./bench-stats.js";

/** Latency of `kubectl get pods -A` (cold = first call with an empty discovery cache). */
export interface KubectlMeasure {
  coldMs: number;
  /** Median of the warm calls. */
  warmMs: number;
  /** Lines printed (header included). */
  lines: number;
  /** kubectl's own CPU (user + system) in the median warm call; absent where /proc is not readable. */
  warmKubectlCpuMs?: number;
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

function runKubectl(kubectl: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(kubectl, args, { maxBuffer: 1024 * 1024 * 1024, timeout: 600_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kubectl ${args.join(" ")}: ${error.message} ${String(stderr)}`));
      else resolve({ ms: performance.now() - t0, stdout: String(stdout) });
    });
  });
}

/** Runs `kubectl get pods -A` `runs` times (own cache dir), checking the row count. */
export async function measureKubectl(kubectl: string, kubeconfig: string, cacheDir: string, expectedPods: number, runs = 3): Promise<KubectlMeasure> {
  const args = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "get", "pods", "-A"];
  const times: { ms: number; cpuMs: number | undefined }[] = [];
  let lines = 0;
  for (let i = 0; i < runs; i++) {
    const before = endedChildrenCpuMs();
    const r = await runKubectl(kubectl, args);
    const after = endedChildrenCpuMs();
    times.push({ ms: r.ms, cpuMs: before !== undefined && after !== undefined ? after - before : undefined });
    lines = r.stdout.split("\n").filter((l) => l !== "").length;
  }
  if (lines < expectedPods + 1) throw new Error(`kubectl get pods -A printed ${lines} lines, expected at least ${expectedPods + 1}`);
  const warm = times.slice(1).sort((a, b) => a.ms - b.ms);
  const warmMs = percentile(warm.map((t) => t.ms), 50);
  const result: KubectlMeasure = { coldMs: Math.round(times[0]?.ms ?? 0), warmMs: Math.round(warmMs), lines };
  const median = warm.find((t) => t.ms === warmMs);
  if (median?.cpuMs !== undefined) result.warmKubectlCpuMs = median.cpuMs;
  return result;
}
