import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { FakeClock } from "../util/clock.js";
import { DelayHeap } from "./delay-heap.js";
import { ItemExponentialRateLimiter } from "./rate-limiter.js";
import { WorkQueue } from "./workqueue.js";

/** Takes every item that is ready now, marking each done. */
async function drain(q: WorkQueue): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) {
    const item = await q.get();
    if (item === undefined) break;
    out.push(item);
    q.done(item);
  }
  return out;
}

describe("WorkQueue dedup and processing", () => {
  test("hands items out FIFO and keeps one copy of each waiting item", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    for (const k of ["a", "b", "a", "c", "b"]) q.add(k);
    assert.equal(q.len(), 3);
    assert.deepEqual(await drain(q), ["a", "b", "c"]);
  });

  test("an item added while processed is re-queued only after done, once", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add("a");
    q.add("b");
    assert.equal(await q.get(), "a");
    q.add("a");
    q.add("a");
    assert.equal(q.len(), 1, "a must not be queued while it is processed");
    assert.equal(await q.get(), "b");
    let second: string | undefined = "unset";
    const pending = q.get().then((v) => { second = v; });
    await Promise.resolve();
    assert.equal(second, "unset", "a must not be handed out concurrently");
    q.done("a");
    await pending;
    assert.equal(second, "a");
    q.done("a");
    q.done("b");
    assert.equal(q.len(), 0);
  });

  test("done without a new add does not re-queue", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    q.add("a");
    const a = await q.get();
    assert.equal(a, "a");
    q.done("a");
    assert.equal(q.len(), 0);
  });

  test("a waiting get resolves on add; an aborted get resolves undefined and takes nothing", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const ac = new AbortController();
    const aborted = q.get(ac.signal);
    ac.abort();
    assert.equal(await aborted, undefined);
    const waiting = q.get();
    q.add("x");
    assert.equal(await waiting, "x");
    q.add("y");
    assert.equal(q.len(), 1);
  });

  test("gets share one abort listener per signal; an abort releases only the gets made with that signal", async () => {
    const q = new WorkQueue({ clock: new FakeClock() });
    const first = new AbortController();
    const second = new AbortController();
    const a = q.get(first.signal);
    const b = q.get(second.signal);
    const c = q.get(first.signal);
    assert.equal(getEventListeners(first.signal, "abort").length, 1);
    first.abort();
    assert.equal(await a, undefined);
    assert.equal(await c, undefined);
    q.add("x");
    assert.equal(await b, "x");
    q.done("x");
    for (let i = 0; i < 5; i++) {
      const next = q.get(second.signal);
      q.add(`k${i}`);
      assert.equal(await next, `k${i}`);
      q.done(`k${i}`);
    }
    assert.equal(getEventListeners(second.signal, "abort").length, 1);
    assert.equal(q.len(), 0);
  });

  test("shutDown wakes waiters with undefined, ignores later adds and drops delayed items", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    const waiting = q.get();
    q.addAfter("later", 10);
    assert.equal(q.shuttingDown(), false);
    q.shutDown();
    q.shutDown();
    assert.equal(await waiting, undefined);
    assert.equal(q.shuttingDown(), true);
    assert.equal(clock.pendingTimers(), 0);
    q.add("a");
    q.addAfter("b", 1);
    q.addRateLimited("c");
    clock.advance(100);
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
  });
});

describe("WorkQueue delayed adds", () => {
  test("items become ready in time order through one shared timer", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter("c", 30);
    q.addAfter("a", 10);
    q.addAfter("b", 20);
    q.addAfter("d", 20);
    assert.equal(clock.pendingTimers(), 1);
    assert.equal(q.len(), 0);
    clock.advance(9);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.deepEqual(await drain(q), ["a"]);
    clock.advance(20);
    assert.deepEqual(await drain(q), ["b", "d", "c"]);
    assert.equal(clock.pendingTimers(), 0);
  });

  test("repeated delays of one item coalesce to the earliest time", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter("x", 50);
    q.addAfter("x", 10);
    q.addAfter("x", 40);
    assert.equal(clock.pendingTimers(), 1);
    clock.advance(10);
    assert.deepEqual(await drain(q), ["x"]);
    clock.advance(100);
    assert.deepEqual(await drain(q), [], "the later delays must have been dropped");
  });

  test("a zero or negative delay adds at once; a delayed item already queued is not duplicated", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addAfter("now", 0);
    q.addAfter("neg", -1);
    q.add("dup");
    q.addAfter("dup", 5);
    clock.advance(5);
    assert.deepEqual(await drain(q), ["now", "neg", "dup"]);
  });
});

describe("WorkQueue rate-limited adds", () => {
  test("backs off exponentially per item; forget resets", async () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock, rateLimiter: new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 1000 }) });
    const readyAfter = async (): Promise<number> => {
      const start = clock.now();
      q.addRateLimited("k");
      while (q.len() === 0) clock.advance(1);
      assert.deepEqual(await drain(q), ["k"]);
      return clock.now() - start;
    };
    assert.deepEqual([await readyAfter(), await readyAfter(), await readyAfter()], [5, 10, 20]);
    assert.equal(q.numRequeues("k"), 3);
    q.forget("k");
    assert.equal(q.numRequeues("k"), 0);
    assert.equal(await readyAfter(), 5);
  });

  test("uses the default controller limiter when none is given", () => {
    const clock = new FakeClock();
    const q = new WorkQueue({ clock });
    q.addRateLimited("k");
    assert.equal(clock.nextTimerAt(), 5);
    assert.equal(q.numRequeues("k"), 1);
  });
});

describe("DelayHeap", () => {
  test("pops in ready-time order for many shuffled items", () => {
    const heap = new DelayHeap<number>();
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 211);
    times.forEach((t, i) => heap.schedule(i, t));
    for (let i = 0; i < 50; i++) heap.schedule(i, -1 - i);
    const popped = heap.popReady(1000).map((i) => (i < 50 ? -1 - i : times[i] as number));
    assert.equal(popped.length, 200);
    assert.deepEqual(popped, [...popped].sort((a, b) => a - b));
    assert.equal(heap.size, 0);
  });

  test("reports whether the earliest time changed and only pops ready items", () => {
    const heap = new DelayHeap<string>();
    assert.equal(heap.schedule("a", 10), true);
    assert.equal(heap.schedule("b", 20), false);
    assert.equal(heap.schedule("b", 5), true);
    assert.equal(heap.schedule("a", 30), false);
    assert.deepEqual(heap.popReady(9), ["b"]);
    assert.equal(heap.peekTime(), 10);
    heap.clear();
    assert.equal(heap.peekTime(), undefined);
  });
});
