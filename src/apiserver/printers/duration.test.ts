import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { humanDuration, translateTimestampSince } from "./duration.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

void describe("humanDuration", () => {
  const cases: Array<[number, string]> = [
    [-5 * s, "<invalid>"], [-1999, "0s"], [-500, "0s"], [0, "0s"], [999, "0s"], [45 * s, "45s"], [119 * s, "119s"],
    [2 * m, "2m"], [3 * m + 2 * s, "3m2s"], [9 * m + 59 * s, "9m59s"], [10 * m + 30 * s, "10m"], [179 * m, "179m"],
    [3 * h, "3h"], [5 * h + 7 * m, "5h7m"], [8 * h + 30 * m, "8h"], [47 * h, "47h"], [2 * d, "2d"], [2 * d + 3 * h, "2d3h"],
    [7 * d + 23 * h, "7d23h"], [8 * d, "8d"], [729 * d, "729d"], [730 * d, "2y"], [3 * 365 * d + 10 * d, "3y10d"], [9 * 365 * d, "9y"],
  ];
  for (const [ms, want] of cases) void test(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
});

void describe("translateTimestampSince", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  void test("ages and unknowns", () => {
    assert.equal(translateTimestampSince("2024-05-01T11:59:15Z", now), "45s");
    assert.equal(translateTimestampSince("2024-04-29T09:00:00Z", now), "2d3h");
    assert.equal(translateTimestampSince(undefined, now), "<unknown>");
    assert.equal(translateTimestampSince("", now), "<unknown>");
    assert.equal(translateTimestampSince("garbage", now), "<unknown>");
    assert.equal(translateTimestampSince(42, now), "<unknown>");
  });
});
