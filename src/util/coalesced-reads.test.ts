import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CoalescedReads } from "./coalesced-reads.js";

/** A read that resolves when told to, numbered by the order the reads started in. */
function controlledReads(): { run: () => Promise<number>; started: () => number; finish: (value?: Error) => void } {
  let started = 0;
  const pending: ((error?: Error) => void)[] = [];
  return {
    run: () => {
      const index = ++started;
      return new Promise<number>((resolve, reject) => { pending.push((error) => (error ? reject(error) : resolve(index))); });
    },
    started: () => started,
    finish: (error) => { pending.shift()?.(error); },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("CoalescedReads", () => {
  test("callers arriving during a read share one follow-up read that starts after the first ends", async () => {
    const reads = new CoalescedReads<number>();
    const c = controlledReads();
    const first = reads.read("k", c.run);
    const later = Array.from({ length: 10 }, () => reads.read("k", c.run));
    assert.equal(c.started(), 1, "the follow-up waits for the running read");
    c.finish();
    assert.equal(await first, 1);
    await tick();
    assert.equal(c.started(), 2, "one follow-up read for all ten callers");
    c.finish();
    assert.deepEqual(await Promise.all(later), Array.from({ length: 10 }, () => 2));
    assert.equal(reads.running, 0);
  });

  test("every caller gets a read that started after it asked", async () => {
    const reads = new CoalescedReads<number>();
    const c = controlledReads();
    const results: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      const startedBefore = c.started();
      results.push(reads.read("k", c.run).then((index) => { assert.ok(index > startedBefore, `read ${index} started after the call (${startedBefore} had)`); }));
      if (i % 7 === 3) { c.finish(); await tick(); }
    }
    while (c.started() > 0 && reads.running > 0) { c.finish(); await tick(); }
    await Promise.all(results);
    assert.ok(c.started() < 30, `${c.started()} reads for 30 callers`);
  });

  test("different keys read independently", async () => {
    const reads = new CoalescedReads<number>();
    const c = controlledReads();
    const a = reads.read("a", c.run);
    const b = reads.read("b", c.run);
    assert.equal(c.started(), 2);
    c.finish();
    c.finish();
    assert.deepEqual([await a, await b], [1, 2]);
  });

  test("a failed read fails its sharers only; the next caller reads again", async () => {
    const reads = new CoalescedReads<number>();
    const c = controlledReads();
    const first = reads.read("k", c.run);
    c.finish(new Error("store down"));
    await assert.rejects(first, /store down/);
    await tick();
    const again = reads.read("k", c.run);
    c.finish();
    assert.equal(await again, 2);
    const throwing = reads.read("x", () => { throw new Error("sync failure"); });
    await assert.rejects(throwing, /sync failure/);
    await tick();
    assert.equal(reads.running, 0);
  });
});
