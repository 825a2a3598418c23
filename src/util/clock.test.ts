import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock, realClock, sleep } from "./clock.js";

describe("FakeClock", () => {
  test("fires due timers in due-time order, ties in scheduling order, with now() at each due time", () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(10, () => fired.push(`a2@${clock.now()}`));
    clock.setTimer(20, () => fired.push(`b@${clock.now()}`));
    clock.advance(25);
    assert.deepEqual(fired, ["a@110", "a2@110", "b@120"]);
    assert.equal(clock.now(), 125);
    assert.equal(clock.pendingTimers(), 1);
    assert.equal(clock.nextTimerAt(), 130);
    clock.advance(5);
    assert.deepEqual(fired, ["a@110", "a2@110", "b@120", "c@130"]);
    assert.equal(clock.nextTimerAt(), undefined);
  });

  test("timers scheduled by a firing timer fire within the same advance when due", () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimer(5, () => {
      fired.push(clock.now());
      clock.setTimer(5, () => fired.push(clock.now()));
      clock.setTimer(50, () => fired.push(clock.now()));
    });
    clock.advance(20);
    assert.deepEqual(fired, [5, 10]);
    assert.equal(clock.pendingTimers(), 1);
  });

  test("cancelled timers never fire; negative delays fire on advance(0)", () => {
    const clock = new FakeClock();
    let n = 0;
    const cancel = clock.setTimer(1, () => n++);
    cancel();
    cancel();
    clock.setTimer(-5, () => (n += 10));
    clock.advance(0);
    clock.advance(10);
    assert.equal(n, 10);
  });
});

describe("sleep", () => {
  test("resolves when the clock passes the delay", async () => {
    const clock = new FakeClock();
    let done = false;
    const p = sleep(clock, 100).then(() => { done = true; });
    clock.advance(99);
    await Promise.resolve();
    assert.equal(done, false);
    clock.advance(1);
    await p;
    assert.equal(done, true);
  });

  test("resolves early on abort and cancels its timer", async () => {
    const clock = new FakeClock();
    const ac = new AbortController();
    const p = sleep(clock, 1000, ac.signal);
    assert.equal(clock.pendingTimers(), 1);
    ac.abort();
    await p;
    assert.equal(clock.pendingTimers(), 0);
    await sleep(clock, 1000, ac.signal);
  });
});

describe("realClock", () => {
  test("fires a timer and cancels another", async () => {
    const clock = realClock();
    let cancelledFired = false;
    clock.setTimer(1, () => { cancelledFired = true; })();
    const t0 = clock.now();
    await new Promise<void>((resolve) => clock.setTimer(2, resolve));
    assert.ok(clock.now() >= t0);
    assert.equal(cancelledFired, false);
  });
});
