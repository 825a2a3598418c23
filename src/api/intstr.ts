/**
 * Int-or-string values (`maxUnavailable: 1` or `maxUnavailable: "10%"`): percent checks and scaling
 * against a total, with the upstream error texts.
 */
import type { IntOrString } from "./types.js";

const percentPattern = /^[0-9]+%$/;
const maxInt64 = 2n ** 63n - 1n;

/** The upstream message for a string that is not a valid percent. */
export const percentErrorMessage =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** True when v is a string of the form `<digits>%`. */
export function isPercent(v: unknown): v is string {
  return typeof v === "string" && percentPattern.test(v);
}

/** Validation messages for a percent string; empty when valid. */
export function validatePercent(s: string): string[] {
  return percentPattern.test(s) ? [] : [percentErrorMessage];
}

/** Parses a decimal integer like Go's strconv.Atoi; returns a message describing the failure instead of throwing. */
function atoi(s: string): bigint | string {
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n > maxInt64 || n < -maxInt64 - 1n) return `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

/**
 * Scales an int-or-percent against total: ints are returned as they are, `"25%"` of 10 is 3 with roundUp and
 * 2 without. Throws Error like upstream for undefined (`nil value for IntOrString`) and for strings that are not
 * percentages (`invalid value for IntOrString: invalid type: string is not a percentage`).
 */
export function scaledValueFromIntOrPercent(v: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new Error("nil value for IntOrString");
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error("invalid value for IntOrString: invalid type: neither int nor percentage");
    return v;
  }
  if (typeof v !== "string") throw new Error("invalid value for IntOrString: invalid type: neither int nor percentage");
  if (!v.endsWith("%")) throw new Error("invalid value for IntOrString: invalid type: string is not a percentage");
  const parsed = atoi(v.slice(0, -1));
  if (typeof parsed === "string") throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: ${parsed}`);
  if (!Number.isSafeInteger(total)) throw new RangeError(`total must be an integer, got ${total}`);
  const product = parsed * BigInt(total);
  let scaled = product / 100n;
  const exact = product % 100n === 0n;
  if (!exact) {
    if (roundUp && product > 0n) scaled += 1n;
    if (!roundUp && product < 0n) scaled -= 1n;
  }
  return Number(scaled);
}
