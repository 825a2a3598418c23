import assert from "node:assert/strict";
import { test } from "node:test";
import { CrashBackoff, goDuration } from "./crash-backoff.js";

test("the first crash restarts at once, later ones wait 10 s doubling to 5 min", () => {
  const b = new CrashBackoff();
  let t = 0;
  assert.equal(b.check("c", t, t), undefined);
  const waits: string[] = [];
  for (let i = 0; i < 7; i++) {
    t += 1000;
    const w = b.check("c", t, t);
    assert.ok(w);
    waits.push(goDuration(w.backoffMs));
    t += w.remainingMs;
    assert.equal(b.check("c", t - w.remainingMs, t), undefined);
  }
  assert.deepEqual(waits, ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"]);
});

test("a container that ran for more than 10 minutes after its last back-off step starts over at 10 s", () => {
  const b = new CrashBackoff();
  assert.equal(b.check("c", 0, 0), undefined);
  assert.equal(b.check("c", 5000, 5000)?.backoffMs, 10_000);
  assert.equal(b.check("c", 5000, 15_000), undefined);
  const late = 5000 + 11 * 60_000;
  assert.equal(b.check("c", late, late), undefined);
  assert.equal(b.check("c", late + 1000, late + 1000)?.backoffMs, 10_000);
});
