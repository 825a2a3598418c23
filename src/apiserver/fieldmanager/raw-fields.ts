/** Cheap checks on stored FieldsV1 encodings, so writes need not decode entries they do not affect. */
import type { JsonObject } from "../../api/types.js";
import { isPlainObject } from "../../util/json.js";
import type { FieldSet } from "./fieldset.js";

/** True when some member of `set` is a member of the FieldsV1 encoding `raw` (or `raw` is not well formed). */
export function touches(raw: JsonObject, set: FieldSet): boolean {
  for (const pe of set.members) {
    if (!Object.hasOwn(raw, pe)) continue;
    const node = raw[pe];
    if (!isPlainObject(node)) return true;
    const keys = Object.keys(node);
    if (keys.length === 0 || Object.hasOwn(node, ".")) return true;
  }
  for (const [pe, child] of set.children) {
    if (!Object.hasOwn(raw, pe)) continue;
    const node = raw[pe];
    if (!isPlainObject(node)) return true;
    if (touches(node as JsonObject, child)) return true;
  }
  return false;
}
