import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonArrayChunks } from "./json-chunks.js";

const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString("utf8");
const items = Array.from({ length: 57 }, (_, i) => ({ name: `item-${i}`, text: "é\"\\\n\u2028".repeat(i % 5), n: i, nested: { a: [i, null, true] } }));

test("the chunks join to the UTF-8 of JSON.stringify of the whole, with a newline, at any chunk size", () => {
  const envelope = { apiVersion: "v1", kind: "PodList", metadata: { resourceVersion: "7", continue: "abc" }, items: [] };
  const whole = `${JSON.stringify({ ...envelope, items })}\n`;
  for (const chunkBytes of [1, 100, 1000, 1 << 20]) {
    const chunks = [...jsonArrayChunks(envelope, "items", items, (i) => JSON.stringify(i), chunkBytes)];
    assert.equal(text(chunks), whole, `chunkBytes ${chunkBytes}`);
    if (chunkBytes === 1 << 20) assert.equal(chunks.length, 1, "a small document is one chunk");
    if (chunkBytes === 1000) {
      assert.ok(chunks.length > 3, "several chunks");
      assert.ok(chunks.every((c) => c.length <= 1000), "no chunk exceeds the size when every item fits in it");
    }
  }
  assert.equal(text([...jsonArrayChunks(envelope, "items", [], (i) => JSON.stringify(i))]), `${JSON.stringify(envelope)}\n`, "no items");
});

test("items are rendered only when their chunk is asked for", () => {
  let rendered = 0;
  const chunks = jsonArrayChunks({ rows: [] }, "rows", items, (i) => { rendered++; return JSON.stringify(i); }, 200);
  const first = chunks.next();
  assert.equal(first.done, false);
  assert.ok(rendered > 0 && rendered < items.length, `rendered ${rendered} of ${items.length} for the first chunk`);
});

test("the array must be the envelope's last property, and empty", () => {
  assert.throws(() => [...jsonArrayChunks({ items: [], kind: "List" }, "items", [], String)], /last property/);
  assert.throws(() => [...jsonArrayChunks({ kind: "List", items: [1] }, "items", [], String)], /empty array/);
  assert.throws(() => [...jsonArrayChunks({ kind: "List" }, "items", [], String)], /last property/);
});
