import { test } from "node:test";
import assert from "node:assert/strict";
import { noteStoredText, storedTextOf } from "./stored-text.js";

void test("stored text: noted on the object, replaced by a later note, invisible to JSON, enumeration and copies", () => {
  const object = { metadata: { name: "a" }, spec: { x: 1 } };
  assert.equal(storedTextOf(object), undefined);
  noteStoredText(object, '{"metadata":{"name":"a"},"spec":{"x":1}}');
  assert.equal(storedTextOf(object), '{"metadata":{"name":"a"},"spec":{"x":1}}');
  noteStoredText(object, "second");
  assert.equal(storedTextOf(object), "second");
  assert.equal(JSON.stringify(object), '{"metadata":{"name":"a"},"spec":{"x":1}}');
  assert.deepEqual(Object.keys(object), ["metadata", "spec"]);
  assert.deepStrictEqual(object, { metadata: { name: "a" }, spec: { x: 1 } });
  assert.equal(storedTextOf({ ...object }), undefined);
  assert.equal(storedTextOf(structuredClone(object)), undefined);
  assert.equal(storedTextOf(object.metadata), undefined);
});
