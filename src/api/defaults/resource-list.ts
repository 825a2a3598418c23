/**
 * Resource-list defaulting: quantities are rounded up to milli precision and rewritten in canonical form
 * (`0.5` → `500m`, `1024Mi` → `1Gi`); values that do not parse are left for validation to report.
 */
import { formatQuantity, roundUpQuantity, tryParseQuantity } from "../quantity.js";
import { isObj } from "../validation/shape.js";

/** Normalizes every quantity of a resource list (an object of name → quantity) in place. */
export function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [name, value] of Object.entries(list)) {
    const q = tryParseQuantity(value);
    if (q) list[name] = formatQuantity(roundUpQuantity(q, -3));
  }
}
