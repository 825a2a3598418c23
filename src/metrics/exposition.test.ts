import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeLabelValue, familyHeader, formatValue, sampleLine } from "./exposition.js";

test("values print as Go's %g: integers plain below 1e6, exponent form from 1e6 and below 1e-4", () => {
  assert.equal(formatValue(0), "0");
  assert.equal(formatValue(3), "3");
  assert.equal(formatValue(-2.5), "-2.5");
  assert.equal(formatValue(999999), "999999");
  assert.equal(formatValue(1000000), "1e+06");
  assert.equal(formatValue(1733460000), "1.73346e+09");
  assert.equal(formatValue(0.0001), "0.0001");
  assert.equal(formatValue(0.00001), "1e-05");
  assert.equal(formatValue(Infinity), "+Inf");
  assert.equal(formatValue(NaN), "NaN");
});

test("label values escape backslash, quote and newline; samples keep label order", () => {
  assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  assert.equal(sampleLine("m", [["namespace", "x"], ["pod", 'p"']], 1), 'm{namespace="x",pod="p\\""} 1');
  assert.equal(sampleLine("m", [], 2), "m 2");
  assert.equal(familyHeader("m", "[STABLE] help", "gauge"), "# HELP m [STABLE] help\n# TYPE m gauge");
});
