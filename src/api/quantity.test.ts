import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  addQuantity, compareQuantity, formatQuantity, parseQuantity, quantityFormatError, quantityFromMilli, quantityMilliValue,
  quantitySuffixError, quantityValue, roundUpQuantity, subtractQuantity, tryParseQuantity,
} from "./quantity.js";

describe("parseQuantity", () => {
  const cases: Array<[input: string, milli: bigint, canonical: string]> = [
    ["0", 0n, "0"],
    ["2", 2000n, "2"],
    ["100m", 100n, "100m"],
    ["0.1", 100n, "100m"],
    [".5", 500n, "500m"],
    ["1.", 1000n, "1"],
    ["1000m", 1000n, "1"],
    ["1500m", 1500n, "1500m"],
    ["1.5", 1500n, "1500m"],
    ["1e3", 1_000_000n, "1e3"],
    ["1E3", 1_000_000n, "1e3"],
    ["1e-3", 1n, "1e-3"],
    ["1e+3", 1_000_000n, "1e3"],
    ["1k", 1_000_000n, "1k"],
    ["2000", 2_000_000n, "2k"],
    ["1M", 1_000_000_000n, "1M"],
    ["1G", 1_000_000_000_000n, "1G"],
    ["1T", 10n ** 15n, "1T"],
    ["1P", 10n ** 18n, "1P"],
    ["1E", 10n ** 21n, "1E"],
    ["200Mi", 200n * 1024n * 1024n * 1000n, "200Mi"],
    ["1Gi", 1024n ** 3n * 1000n, "1Gi"],
    ["1024Mi", 1024n ** 3n * 1000n, "1Gi"],
    ["1.5Gi", 1536n * 1024n * 1024n * 1000n, "1536Mi"],
    ["1Ki", 1_024_000n, "1Ki"],
    ["1Ti", 1024n ** 4n * 1000n, "1Ti"],
    ["1Pi", 1024n ** 5n * 1000n, "1Pi"],
    ["1Ei", 1024n ** 6n * 1000n, "1Ei"],
    ["0.5Ki", 512_000n, "512"],
    ["100Ki", 102_400_000n, "100Ki"],
    ["1n", 1n, "1n"],
    ["1u", 1n, "1u"],
    ["-100m", -100n, "-100m"],
    ["+2", 2000n, "2"],
    ["0.0000000001", 1n, "1n"],
    ["007", 7000n, "7"],
  ];
  for (const [input, milli, canonical] of cases) {
    test(`${input} → ${milli}m, prints ${canonical}`, () => {
      const q = parseQuantity(input);
      assert.equal(quantityMilliValue(q), milli);
      assert.equal(formatQuantity(q), canonical);
    });
  }

  const bad: Array<[input: string, message: string]> = [
    ["", quantityFormatError],
    ["abc", quantityFormatError],
    ["1 Gi", quantityFormatError],
    ["1.2.3", quantityFormatError],
    ["-", quantityFormatError],
    ["Gi", quantityFormatError],
    ["1Gb", quantityFormatError],
    ["1K", quantitySuffixError],
    ["1e", quantitySuffixError],
    ["1GiB", quantityFormatError],
    ["1Mi2", quantitySuffixError],
  ];
  for (const [input, message] of bad) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseQuantity(input), { message });
    });
  }

  test("the format error quotes the upstream regular expression", () => {
    assert.equal(quantityFormatError, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });

  test("caps at the largest int64", () => {
    assert.equal(quantityValue(parseQuantity("1e100")), 2n ** 63n - 1n);
  });
});

describe("arithmetic and comparison", () => {
  const cmp: Array<[a: string, b: string, expected: -1 | 0 | 1]> = [
    ["100m", "0.1", 0],
    ["1Gi", "1073741824", 0],
    ["1G", "1Gi", -1],
    ["2", "1999m", 1],
    ["1e3", "1k", 0],
    ["-1", "0", -1],
    ["1n", "0", 1],
  ];
  for (const [a, b, expected] of cmp) {
    test(`compare ${a} ${b} = ${expected}`, () => {
      assert.equal(compareQuantity(parseQuantity(a), parseQuantity(b)), expected);
    });
  }

  test("add and subtract are exact", () => {
    const sum = addQuantity(parseQuantity("100m"), parseQuantity("0.2"));
    assert.equal(formatQuantity(sum), "300m");
    const diff = subtractQuantity(parseQuantity("1Gi"), parseQuantity("512Mi"));
    assert.equal(formatQuantity(diff), "512Mi");
    const zeroPlus = addQuantity(parseQuantity("0"), parseQuantity("1Gi"));
    assert.equal(formatQuantity(zeroPlus), "1Gi");
  });

  test("values round up", () => {
    assert.equal(quantityValue(parseQuantity("1500m")), 2n);
    assert.equal(quantityValue(parseQuantity("1n")), 1n);
    assert.equal(quantityValue(parseQuantity("-1500m")), -1n);
    assert.equal(quantityMilliValue(parseQuantity("1n")), 1n);
    assert.equal(quantityMilliValue(quantityFromMilli(250)), 250n);
  });

  test("roundUpQuantity rounds away from zero", () => {
    assert.equal(formatQuantity(roundUpQuantity(parseQuantity("100u"), -3)), "1m");
    assert.equal(formatQuantity(roundUpQuantity(parseQuantity("-100u"), -3)), "-1m");
    assert.equal(formatQuantity(roundUpQuantity(parseQuantity("1Gi"), -3)), "1Gi");
  });

  test("tryParseQuantity accepts JSON numbers and rejects other shapes", () => {
    assert.equal(formatQuantity(tryParseQuantity(0.5) ?? parseQuantity("9")), "500m");
    assert.equal(formatQuantity(tryParseQuantity(2) ?? parseQuantity("9")), "2");
    assert.equal(tryParseQuantity("nope"), undefined);
    assert.equal(tryParseQuantity({}), undefined);
    assert.equal(tryParseQuantity(Number.NaN), undefined);
  });
});
