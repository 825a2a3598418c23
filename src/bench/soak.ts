/**
 * Crash soak: many `kill -9` rounds of `everynode up` in the middle of DaemonSet rollouts on many nodes (see
 * crash-round.ts), then a summary of what was checked. Exits 1 when an acknowledged write was lost, a node ran two
 * live pods of the DaemonSet, or a rollout did not complete.
 * Usage: node dist/bench/soak.js [--nodes=1000] [--rounds=5] [--seed=1] [--max-unavailable=10%] [--kill-within-ms=4000]
 *   [--timeout-ms=300000] [--store etcd]
 * With `--store etcd` the rounds run two servers on a three-member etcd and kill one server (leader or not) and one
 * etcd member each round (see ha-crash-round.ts); the restart time is then the failover time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Progress } from "../cli/progress.js";
import { runCrashRounds, type RoundReport } from "./crash-round.js";
import { runHaCrashRounds, type HaRoundReport } from "./ha-crash-round.js";

/** A `--name=value` or `--name value` argument. */
function flag(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const joined = process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  if (joined !== undefined) return joined;
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] ?? fallback : fallback;
}

function summary(reports: RoundReport[], nodes: number, seconds: number): string {
  const converge = reports.map((r) => r.convergeMs).filter((ms) => ms >= 0);
  const lines = [
    `soak: ${reports.length} rounds on ${nodes} nodes in ${seconds.toFixed(0)} s`,
    `  kills (kill -9 mid-rollout):        ${reports.length}`,
    `  pods updated at each kill:          ${reports.map((r) => `${r.updatedAtKill}/${nodes}`).join(", ")}`,
    `  acknowledged writes verified:       ${reports.reduce((n, r) => n + r.verified, 0)} of ${reports.reduce((n, r) => n + r.acknowledged, 0)}`,
    `  acknowledged writes lost:           ${reports.reduce((n, r) => n + r.lost.length, 0)}`,
    `  nodes with duplicate daemon pods:   ${reports.reduce((n, r) => n + r.duplicates, 0)}`,
    ...("victim" in (reports[0] ?? {}) ? [
      `  servers killed (leader/follower):   ${(reports as HaRoundReport[]).map((r) => r.victim).join(", ")}`,
      `  nodes given a new pod twice:        ${(reports as HaRoundReport[]).reduce((n, r) => n + r.repeatedCreates, 0)}`,
    ] : []),
    `  rollouts completed after restart:   ${reports.filter((r) => r.rolloutStatusOk && r.convergeMs >= 0).length} of ${reports.length}`,
    `  restart time (ms):                  ${reports.map((r) => r.restartMs).join(", ")}`,
    `  time to converge after restart (ms): ${reports.map((r) => r.convergeMs).join(", ")}`,
  ];
  if (converge.length > 0) lines.push(`  converge min/median/max (ms):       ${Math.min(...converge)} / ${[...converge].sort((a, b) => a - b)[Math.floor(converge.length / 2)] ?? 0} / ${Math.max(...converge)}`);
  return lines.join("\n");
}

async function main(): Promise<number> {
  // Round lines as one status line on a terminal; nothing but the summary in CI logs and pipes.
  const progress = new Progress(process.stdout, { quietUnlessTty: true });
  const nodes = Number(flag("nodes", "1000"));
  const rounds = Number(flag("rounds", "5"));
  const seed = Number(flag("seed", "1"));
  const maxUnavailableText = flag("max-unavailable", "10%");
  const maxUnavailable = /^\d+$/.test(maxUnavailableText) ? Number(maxUnavailableText) : maxUnavailableText;
  const killWithinMs = Number(flag("kill-within-ms", "4000"));
  const timeoutMs = Number(flag("timeout-ms", "300000"));
  const store = flag("store", "sqlite");
  if (store !== "sqlite" && store !== "etcd") throw new Error(`invalid value "${store}" for --store: must be sqlite or etcd`);
  const workDir = await mkdtemp(join(tmpdir(), "everynode-soak-"));
  const started = Date.now();
  try {
    const options = {
      workDir, nodes, rounds, seed, maxUnavailable, killWithinMs, timeoutMs, kubectl: "kubectl",
      log: (line: string) => progress.update(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`),
    };
    const reports: RoundReport[] = store === "etcd" ? await runHaCrashRounds({ ...options, victim: "random" }) : await runCrashRounds(options);
    progress.finish();
    console.log(summary(reports, nodes, (Date.now() - started) / 1000));
    console.log(JSON.stringify({ nodes, seed, maxUnavailable, rounds: reports }));
    const failed = reports.some((r) => r.lost.length > 0 || r.duplicates > 0 || !r.rolloutStatusOk || r.convergeMs < 0
      || ("repeatedCreates" in r && (r as HaRoundReport).repeatedCreates > 0));
    return failed ? 1 : 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
