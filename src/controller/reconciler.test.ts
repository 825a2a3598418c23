import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { eventually, settle } from "../client/testing/eventually.js";
import { FakeClock } from "../util/clock.js";
import { ItemExponentialRateLimiter } from "./rate-limiter.js";
import { runReconciler, type ReconcileResult, type Reconciler } from "./reconciler.js";
import { WorkQueue } from "./workqueue.js";

function setup(reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>, workers = 1) {
  const clock = new FakeClock();
  const queue = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseMs: 5 }) });
  const ac = new AbortController();
  const errors: [unknown, string, string][] = [];
  const reconciler: Reconciler = { reconcile };
  const run = runReconciler({ name: "test", queue, reconciler, workers, signal: ac.signal, onError: (e, k, n) => errors.push([e, k, n]) });
  const stop = async (): Promise<void> => { ac.abort(); await run; };
  return { clock, queue, ac, errors, run, stop };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe("runReconciler", () => {
  test("reconciles each added key and forgets it on success", async () => {
    const seen: string[] = [];
    const { queue, stop } = setup(async (k) => { seen.push(k); });
    queue.addRateLimited("a");
    queue.add("a");
    queue.add("b");
    await eventually(() => seen.length === 2, "two reconciles");
    assert.deepEqual(seen, ["a", "b"]);
    assert.equal(queue.numRequeues("a"), 0);
    await stop();
  });

  test("retries a failing key with growing backoff and reports each error", async () => {
    let attempts = 0;
    const { clock, queue, errors, stop } = setup(async () => {
      attempts++;
      if (attempts <= 2) throw new Error(`boom ${attempts}`);
    });
    queue.add("k");
    await eventually(() => attempts === 1);
    await settle();
    assert.equal(queue.numRequeues("k"), 1);
    clock.advance(4);
    await settle();
    assert.equal(attempts, 1, "retry must wait for the 5 ms backoff");
    clock.advance(1);
    await eventually(() => attempts === 2);
    await settle();
    clock.advance(9);
    await settle();
    assert.equal(attempts, 2, "second retry must wait 10 ms");
    clock.advance(1);
    await eventually(() => attempts === 3);
    await settle();
    assert.equal(queue.numRequeues("k"), 0, "success forgets the retry history");
    assert.deepEqual(errors.map(([e, k, n]) => [(e as Error).message, k, n]), [["boom 1", "k", "test"], ["boom 2", "k", "test"]]);
    await stop();
  });

  test("requeueAfterMs re-runs the key after the delay; requeue re-adds it rate-limited", async () => {
    let runs = 0;
    const { clock, queue, errors, stop } = setup(async () => {
      runs++;
      if (runs === 1) return { requeueAfterMs: 100 };
      if (runs === 2) return { requeue: true };
      return {};
    });
    queue.add("k");
    await eventually(() => runs === 1);
    await settle();
    clock.advance(99);
    await settle();
    assert.equal(runs, 1);
    clock.advance(1);
    await eventually(() => runs === 2);
    await settle();
    assert.equal(queue.numRequeues("k"), 1);
    clock.advance(5);
    await eventually(() => runs === 3);
    await settle();
    assert.equal(queue.numRequeues("k"), 0);
    assert.equal(errors.length, 0);
    await stop();
  });

  test("never reconciles one key on two workers at once", async () => {
    const gate = deferred();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const { queue, stop } = setup(async (k) => {
      if (k !== "a") return;
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (runs === 1) await gate.promise;
      active--;
    }, 4);
    queue.add("a");
    await eventually(() => runs === 1);
    queue.add("a");
    queue.add("b");
    queue.add("a");
    await settle();
    assert.equal(runs, 1);
    gate.resolve();
    await eventually(() => runs === 2);
    await settle();
    assert.equal(runs, 2, "the two adds during processing coalesce into one re-run");
    assert.equal(maxActive, 1);
    await stop();
  });

  test("stops on abort: shuts the queue down and waits for in-flight reconciles", async () => {
    const gate = deferred();
    let started = false;
    let sawAbort = false;
    let finished = false;
    const { queue, ac, run, errors } = setup(async (_k, signal) => {
      started = true;
      await gate.promise;
      sawAbort = signal.aborted;
      finished = true;
      throw new Error("interrupted");
    }, 2);
    queue.add("a");
    await eventually(() => started);
    let stopped = false;
    const done = run.then(() => { stopped = true; });
    ac.abort();
    await settle();
    assert.equal(queue.shuttingDown(), true);
    assert.equal(stopped, false, "must wait for the in-flight reconcile");
    gate.resolve();
    await done;
    assert.equal(finished, true);
    assert.equal(sawAbort, true);
    assert.equal(errors.length, 0, "errors after stop are not reported");
  });

  test("returns at once when the signal is already aborted", async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add("a");
    let runs = 0;
    await runReconciler({ name: "x", queue, reconciler: { reconcile: async () => { runs++; } }, signal: AbortSignal.abort() });
    assert.equal(runs, 0);
    assert.equal(queue.shuttingDown(), true);
  });

  test("a throwing error reporter does not stop the worker", async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    const ac = new AbortController();
    let runs = 0;
    const run = runReconciler({
      name: "x", queue, signal: ac.signal, workers: 1,
      reconciler: { reconcile: async () => { runs++; throw new Error("fail"); } },
      onError: () => { throw new Error("reporter broke"); },
    });
    queue.add("a");
    await eventually(() => runs === 1);
    queue.forget("a");
    queue.add("b");
    await eventually(() => runs === 2);
    ac.abort();
    await run;
  });
});
