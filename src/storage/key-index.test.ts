import { test } from "node:test";
import assert from "node:assert/strict";
import { KeyIndex } from "./key-index.js";

void test("KeyIndex: the live version at a revision, through deletion and re-creation", () => {
  const index = new KeyIndex();
  index.add("/a", 2, false);
  index.add("/a", 5, false);
  index.add("/a", 7, true);
  index.add("/a", 9, false);
  assert.deepEqual([1, 2, 4, 5, 6, 7, 8, 9, 100].map((r) => index.liveAt("/a", r)), [undefined, 2, 2, 5, 5, undefined, undefined, 9, 9]);
  assert.equal(index.liveAt("/b", 100), undefined);
});

void test("KeyIndex: keys come in order between bounds, including keys added after an ordered read", () => {
  const index = new KeyIndex();
  index.add("/p/b", 1, false);
  index.add("/q", 2, false);
  assert.deepEqual([...index.keysBetween("/p/", "/p0")], ["/p/b"]);
  index.add("/p/a", 3, false);
  index.add("/p/c", 4, false);
  index.add("/p/b", 5, false);
  assert.deepEqual([...index.keysBetween("/p/", "/p0")], ["/p/a", "/p/b", "/p/c"]);
  assert.deepEqual([...index.keysBetween("/p/b", "/p0")], ["/p/b", "/p/c"]);
  assert.deepEqual([...index.keysBetween("", undefined)], ["/p/a", "/p/b", "/p/c", "/q"]);
});

void test("KeyIndex: compaction keeps each key's live version and what came after, and forgets deleted keys", () => {
  const index = new KeyIndex();
  index.add("/a", 1, false);
  index.add("/a", 2, false);
  index.add("/a", 6, false);
  index.add("/b", 3, false);
  index.add("/b", 4, true);
  index.add("/c", 5, false);
  index.add("/c", 7, true);
  index.compact(5);
  assert.equal(index.liveAt("/a", 5), 2);
  assert.equal(index.liveAt("/a", 6), 6);
  assert.equal(index.liveAt("/c", 5), 5);
  assert.equal(index.liveAt("/c", 7), undefined);
  assert.deepEqual([...index.keysBetween("", undefined)], ["/a", "/c"]);
  index.compact(7);
  assert.deepEqual([...index.keysBetween("", undefined)], ["/a"]);
  index.add("/b", 8, false);
  assert.deepEqual([...index.keysBetween("", undefined)], ["/a", "/b"]);
  assert.equal(index.liveAt("/b", 8), 8);
});

void test("KeyIndex: a key's record carries its head through later versions and compaction, and goes with the key", () => {
  const index = new KeyIndex();
  const kv = { key: "/a", value: "1", createRevision: 1, modRevision: 1 };
  const record = index.add("/a", 1, false);
  record.head = kv;
  assert.equal(index.entry("/a"), record);
  index.addTo(record, 2, false);
  assert.equal(index.liveAt("/a", 2), 2);
  index.compact(2);
  assert.equal(index.entry("/a")?.head, kv, "a live key keeps its record when older versions go");
  assert.deepEqual(index.get("/a"), [2]);
  index.addTo(record, 3, true);
  index.compact(3);
  assert.equal(index.entry("/a"), undefined, "a key deleted by the compacted revision goes with its record");
  assert.equal(index.add("/a", 4, false).head, undefined, "re-created, the key starts a new record");
});
