import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../util/clock.js";
import { ItemExponentialRateLimiter, MaxOfRateLimiter, TokenBucketRateLimiter, defaultControllerRateLimiter } from "./rate-limiter.js";

describe("ItemExponentialRateLimiter", () => {
  test("doubles per retry from the base, per item, up to the cap; forget resets", () => {
    const rl = new ItemExponentialRateLimiter({ baseMs: 5, maxMs: 100 });
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(() => rl.whenAt("a")), [5, 10, 20, 40, 80, 100, 100]);
    assert.equal(rl.retries("a"), 7);
    assert.equal(rl.whenAt("b"), 5);
    rl.forget("a");
    assert.equal(rl.retries("a"), 0);
    assert.equal(rl.whenAt("a"), 5);
    assert.equal(rl.retries("b"), 1);
  });

  test("defaults to 5 ms base and a 1000 s cap, without overflowing", () => {
    const rl = new ItemExponentialRateLimiter();
    assert.equal(rl.whenAt("x"), 5);
    for (let i = 0; i < 2000; i++) rl.whenAt("x");
    assert.equal(rl.whenAt("x"), 1_000_000);
  });
});

describe("TokenBucketRateLimiter", () => {
  test("allows a burst, then spaces retries at 1/qps, and refills over time", () => {
    const clock = new FakeClock();
    const rl = new TokenBucketRateLimiter(clock, { qps: 10, burst: 3 });
    assert.deepEqual([1, 2, 3].map(() => rl.whenAt("a")), [0, 0, 0]);
    assert.equal(rl.whenAt("b"), 100);
    assert.equal(rl.whenAt("c"), 200);
    clock.advance(300);
    assert.equal(rl.whenAt("d"), 0);
    clock.advance(10_000);
    assert.deepEqual([1, 2, 3, 4].map(() => rl.whenAt("e")), [0, 0, 0, 100]);
    assert.equal(rl.retries("e"), 0);
  });

  test("defaults to 10 qps and burst 100", () => {
    const rl = new TokenBucketRateLimiter(new FakeClock());
    for (let i = 0; i < 100; i++) assert.equal(rl.whenAt(`k${i}`), 0);
    assert.equal(rl.whenAt("over"), 100);
  });

  test("rejects nonsensical settings", () => {
    assert.throws(() => new TokenBucketRateLimiter(new FakeClock(), { qps: 0 }), RangeError);
  });
});

describe("MaxOfRateLimiter / defaultControllerRateLimiter", () => {
  test("takes the longest delay and forgets in every limiter", () => {
    const clock = new FakeClock();
    const rl = new MaxOfRateLimiter(new ItemExponentialRateLimiter({ baseMs: 5 }), new TokenBucketRateLimiter(clock, { qps: 1, burst: 1 }));
    assert.equal(rl.whenAt("a"), 5);
    assert.equal(rl.whenAt("a"), 1000);
    clock.advance(5000);
    assert.equal(rl.whenAt("a"), 20);
    assert.equal(rl.retries("a"), 3);
    rl.forget("a");
    assert.equal(rl.retries("a"), 0);
  });

  test("default combines 5 ms exponential with a 10 qps / 100 burst bucket", () => {
    const rl = defaultControllerRateLimiter(new FakeClock());
    assert.equal(rl.whenAt("a"), 5);
    assert.equal(rl.whenAt("a"), 10);
    for (let i = 0; i < 98; i++) rl.whenAt(`k${i}`);
    assert.equal(rl.whenAt("fresh"), 100);
    assert.throws(() => new MaxOfRateLimiter(), RangeError);
  });
});
