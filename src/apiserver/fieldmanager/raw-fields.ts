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

/** True when every member of `set` is a member of the FieldsV1 encoding `raw` (a union would not change it). */
export function covers(raw: JsonObject, set: FieldSet): boolean {
  for (const pe of set.members) {
    const node = Object.hasOwn(raw, pe) ? raw[pe] : undefined;
    if (!isPlainObject(node)) return false;
    if (Object.keys(node).length > 0 && !Object.hasOwn(node, ".")) return false;
  }
  for (const [pe, child] of set.children) {
    const node = Object.hasOwn(raw, pe) ? raw[pe] : undefined;
    if (!isPlainObject(node) || !covers(node as JsonObject, child)) return false;
  }
  return true;
}
