import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { promisify } from "node:util";

test("the metrics benchmark runs at a small size and reports scrape times and size", async () => {
  const script = fileURLToPath(new URL("./metrics-bench.js", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script, "--nodes", "40", "--scrapes", "1"]);
  const result = JSON.parse(stdout) as { nodes: number; bytes: number; firstScrape: { ms: number }; steadyScrapeMedian: { ms: number } };
  assert.equal(result.nodes, 40);
  assert.ok(result.bytes > 40 * 1000, `${result.bytes} bytes for 40 nodes and pods`);
  assert.ok(result.firstScrape.ms > 0 && result.steadyScrapeMedian.ms > 0);
});
