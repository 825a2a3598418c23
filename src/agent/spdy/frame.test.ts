import assert from "node:assert/strict";
import { test } from "node:test";
import { createHash } from "node:crypto";
import { encodeFrame, FrameReader, SpdyProtocolError, type SpdyFrame } from "./frame.js";
import { decodeHeaderPairs, encodeHeaderPairs, HeaderCompressor, HeaderDecompressor, spdyDictionary } from "./header-block.js";

test("every frame type survives encode and decode, split at any byte", () => {
  const frames: Exclude<SpdyFrame, { type: "unknown" }>[] = [
    { type: "synStream", streamId: 1, associatedId: 0, priority: 2, fin: false, unidirectional: false, headerBlock: Buffer.from("hb") },
    { type: "synReply", streamId: 1, fin: true, headerBlock: Buffer.from("x") },
    { type: "data", streamId: 3, fin: true, data: Buffer.from("hello") },
    { type: "data", streamId: 5, fin: false, data: Buffer.alloc(0) },
    { type: "rstStream", streamId: 7, status: 5 },
    { type: "settings", entries: [{ id: 7, flags: 1, value: 65536 }] },
    { type: "ping", id: 0xfffffffe },
    { type: "goAway", lastGoodStreamId: 9, status: 0 },
    { type: "headers", streamId: 11, fin: false, headerBlock: Buffer.from("h") },
    { type: "windowUpdate", streamId: 13, delta: 0x7fffffff },
  ];
  const bytes = Buffer.concat(frames.map(encodeFrame));
  for (const cut of [1, 3, 8, 17, bytes.length - 1]) {
    const r = new FrameReader();
    const got = [...r.push(bytes.subarray(0, cut)), ...r.push(bytes.subarray(cut))];
    assert.deepEqual(got, frames, `split at ${cut}`);
  }
  const oneByOne = new FrameReader();
  const got: SpdyFrame[] = [];
  for (const b of bytes) got.push(...oneByOne.push(Buffer.from([b])));
  assert.deepEqual(got, frames);
});

test("the wire layout matches SPDY/3: control bit, version 3, type, flags and 24-bit length", () => {
  assert.deepEqual([...encodeFrame({ type: "ping", id: 1 })], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 1]);
  assert.deepEqual([...encodeFrame({ type: "data", streamId: 1, fin: true, data: Buffer.from("a") })], [0, 0, 0, 1, 0x01, 0, 0, 1, 0x61]);
});

test("control frames of another version, and short fixed parts, are protocol errors; unknown types are skipped", () => {
  const v2 = encodeFrame({ type: "ping", id: 1 });
  v2.writeUInt16BE(0x8002, 0);
  assert.throws(() => new FrameReader().push(v2), SpdyProtocolError);
  const short = Buffer.from([0x80, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0, 0]);
  assert.throws(() => new FrameReader().push(short), /RST_STREAM frame of 2 bytes is too short/);
  const unknown = Buffer.from([0x80, 0x03, 0x00, 0x63, 0x00, 0x00, 0x00, 0x01, 0x42]);
  assert.deepEqual(new FrameReader().push(unknown), [{ type: "unknown", frameType: 0x63 }]);
});

test("the dictionary is SPDY/3's, byte for byte (1423 bytes; zlib announces it by its Adler-32, e3c6a7c2)", () => {
  assert.equal(spdyDictionary.length, 1423);
  assert.equal(createHash("sha256").update(spdyDictionary).digest("hex"), "51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02");
  const stream = new HeaderCompressor();
  return stream.compress({ a: "b" }).then((block) => {
    // A zlib header with FDICT set carries the dictionary's Adler-32 in bytes 2..5.
    assert.equal(block[1]! & 0x20, 0x20);
    assert.equal(block.readUInt32BE(2), 0xe3c6a7c2);
    stream.close();
  });
});

test("header blocks: names lower-cased, truncated or repeated names refused", () => {
  const block = encodeHeaderPairs({ StreamType: "data", port: "8080", requestid: "0" });
  assert.deepEqual(decodeHeaderPairs(block), { streamtype: "data", port: "8080", requestid: "0" });
  assert.throws(() => decodeHeaderPairs(block.subarray(0, block.length - 1)), /truncated/);
  assert.throws(() => decodeHeaderPairs(Buffer.concat([Buffer.from([0, 0, 0, 2]), block.subarray(4, 4 + 4 + 10 + 4 + 4), block.subarray(4, 4 + 4 + 10 + 4 + 4)])), /repeated/);
});

test("compressed blocks share one zlib context per direction, in order, primed with the dictionary", async () => {
  const c = new HeaderCompressor();
  const d = new HeaderDecompressor();
  const first = await c.compress({ streamtype: "error", port: "80", requestid: "0" });
  const second = await c.compress({ streamtype: "data", port: "80", requestid: "0" });
  assert.ok(second.length < first.length, "the second block refers back to the first");
  assert.deepEqual(await d.decompress(first), { streamtype: "error", port: "80", requestid: "0" });
  assert.deepEqual(await d.decompress(second), { streamtype: "data", port: "80", requestid: "0" });
  await assert.rejects(new HeaderDecompressor().decompress(second), SpdyProtocolError, "a later block alone cannot be read");
  c.close();
  d.close();
});
