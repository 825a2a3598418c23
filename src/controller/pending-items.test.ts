import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../util/clock.js";
import { FifoItems, PriorityItems } from "./pending-items.js";
import { WorkQueue } from "./workqueue.js";

const drain = <T>(items: { shift(): T | undefined; length: number }): T[] => {
  const out: T[] = [];
  while (items.length > 0) out.push(items.shift() as T);
  return out;
};

describe("pending items", () => {
  test("FIFO keeps insertion order across compaction", () => {
    const f = new FifoItems<number>();
    for (let i = 0; i < 3000; i++) f.push(i);
    for (let i = 0; i < 2000; i++) assert.equal(f.shift(), i);
    f.push(3000);
    assert.deepEqual(drain(f), Array.from({ length: 1001 }, (_, i) => 2000 + i));
    assert.equal(f.shift(), undefined);
  });

  test("priority: highest first, FIFO among equals, on a heap of many items", () => {
    const prio = new Map<string, number>();
    const h = new PriorityItems<string>((k) => prio.get(k) ?? 0);
    const want: [string, number, number][] = [];
    for (let i = 0; i < 500; i++) {
      const p = (i * 7919) % 5;
      prio.set(`k${i}`, p);
      h.push(`k${i}`);
      want.push([`k${i}`, p, i]);
    }
    want.sort((a, b) => b[1] - a[1] || a[2] - b[2]);
    assert.deepEqual(drain(h), want.map(([k]) => k));
  });

  test("a priority that is not a finite number counts as 0", () => {
    const h = new PriorityItems<string>((k) => (k === "nan" ? NaN : k === "one" ? 1 : -1));
    for (const k of ["low", "nan", "one"]) h.push(k);
    assert.deepEqual(drain(h), ["one", "nan", "low"]);
  });
});

describe("WorkQueue with priority", () => {
  test("hands out the highest priority first, keeping dedup, the processing set and rate limits", async () => {
    const clock = new FakeClock();
    const prio: Record<string, number> = { critical: 2_000_001_000, high: 1000, low: 0, other: 0 };
    const q = new WorkQueue<string>({ clock, priority: (k) => prio[k] ?? 0 });
    for (const k of ["low", "other", "high", "low", "critical", "high"]) q.add(k);
    assert.equal(q.len(), 4);
    assert.equal(await q.get(), "critical");
    q.add("critical");
    assert.equal(q.len(), 4 - 1, "an item being processed is not queued again before done");
    assert.equal(await q.get(), "high");
    q.done("critical");
    assert.equal(await q.get(), "critical", "re-queued after done, ahead of lower priorities");
    q.done("critical");
    q.done("high");
    q.addRateLimited("high");
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), "low");
    clock.advance(1000);
    assert.equal(await q.get(), "high", "the retried item comes back at its priority");
    assert.equal(await q.get(), "other");
    assert.equal(q.numRequeues("high"), 1);
  });
});

describe("reprioritize", () => {
  test("re-reads priorities of waiting items, FIFO among equals", () => {
    const prio = new Map<string, number>();
    const h = new PriorityItems<string>((k) => prio.get(k) ?? 0);
    for (const k of ["a", "b", "c", "d"]) h.push(k);
    prio.set("c", 5).set("d", 5).set("a", -1);
    h.reprioritize();
    assert.deepEqual(drain(h), ["c", "d", "b", "a"]);
    const f = new FifoItems<string>();
    f.push("x");
    f.reprioritize();
    assert.deepEqual(drain(f), ["x"]);
  });
});
