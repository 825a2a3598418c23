/**
 * Storage write throughput: creates/s and updates/s of ~2 KB JSON objects for each backend (memory, SQLite with
 * synchronous=FULL and NORMAL), with 1 and 8 concurrent writer loops, each case for a fixed duration.
 * Usage: node dist/bench/store-bench.js [--seconds=2]. Prints one JSON line, then a table.
 */
import { benchFlags, numberFlag } from "./bench-args.js";
import { formatTable } from "./bench-stats.js";
import { measureStore, storeFactories, valueBytes, type StoreCaseResult } from "./store-rate.js";

function table(results: StoreCaseResult[]): string {
  const header = ["backend", "operation", "writers", "ops", "ops/s", "p50 ms", "p99 ms"];
  const rows = results.map((r) => [r.backend, r.operation, String(r.writers), String(r.ops), String(r.opsPerSecond), r.p50Ms.toFixed(3), r.p99Ms.toFixed(3)]);
  return formatTable(header, rows, 2);
}

async function main(): Promise<void> {
  const seconds = numberFlag(benchFlags(process.argv.slice(2), ["seconds"]), "seconds", 2);
  if (!(seconds > 0)) throw new Error("--seconds must be a positive number");
  const results: StoreCaseResult[] = [];
  for (const factory of storeFactories) {
    for (const writers of [1, 8]) results.push(...await measureStore(factory, writers, seconds));
  }
  process.stdout.write(`${JSON.stringify({ valueBytes: valueBytes(), seconds, results })}\n\n${table(results)}\n`);
}

await main();
