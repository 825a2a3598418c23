/** The kubectl phase of the cluster benchmark: `kubectl get pods -A` run as a user runs it, timed. */
import { execFile } from "node:child_process";
import { percentile } from "./bench-stats.js";

/** Latency of `kubectl get pods -A` (cold = first call with an empty discovery cache). */
export interface KubectlMeasure {
  coldMs: number;
  /** Median of the warm calls. */
  warmMs: number;
  /** Lines printed (header included). */
  lines: number;
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
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < runs; i++) {
    const r = await runKubectl(kubectl, args);
    times.push(r.ms);
    lines = r.stdout.split("\n").filter((l) => l !== "").length;
  }
  if (lines < expectedPods + 1) throw new Error(`kubectl get pods -A printed ${lines} lines, expected at least ${expectedPods + 1}`);
  const warm = times.slice(1).sort((a, b) => a - b);
  return { coldMs: Math.round(times[0] ?? 0), warmMs: Math.round(percentile(warm, 50)), lines };
}
