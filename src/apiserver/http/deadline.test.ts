import assert from "node:assert/strict";
import { test } from "node:test";
import { StatusError } from "../../api/status-error.js";
import { parseGoDuration, requestDeadline } from "./deadline.js";

test("Go durations", () => {
  const cases: [string, number | undefined][] = [
    ["5s", 5000], ["1m0s", 60_000], ["1h2m3.5s", 3_723_500], ["250ms", 250], ["0", 0], [".5s", 500], ["1.5h", 5_400_000],
    ["", undefined], ["5", undefined], ["abc", undefined], ["5x", undefined], ["s", undefined],
  ];
  for (const [text, ms] of cases) assert.equal(parseGoDuration(text), ms, text);
});

test("request deadline: shorter timeouts win, longer ones are capped, malformed ones are 400", () => {
  assert.equal(requestDeadline(null, 60_000), 60_000);
  assert.equal(requestDeadline("5s", 60_000), 5000);
  assert.equal(requestDeadline("10m", 60_000), 60_000);
  assert.throws(() => requestDeadline("soon", 60_000), (e: unknown) =>
    e instanceof StatusError && e.code === 400 && e.message === 'invalid timeout specified in the request URL - time: invalid duration "soon"');
});
