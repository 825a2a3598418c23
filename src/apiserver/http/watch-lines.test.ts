import { test } from "node:test";
import assert from "node:assert/strict";
import { watchLine, withResourceVersion } from "./watch-lines.js";

test("watch lines: an object with its stored JSON is written from that text, its resourceVersion put in", () => {
  const objects: Record<string, unknown>[] = [
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { a: "b,}]\"" } }, spec: { containers: [{ name: "c" }] } },
    { metadata: {}, spec: {} },
    { kind: "X", list: [1, [2, { "x\"}": "]" }], null, true], n: -1.5e3, s: "a\\\"b", metadata: { name: "m" } },
    { spec: { template: { metadata: { name: "inner" } } }, metadata: { name: "outer" } },
  ];
  for (const object of objects) {
    const stored = JSON.stringify(object);
    const expected = { ...object, metadata: { ...(object.metadata as object), resourceVersion: "42" } };
    assert.deepEqual(JSON.parse(withResourceVersion(stored, "42") ?? "null"), expected, stored);
    assert.deepEqual(JSON.parse(watchLine("MODIFIED", expected, stored)), { type: "MODIFIED", object: expected });
  }
  assert.equal(withResourceVersion(JSON.stringify({ kind: "X" }), "1"), undefined, "no metadata");
  assert.equal(withResourceVersion(JSON.stringify({ metadata: "x" }), "1"), undefined, "metadata not an object");
  assert.equal(withResourceVersion("[1]", "1"), undefined);
  assert.equal(withResourceVersion('{"kind":"unterminated', "1"), undefined);
  const bookmark = { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "7" } };
  assert.equal(watchLine("BOOKMARK", bookmark, undefined), `${JSON.stringify({ type: "BOOKMARK", object: bookmark })}\n`);
});
