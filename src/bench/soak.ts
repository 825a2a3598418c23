/**
 * Crash soak: many `kill -9` rounds of `everynode up` in the middle of DaemonSet rollouts on many nodes (see
 * crash-round.ts), then a summary of what was checked. Exits 1 when an acknowledged write was lost, a node ran two
 * live pods of the DaemonSet, or a rollout did not complete.
 * Usage: node dist/bench/soak.js [--nodes=1000] [--rounds=5] [--seed=1] [--max-unavailable=10%] [--kill-within-ms=4000]
 *   [--timeout-ms=300000] [--store etcd]
 * With `--store etcd` the rounds run two servers on a three-member etcd and kill one server (leader or not) and one
 * etcd member each round (see ha-crash-round.ts); the restart time is then the failover time.
 *   `--rounds=100` is the long crash soak.
 *
 * Watch soak (see watch-soak.ts): node dist/bench/soak.js --watch [--watchers=1000] [--events=1000000] [--writers=4]
 *   [--max-rss-growth-mib=256] [--timeout-ms=600000]. Exits 1 on any gap or disorder, or when the server's RSS with
 *   the watches still open ends more than the bound above its RSS with them freshly opened.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Progress } from "../cli/progress.js";
import { BenchUsageError, benchFlags, numberFlag, runBench } from "./bench-args.js";
import { runCrashRounds, type RoundReport } from "./crash-round.js";
import { runHaCrashRounds, type HaRoundReport } from "./ha-crash-round.js";
import { runWatchSoak } from "./watch-soak.js";

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

async function watchSoak(): Promise<number> {
  const workDir = await mkdtemp(join(tmpdir(), "everynode-watch-soak-"));
  const started = Date.now();
  const flags = benchFlags(process.argv.slice(2), ["watchers", "events", "writers", "timeout-ms", "max-rss-growth-mib"], ["watch"]);
  const maxGrowth = numberFlag(flags, "max-rss-growth-mib", 256);
  try {
    const r = await runWatchSoak({
      workDir, watchers: numberFlag(flags, "watchers", 1000), events: numberFlag(flags, "events", 1_000_000), writers: numberFlag(flags, "writers", 4),
      timeoutMs: numberFlag(flags, "timeout-ms", 600_000),
      log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`),
    });
    console.log([
      `watch soak: ${r.watchers} watchers, ${r.writes} writes, ${r.delivered} events delivered in ${(r.durationMs / 1000).toFixed(1)} s (${r.writesPerSecond} writes/s)`,
      `  gaps (writes a watcher missed):      ${r.gaps}`,
      `  duplicates or out-of-order events:   ${r.disorder}`,
      `  server RSS start / watches open / peak / end (MiB): ${r.rssMiB.start} / ${r.rssMiB.connected} / ${r.rssMiB.peak} / ${r.rssMiB.end}`,
    ].join("\n"));
    console.log(JSON.stringify(r));
    return r.gaps > 0 || r.disorder > 0 || r.rssMiB.end - r.rssMiB.connected > maxGrowth ? 1 : 0;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  if (process.argv.includes("--watch")) return watchSoak();
  // Round lines as one status line on a terminal; nothing but the summary in CI logs and pipes.
  const progress = new Progress(process.stdout, { quietUnlessTty: true });
  // --watch runs the watch soak instead (its own flags); --help here lists the crash soak's.
  const flags = benchFlags(process.argv.slice(2), ["nodes", "rounds", "seed", "max-unavailable", "kill-within-ms", "timeout-ms", "store"], ["watch"]);
  const nodes = numberFlag(flags, "nodes", 1000);
  const rounds = numberFlag(flags, "rounds", 5);
  const seed = numberFlag(flags, "seed", 1);
  const maxUnavailableText = flags["max-unavailable"] ?? "10%";
  const maxUnavailable = /^\d+$/.test(maxUnavailableText) ? Number(maxUnavailableText) : maxUnavailableText;
  const killWithinMs = numberFlag(flags, "kill-within-ms", 4000);
  const timeoutMs = numberFlag(flags, "timeout-ms", 300_000);
  const store = flags.store ?? "sqlite";
  if (store !== "sqlite" && store !== "etcd") throw new BenchUsageError(`invalid value "${store}" for --store: must be sqlite or etcd`);
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

await runBench(main);
