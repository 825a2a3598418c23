/**
 * RFC 6902 JSON Patch over decoded JSON. A malformed patch document answers 400 BadRequest; an
 * operation that cannot be applied answers 422 like the upstream apiserver (message "the server
 * rejected our request due to an error in our request", the failure itself in `details.causes`).
 */
import { badRequest, statusError } from "../../api/status-error.js";
import type { JsonObject, JsonValue } from "../../api/types.js";
import { deepCopy, jsonEqual } from "../../util/json.js";
import { assertPatchBody, goJsonKind, isJsonObject, maxPatchDepth, own, patchRejected, put } from "./json-value.js";

/** Most operations one JSON patch may carry, as upstream; more answer 413. */
export const maxJsonPatchOperations = 10000;

/** Most bytes the `copy` operations of one patch may add in total (upstream's default JSONPatchMaxCopyBytes); more answer 422. */
export const maxJsonPatchCopyBytes = 3 * 1024 * 1024;

/** Applies an RFC 6902 patch (`ops`, the decoded body) to a copy of `doc`; never mutates either. */
export function applyJsonPatch(doc: JsonValue, ops: unknown): JsonValue {
  assertPatchBody(ops);
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  if (ops.length > maxJsonPatchOperations) {
    throw statusError(413, "RequestEntityTooLarge", `The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`);
  }
  const operations = ops.map((op) => {
    if (!isJsonObject(op)) throw badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    return op;
  });
  const depth = depthOf(doc);
  const state: State = { root: deepCopy(doc), copiedBytes: 0, depthBound: depth, depthLimit: Math.max(depth, maxPatchDepth) };
  for (const op of operations) applyOperation(state, op);
  return state.root;
}

type Parent = JsonObject | JsonValue[];

/**
 * The document being patched, the bytes copied so far, and an upper bound of its nesting depth, kept within
 * maxPatchDepth (or the document's own depth) so that no later step, recursive or not, meets an arbitrarily deep
 * document.
 */
interface State { root: JsonValue; copiedBytes: number; depthBound: number; depthLimit: number }

/** Nesting depth of a JSON value (0 for scalars), computed without recursion. */
function depthOf(value: JsonValue): number {
  let max = 0;
  const stack: Array<{ v: JsonValue; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: JsonValue; depth: number };
    if (typeof v !== "object" || v === null) continue;
    if (depth + 1 > max) max = depth + 1;
    for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: item, depth: depth + 1 });
  }
  return max;
}

/** Raises the depth bound for a value of depth `valueDepth` placed `at` tokens deep; 422 past the limit. */
function growDepth(state: State, at: number, valueDepth: number): void {
  state.depthBound = Math.max(state.depthBound, at + valueDepth);
  if (state.depthBound > state.depthLimit) throw patchRejected(`the patched object would exceed the maximum nesting depth of ${state.depthLimit}`);
}

/** Counts the bytes one `copy` adds; 422 with upstream's message once the total passes maxJsonPatchCopyBytes. */
function countCopy(state: State, value: JsonValue): void {
  state.copiedBytes += JSON.stringify(value).length;
  if (state.copiedBytes > maxJsonPatchCopyBytes) {
    throw patchRejected(`Unable to complete the copy, the accumulated size increase of copy is ${state.copiedBytes}, exceeding the limit ${maxJsonPatchCopyBytes}`);
  }
}

function applyOperation(state: State, op: JsonObject): void {
  const kind = own(op, "op");
  const name = typeof kind === "string" ? kind : "unknown";
  if (!["add", "remove", "replace", "move", "copy", "test"].includes(name)) throw patchRejected(`Unexpected kind: ${name}`);
  const rawPath = own(op, "path");
  if (typeof rawPath !== "string") throw patchRejected(`${name} operation failed to decode path: missing value`);
  const path = parsePointer(rawPath);
  const value = own(op, "value") ?? null;
  switch (name) {
    case "add": {
      if (!path) throw patchRejected(`add operation does not apply: doc is missing path: "${rawPath}": missing value`);
      growDepth(state, path.length, depthOf(value));
      add(state, path, deepCopy(value), rawPath, "add");
      return;
    }
    case "remove": {
      if (!path || path.length === 0) throw patchRejected(`remove operation does not apply: doc is missing path: "${rawPath}": missing value`);
      remove(state, path, rawPath, "remove");
      return;
    }
    case "replace": {
      if (!path) throw patchRejected(`replace operation does not apply: doc is missing path: ${rawPath}: missing value`);
      growDepth(state, path.length, depthOf(value));
      if (path.length === 0) { state.root = deepCopy(value); return; }
      const parent = resolve(state.root, path.slice(0, -1));
      if (parent === undefined || !isContainer(parent)) throw patchRejected(`replace operation does not apply: doc is missing path: ${rawPath}: missing value`);
      const key = path[path.length - 1] as string;
      if (lookup(parent, key, false) === undefined) throw patchRejected(`replace operation does not apply: doc is missing key: ${rawPath}: missing value`);
      setChild(parent, key, deepCopy(value));
      return;
    }
    case "move":
    case "copy": {
      const rawFrom = own(op, "from");
      const from = typeof rawFrom === "string" ? parsePointer(rawFrom) : undefined;
      const fromText = typeof rawFrom === "string" ? rawFrom : "unknown";
      const source = from ? resolve(state.root, from) : undefined;
      if (!from || source === undefined) throw patchRejected(`${name} operation does not apply: doc is missing from path: ${fromText}: missing value`);
      if (!path) throw patchRejected(`${name} operation does not apply: doc is missing destination path: ${rawPath}: missing value`);
      // The moved or copied subtree is at most as deep as the document below `from`.
      growDepth(state, path.length, state.depthBound - from.length);
      if (name === "move") {
        if (isPrefix(from, path) && from.length < path.length) {
          throw patchRejected(`move operation does not apply: cannot move "${fromText}" into its own child "${rawPath}"`);
        }
        if (from.length === 0) { state.root = source; return; }
        remove(state, from, fromText, "move");
        add(state, path, source, rawPath, "move");
      } else {
        countCopy(state, source);
        add(state, path, deepCopy(source), rawPath, "copy");
      }
      return;
    }
    case "test": {
      const actual = path ? resolve(state.root, path) : undefined;
      if (actual === undefined ? value !== null : !jsonEqual(actual, value)) {
        throw patchRejected(`testing value ${rawPath} failed: test failed`);
      }
      return;
    }
  }
}

/** Splits an RFC 6901 pointer into unescaped tokens; undefined when the pointer is malformed. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return undefined;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    if (/~[^01]|~$/.test(raw)) return undefined;
    tokens.push(raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return tokens;
}

function isContainer(value: JsonValue): value is Parent {
  return typeof value === "object" && value !== null;
}

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((t, i) => path[i] === t);
}

/** The array index a token names, or undefined; `-` (one past the end) only when `forAdd`. */
function arrayIndex(arr: JsonValue[], token: string, forAdd: boolean): number | undefined {
  if (forAdd && token === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  const limit = forAdd ? arr.length : arr.length - 1;
  return index <= limit ? index : undefined;
}

function lookup(parent: Parent, token: string, forAdd: boolean): JsonValue | undefined {
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, token, forAdd);
    return index === undefined ? undefined : parent[index];
  }
  return own(parent, token);
}

function resolve(root: JsonValue, tokens: string[]): JsonValue | undefined {
  let current: JsonValue = root;
  for (const token of tokens) {
    if (!isContainer(current)) return undefined;
    const next = lookup(current, token, false);
    if (next === undefined) return undefined;
    current = next;
  }
  return current;
}

function setChild(parent: Parent, key: string, value: JsonValue): void {
  if (Array.isArray(parent)) parent[arrayIndex(parent, key, false) as number] = value;
  else put(parent, key, value);
}

function add(state: State, path: string[], value: JsonValue, rawPath: string, op: string): void {
  if (path.length === 0) { state.root = value; return; }
  const parent = resolve(state.root, path.slice(0, -1));
  if (parent === undefined || !isContainer(parent)) {
    throw patchRejected(`${op} operation does not apply: doc is missing path: "${rawPath}": missing value`);
  }
  const key = path[path.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, true);
    if (index === undefined) throw patchRejected(`error in ${op} for path: '${rawPath}': Unable to access invalid index: ${key}: invalid index referenced`);
    parent.splice(index, 0, value);
  } else {
    put(parent, key, value);
  }
}

function remove(state: State, path: string[], rawPath: string, op: string): void {
  const parent = resolve(state.root, path.slice(0, -1));
  if (parent === undefined || !isContainer(parent)) {
    throw patchRejected(`${op} operation does not apply: doc is missing path: "${rawPath}": missing value`);
  }
  const key = path[path.length - 1] as string;
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, false);
    if (index === undefined) throw patchRejected(`error in ${op} for path: '${rawPath}': Unable to access invalid index: ${key}: invalid index referenced`);
    parent.splice(index, 1);
  } else {
    if (!Object.hasOwn(parent, key)) throw patchRejected(`error in ${op} for path: '${rawPath}': unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
}
