/**
 * Resource quantities (`100m`, `200Mi`, `1e3`, `2`) parsed into an exact integer count of nano units,
 * compared and added without floating point, and printed in canonical form.
 *
 * Like the upstream parser, magnitudes are rounded up to the nearest nano unit and capped at the
 * largest signed 64-bit integer.
 */

/** How a quantity is written: decimal SI suffixes, binary SI suffixes or a decimal exponent. */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** An exact resource quantity: `nanos` × 10⁻⁹, plus the suffix family it prints with. */
export interface Quantity {
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** The error message for malformed quantities. */
export const quantityFormatError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** The error message for a well-formed quantity with an unknown suffix. */
export const quantitySuffixError = "unable to parse quantity's suffix";

const quantityPattern = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const numberPattern = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/;
const exponentSuffix = /^[eE][-+]?[0-9]+$/;

const decimalSuffixes: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalSuffixByExponent = new Map<number, string>(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binarySuffixByPower = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

const nanoPerUnit = 1_000_000_000n;
const maxNanos = (2n ** 63n - 1n) * nanoPerUnit;

function pow10(n: number): bigint { return 10n ** BigInt(n); }

/** ceil(a / b) for b > 0. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** a / b rounded away from zero, for b > 0. */
function divAwayFromZero(a: bigint, b: bigint): bigint {
  const q = a / b;
  if (a % b === 0n) return q;
  return a > 0n ? q + 1n : q - 1n;
}

/** Parses a quantity string; throws an Error with the upstream message when it is malformed. */
export function parseQuantity(s: string): Quantity {
  if (typeof s !== "string" || s.length === 0) throw new Error(quantityFormatError);
  const parts = quantityPattern.exec(s);
  if (!parts) throw new Error(quantityFormatError);
  const numeric = numberPattern.exec(parts[1] ?? "");
  if (!numeric) throw new Error(quantityFormatError);
  const negative = numeric[1] === "-";
  const whole = numeric[2] ?? "";
  const fraction = numeric[3] ?? "";
  const suffix = parts[2] ?? "";

  let base: 2 | 10;
  let exponent: number;
  let format: QuantityFormat;
  if (suffix in decimalSuffixes) {
    base = 10; exponent = decimalSuffixes[suffix] ?? 0; format = "DecimalSI";
  } else if (suffix in binarySuffixes) {
    base = 2; exponent = binarySuffixes[suffix] ?? 0; format = "BinarySI";
  } else if (exponentSuffix.test(suffix)) {
    base = 10; exponent = Number.parseInt(suffix.slice(1), 10); format = "DecimalExponent";
    if (!Number.isSafeInteger(exponent)) throw new Error(quantitySuffixError);
  } else {
    throw new Error(quantitySuffixError);
  }

  const mantissa = BigInt((whole + fraction) || "0");
  if (mantissa === 0n) return { nanos: 0n, format };
  // value = mantissa × 10^(-fraction.length) × base^exponent; nanos = value × 10^9.
  let shift = 9 - fraction.length;
  let scaled = mantissa;
  if (base === 2) scaled *= 2n ** BigInt(exponent);
  else shift += exponent;
  let nanos: bigint;
  if (shift >= 0) {
    // Anything shifted this far is far beyond the cap; avoid building huge integers.
    nanos = shift > 60 ? maxNanos + 1n : scaled * pow10(shift);
  } else {
    nanos = -shift > 400 ? 1n : ceilDiv(scaled, pow10(-shift));
  }
  if (nanos > maxNanos) nanos = maxNanos;
  return { nanos: negative ? -nanos : nanos, format };
}

/** Parses a quantity from decoded JSON (a string, or a number as YAML/JSON allow); undefined when invalid. */
export function tryParseQuantity(value: unknown): Quantity | undefined {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = String(value);
  else return undefined;
  try {
    return parseQuantity(text);
  } catch {
    return undefined;
  }
}

/** A DecimalSI quantity of the given number of milli units (e.g. milli-CPU). */
export function quantityFromMilli(milli: bigint | number): Quantity {
  return { nanos: BigInt(milli) * 1_000_000n, format: "DecimalSI" };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantity(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** a + b, printed in a's format (b's when a is zero). */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** a − b, printed in a's format (b's when a is zero). */
export function subtractQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** The value in milli units, rounded up (ceiling): `100m` → 100n, `1` → 1000n, `1n` → 1n. */
export function quantityMilliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}

/** The value in whole units, rounded up (ceiling): `1500m` → 2n, `1Ki` → 1024n. */
export function quantityValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, nanoPerUnit);
}

/** Rounds the magnitude up to a multiple of 10^scale (scale ≥ -9), e.g. scale -3 for milli precision. */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  const step = pow10(Math.max(0, scale + 9));
  return { nanos: divAwayFromZero(q.nanos, step) * step, format: q.format };
}

/** The canonical string form, as the API prints quantities: `0.1` → `100m`, `1024Mi` → `1Gi`, `1e3` → `1e3`. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  let format = q.format;
  if (format === "BinarySI" && (abs < 1024n * nanoPerUnit || q.nanos % nanoPerUnit !== 0n)) format = "DecimalSI";

  if (format === "BinarySI") {
    let value = q.nanos / nanoPerUnit;
    let power = 0;
    while (value % 1024n === 0n && power < binarySuffixByPower.length - 1) {
      value /= 1024n;
      power++;
    }
    return `${value}${binarySuffixByPower[power] ?? ""}`;
  }

  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const remainder = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(remainder);
  exponent -= remainder;
  if (format === "DecimalExponent") return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  return `${mantissa}${decimalSuffixByExponent.get(exponent) ?? ""}`;
}
