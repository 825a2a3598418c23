import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "../../util/clock.js";
import { ControllerExpectations, expectationsTimeoutMs } from "./expectations.js";
import { FailedPodBackoff } from "./failed-pod-backoff.js";
import { burstFor, slowStartBatches } from "./pod-control.js";

describe("ControllerExpectations", () => {
  test("satisfied without a record, after observations, after lowering, after the TTL", () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    assert.equal(e.satisfied("k"), true);
    e.set("k", 2, 1);
    assert.equal(e.satisfied("k"), false);
    e.creationObserved("k");
    e.creationObserved("k");
    assert.equal(e.satisfied("k"), false);
    e.deletionObserved("k");
    assert.equal(e.satisfied("k"), true);
    e.set("k", 3, 0);
    e.lower("k", 3, 0);
    assert.equal(e.satisfied("k"), true);
    e.set("k", 1, 0);
    clock.advance(expectationsTimeoutMs);
    assert.equal(e.satisfied("k"), false);
    clock.advance(1);
    assert.equal(e.satisfied("k"), true);
    e.delete("k");
    assert.equal(e.pending("k"), undefined);
  });
});

describe("FailedPodBackoff", () => {
  test("1 s doubling up to 15 min; starts over after twice the maximum", () => {
    const clock = new FakeClock();
    const b = new FailedPodBackoff(clock);
    const key = FailedPodBackoff.key("uid", 1, "node");
    assert.equal(key, "uid/1/node");
    assert.equal(b.isInBackOffSinceUpdate(key), false);
    b.next(key);
    assert.equal(b.get(key), 1000);
    assert.equal(b.isInBackOffSinceUpdate(key), true);
    clock.advance(999);
    assert.equal(b.isInBackOffSinceUpdate(key), true);
    clock.advance(1);
    assert.equal(b.isInBackOffSinceUpdate(key), false);
    b.next(key);
    assert.equal(b.get(key), 2000);
    for (let i = 0; i < 20; i++) b.next(key);
    assert.equal(b.get(key), 15 * 60 * 1000);
    clock.advance(2 * 15 * 60 * 1000 + 1);
    assert.equal(b.isInBackOffSinceUpdate(key), false);
    b.gc();
    assert.equal(b.size, 0);
    b.next(key);
    assert.equal(b.get(key), 1000);
  });
});

describe("slowStartBatches", () => {
  const cases: [number, number[]][] = [[0, []], [1, [1]], [2, [1, 1]], [7, [1, 2, 4]], [10, [1, 2, 4, 3]], [250, [1, 2, 4, 8, 16, 32, 64, 123]]];
  for (const [n, want] of cases) test(String(n), () => assert.deepEqual(slowStartBatches(n), want));
});

describe("burstFor", () => {
  const cases: [string, number | undefined, number, number][] = [
    ["a configured burst is kept", 3, 50_000, 3],
    ["small clusters get upstream's 250", undefined, 10, 250],
    ["up to 5,000 nodes still 250", undefined, 5_000, 250],
    ["beyond, a twentieth of the nodes", undefined, 10_000, 500],
    ["rounded up", undefined, 50_001, 2_501],
  ];
  for (const [name, configured, nodes, want] of cases) test(name, () => assert.equal(burstFor(configured, nodes), want));
});
