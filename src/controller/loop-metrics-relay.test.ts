import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { LoopMetrics } from "./loop-metrics.js";
import { LoopMetricsReplay, RelayedLoopMetrics, type LoopObservation } from "./loop-metrics-relay.js";

/** LoopMetrics recording every call as text. */
function recorder(): { metrics: LoopMetrics; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    metrics: {
      workQueue: (name) => (calls.push(`${name} created`), {
        added: () => calls.push(`${name} added`),
        taken: (s) => calls.push(`${name} taken ${s}`),
        processed: (s) => calls.push(`${name} processed ${s}`),
        retried: () => calls.push(`${name} retried`),
      }),
      scheduler: () => ({ attempt: (result, s) => calls.push(`scheduler ${result} ${s}`) }),
      setLeader: (name, leading) => calls.push(`leader ${name} ${String(leading)}`),
    },
  };
}

describe("relayed loop metrics", () => {
  test("observations are delivered in batches and replayed in order", () => {
    const batches: LoopObservation[][] = [];
    const relayed = new RelayedLoopMetrics((b) => batches.push(structuredClone(b)), 60_000);
    const q = relayed.workQueue("daemonset");
    q.added();
    q.taken(0.5);
    q.processed(0.25);
    q.retried();
    relayed.scheduler().attempt("scheduled", 0.01);
    assert.equal(batches.length, 0, "nothing is delivered before the interval or a flush");
    relayed.setLeader("lease", true);
    assert.equal(batches.length, 1, "leader changes are delivered at once");
    relayed.flush();
    assert.equal(batches.length, 1, "an empty buffer delivers nothing");
    const target = recorder();
    const replay = new LoopMetricsReplay(target.metrics);
    for (const b of batches) replay.apply(b);
    assert.deepEqual(target.calls, [
      "daemonset created", "daemonset added", "daemonset taken 0.5", "daemonset processed 0.25", "daemonset retried", "scheduler scheduled 0.01", "leader lease true",
    ]);
  });

  test("a buffered observation is delivered after the interval", async () => {
    const batches: LoopObservation[][] = [];
    const relayed = new RelayedLoopMetrics((b) => batches.push(b), 10);
    relayed.workQueue("x").added();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(batches, [[["q", "x", "created"], ["q", "x", "added"]]]);
  });

  test("a queue's metrics are asked of the target once per queue made in the other thread, not once per observation", () => {
    const batches: LoopObservation[][] = [];
    const relayed = new RelayedLoopMetrics((b) => batches.push(b), 60_000);
    const first = relayed.workQueue("gate");
    first.added();
    relayed.flush();
    first.taken(0);
    first.processed(0);
    relayed.flush();
    relayed.workQueue("gate").added(); // the controller started again: a new queue
    relayed.flush();
    const target = recorder();
    const replay = new LoopMetricsReplay(target.metrics);
    for (const b of batches) replay.apply(b);
    assert.deepEqual(target.calls, ["gate created", "gate added", "gate taken 0", "gate processed 0", "gate created", "gate added"]);
  });
});
