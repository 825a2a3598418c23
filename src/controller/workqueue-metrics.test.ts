import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../util/clock.js";
import type { WorkQueueMetrics } from "./loop-metrics.js";
import { WorkQueue } from "./workqueue.js";

function recorder(): WorkQueueMetrics & { depth: number; adds: number; waits: number[]; works: number[]; retries: number } {
  const r = {
    depth: 0, adds: 0, waits: [] as number[], works: [] as number[], retries: 0,
    added: () => { r.adds++; r.depth++; },
    taken: (s: number) => { r.depth--; r.waits.push(s); },
    processed: (s: number) => { r.works.push(s); },
    retried: () => { r.retries++; },
  };
  return r;
}

test("a work queue reports adds, depth, waiting and processing time and retries; duplicates are not adds", async () => {
  const clock = new FakeClock(0);
  const m = recorder();
  const q = new WorkQueue<string>({ clock, metrics: m });
  q.add("a");
  q.add("a");
  q.add("b");
  assert.equal(m.adds, 2);
  assert.equal(m.depth, 2);
  clock.advance(1500);
  const a = await q.get();
  assert.equal(a, "a");
  assert.deepEqual(m.waits, [1.5]);
  assert.equal(m.depth, 1);
  clock.advance(250);
  q.add("a"); // dirty while processing: queued again at done, counted then
  assert.equal(m.adds, 2);
  q.done("a");
  assert.deepEqual(m.works, [0.25]);
  assert.equal(m.adds, 3);
  assert.equal(m.depth, 2);
  q.addRateLimited("c");
  assert.equal(m.retries, 1);
  // A waiting worker gets an item at once: it waited zero seconds.
  await q.get();
  await q.get();
  const pending = q.get();
  q.add("d");
  assert.equal(await pending, "d");
  assert.equal(m.depth, 0);
  assert.equal(m.waits.at(-1), 0);
  q.shutDown();
});
