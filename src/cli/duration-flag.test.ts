import assert from "node:assert/strict";
import { test } from "node:test";
import { durationFlag } from "./up.js";

test("duration flags take Go's duration form", () => {
  assert.equal(durationFlag("event-ttl", undefined), undefined);
  assert.equal(durationFlag("event-ttl", "1h0m0s"), 3_600_000);
  assert.equal(durationFlag("event-ttl", "90m"), 5_400_000);
  assert.equal(durationFlag("x", "1m30s"), 90_000);
  assert.equal(durationFlag("x", "500ms"), 500);
  assert.equal(durationFlag("x", "1.5s"), 1500);
  for (const bad of ["0s", "", "1d", "10", "s", "1h-1m", "-1s"]) {
    assert.throws(() => durationFlag("event-ttl", bad), /invalid value ".*" for --event-ttl: must be a positive duration/, bad);
  }
});
