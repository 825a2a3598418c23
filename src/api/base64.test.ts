import assert from "node:assert/strict";
import { test } from "node:test";
import { base64ErrorOffset, canonicalBase64 } from "./base64.js";

test("valid standard base64 decodes, newlines ignored", () => {
  for (const s of ["", "YQ==", "YWI=", "YWJj", "YWJj\nZGVm", "c2VjcmV0"]) assert.equal(base64ErrorOffset(s), undefined, s);
  assert.equal(canonicalBase64("YWJj\r\nZGVm"), "YWJjZGVm");
});

test("invalid base64 reports Go's offsets", () => {
  assert.equal(base64ErrorOffset("not base64!"), 3);
  assert.equal(base64ErrorOffset("YWJ"), 0);
  assert.equal(base64ErrorOffset("YWJjZ"), 4);
  assert.equal(base64ErrorOffset("Y==="), 1);
  assert.equal(base64ErrorOffset("YQ=a"), 2);
  assert.equal(base64ErrorOffset("YQ="), 3);
  assert.equal(base64ErrorOffset("YQ==YQ"), 4);
  assert.throws(() => canonicalBase64("a b"), /illegal base64 data at input byte 1/);
});
