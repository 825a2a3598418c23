/**
 * Storage write throughput: creates/s and updates/s of ~2 KB JSON objects for each backend (memory, SQLite with
 * synchronous=FULL and NORMAL, and with `--etcd-dir` a one-member etcd started with its data there), with several
 * numbers of concurrent writer loops, each case for a fixed duration.
 * Usage: node dist/bench/store-bench.js [--seconds 2] [--writers 1,8,64] [--etcd-dir DIR]. Prints one JSON line, then a table.
 */
import { startEtcdCluster } from "../storage/testing/etcd-cluster.js";
import { BenchUsageError, benchFlags, numberFlag, runBench } from "./bench-args.js";
import { formatTable } from "./bench-stats.js";
import { etcdFactory, measureStore, storeFactories, valueBytes, type StoreCaseResult } from "./store-rate.js";

function table(results: StoreCaseResult[]): string {
  const header = ["backend", "operation", "writers", "ops", "ops/s", "p50 ms", "p99 ms"];
  const rows = results.map((r) => [r.backend, r.operation, String(r.writers), String(r.ops), String(r.opsPerSecond), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)]);
  return formatTable(header, rows, 2);
}

/** The writer counts of `--writers` ("1,8,64"): positive integers. */
function parseWriters(text: string): number[] {
  const writers = text.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  if (writers.length === 0 || writers.some((w) => !Number.isInteger(w) || w < 1)) throw new BenchUsageError(`--writers must list positive integers, not ${JSON.stringify(text)}`);
  return writers;
}

async function main(): Promise<void> {
  const flags = benchFlags(process.argv.slice(2), ["seconds", "writers", "etcd-dir"]);
  const seconds = numberFlag(flags, "seconds", 2);
  if (!(seconds > 0)) throw new BenchUsageError("--seconds must be a positive number");
  const writerCounts = parseWriters(flags.writers ?? "1,8,64");
  const etcdDir = flags["etcd-dir"];
  const etcd = etcdDir !== undefined ? await startEtcdCluster({ parentDir: etcdDir }) : undefined;
  const results: StoreCaseResult[] = [];
  try {
    for (const factory of etcd !== undefined ? [...storeFactories, etcdFactory(etcd.endpoints)] : storeFactories) {
      for (const writers of writerCounts) results.push(...await measureStore(factory, writers, seconds));
    }
  } finally {
    await etcd?.stop();
  }
  process.stdout.write(`${JSON.stringify({ valueBytes: valueBytes(), seconds, etcdDir, results })}\n\n${table(results)}\n`);
}

await runBench(main);
