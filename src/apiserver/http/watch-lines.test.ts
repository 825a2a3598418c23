import { test } from "node:test";
import assert from "node:assert/strict";
import { WatchLines } from "./watch-lines.js";

test("watch lines: each object serialized once for every watcher, the oldest dropped past the capacity", () => {
  const lines = new WatchLines(2);
  let serialized = 0;
  const object = (name: string): object => ({ metadata: { name }, toJSON() { serialized++; return { metadata: { name } }; } });
  const a = object("a");
  const b = object("b");
  const c = object("c");
  assert.equal(lines.line("ADDED", a), '{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n');
  assert.equal(lines.line("MODIFIED", a), '{"type":"MODIFIED","object":{"metadata":{"name":"a"}}}\n');
  assert.deepEqual(JSON.parse(lines.line("DELETED", b)), { type: "DELETED", object: { metadata: { name: "b" } } });
  assert.equal(serialized, 2, "a second watcher of the same object reuses its JSON");
  lines.line("ADDED", c);
  lines.line("ADDED", a);
  assert.equal(serialized, 4, "past the capacity the oldest object is serialized again");
  assert.equal(lines.line("BOOKMARK", null), '{"type":"BOOKMARK","object":null}\n');
});
