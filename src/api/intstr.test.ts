import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { isPercent, percentErrorMessage, scaledValueFromIntOrPercent, validatePercent } from "./intstr.js";

describe("scaledValueFromIntOrPercent", () => {
  const cases: Array<[value: number | string, total: number, roundUp: boolean, expected: number]> = [
    [1, 10, true, 1],
    [0, 10, false, 0],
    [7, 3, false, 7],
    ["10%", 10, true, 1],
    ["10%", 10, false, 1],
    ["25%", 10, true, 3],
    ["25%", 10, false, 2],
    ["1%", 1, true, 1],
    ["1%", 1, false, 0],
    ["20%", 0, true, 0],
    ["100%", 7, false, 7],
    ["150%", 2, false, 3],
    ["0%", 100, true, 0],
    ["33%", 3, true, 1],
    ["33%", 3, false, 0],
  ];
  for (const [value, total, roundUp, expected] of cases) {
    test(`${JSON.stringify(value)} of ${total} (roundUp=${roundUp}) = ${expected}`, () => {
      assert.equal(scaledValueFromIntOrPercent(value, total, roundUp), expected);
    });
  }

  const errors: Array<[value: unknown, message: string]> = [
    [undefined, "nil value for IntOrString"],
    ["5", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["x", "invalid value for IntOrString: invalid type: string is not a percentage"],
    ["abc%", "invalid value for IntOrString: invalid value \"abc%\": strconv.Atoi: parsing \"abc\": invalid syntax"],
    ["%", "invalid value for IntOrString: invalid value \"%\": strconv.Atoi: parsing \"\": invalid syntax"],
    [1.5, "invalid value for IntOrString: invalid type: neither int nor percentage"],
    [true, "invalid value for IntOrString: invalid type: neither int nor percentage"],
  ];
  for (const [value, message] of errors) {
    test(`throws for ${JSON.stringify(value)}`, () => {
      assert.throws(() => scaledValueFromIntOrPercent(value as never, 10, true), { message });
    });
  }
});

describe("percent helpers", () => {
  const cases: Array<[value: unknown, percent: boolean]> = [
    ["10%", true], ["0%", true], ["100%", true], ["10", false], ["-1%", false], ["1.5%", false], [10, false], ["%", false],
  ];
  for (const [value, percent] of cases) {
    test(`isPercent(${JSON.stringify(value)}) = ${percent}`, () => {
      assert.equal(isPercent(value), percent);
      if (typeof value === "string") assert.deepEqual(validatePercent(value), percent ? [] : [percentErrorMessage]);
    });
  }
});
