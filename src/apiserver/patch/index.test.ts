import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import type { PatchType } from "../../client/client.js";
import { applyPatch, maxPatchDepth } from "./index.js";

const kind = { apiVersion: "v1", kind: "Node" };
const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n", labels: { a: "1" } }, spec: { taints: [{ key: "t", effect: "NoSchedule" }] } };

function isBadRequest(err: unknown): boolean {
  return err instanceof StatusError && err.code === 400 && err.reason === "BadRequest";
}

describe("applyPatch", () => {
  test("dispatches on the patch type", () => {
    const labelled = { ...node, metadata: { name: "n", labels: { a: "1", b: "2" } } };
    assert.deepEqual(applyPatch("json", node, [{ op: "add", path: "/metadata/labels/b", value: "2" }], kind), labelled);
    assert.deepEqual(applyPatch("merge", node, { metadata: { labels: { b: "2" } } }, kind), labelled);
    assert.deepEqual(applyPatch("strategic", node, { metadata: { labels: { b: "2" } } }, kind), labelled);
    assert.deepEqual(applyPatch("apply", node, { apiVersion: "v1", kind: "Node", metadata: { labels: { b: "2" } } }, kind), labelled);
  });

  test("merge and strategic differ where strategic metadata applies", () => {
    const pod = { metadata: { finalizers: ["a"] } };
    const patch = { metadata: { finalizers: ["b"] } };
    assert.deepEqual(applyPatch("merge", pod, patch, { apiVersion: "v1", kind: "Pod" }), { metadata: { finalizers: ["b"] } });
    assert.deepEqual(applyPatch("strategic", pod, patch, { apiVersion: "v1", kind: "Pod" }), { metadata: { finalizers: ["b", "a"] } });
  });

  test("an unknown patch type answers 415", () => {
    assert.throws(() => applyPatch("yaml" as PatchType, node, {}, kind), (err: unknown) => err instanceof StatusError && err.code === 415 && err.reason === "UnsupportedMediaType");
  });

  const types: PatchType[] = ["json", "merge", "strategic", "apply"];
  /** Apply configurations name their type; the other patch bodies are used as they are. */
  const typed = (type: PatchType, body: { [key: string]: JsonValue }): JsonValue => (type === "apply" ? { apiVersion: "v1", kind: "Node", ...body } : body);
  // Far deeper than any recursive implementation could follow without overflowing the stack.
  const depth = 100000;
  const deepObject: unknown = JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
  const deepArray: unknown = JSON.parse("[".repeat(depth) + "]".repeat(depth));
  for (const type of types) {
    test(`${type}: bodies of the wrong shape answer 400`, () => {
      const wrong: JsonValue[] = type === "json" ? [{}, "x", 1, null] : [[], "x", 1, null, true];
      for (const body of wrong) assert.throws(() => applyPatch(type, node, body, kind), isBadRequest, `${type} ${JSON.stringify(body)}`);
    });

    test(`${type}: hostile nesting answers 400 without crashing`, () => {
      const body = type === "json" ? [{ op: "add", path: "/x", value: deepObject }] : { metadata: deepObject };
      assert.throws(() => applyPatch(type, node, body, kind), isBadRequest);
      assert.throws(() => applyPatch(type, node, type === "json" ? deepArray : { spec: deepArray }, kind), isBadRequest);
    });

    test(`${type}: nesting up to the limit is accepted`, () => {
      let value: JsonValue = 1;
      for (let i = 0; i < maxPatchDepth - 3; i++) value = { a: value };
      const body = type === "json" ? [{ op: "add", path: "/x", value }] : typed(type, { x: value });
      assert.doesNotThrow(() => applyPatch(type, node, body, kind));
    });

    test(`${type}: never mutates its inputs`, () => {
      const doc = structuredClone(node);
      const body: JsonValue = type === "json"
        ? [{ op: "remove", path: "/spec/taints/0" }, { op: "add", path: "/metadata/labels/a", value: "2" }]
        : typed(type, { metadata: { labels: { a: "2" } }, spec: { taints: [] } });
      const bodyCopy = structuredClone(body);
      applyPatch(type, doc, body, kind);
      assert.deepEqual(doc, node);
      assert.deepEqual(body, bodyCopy);
    });
  }

  test("non-JSON values in a body are rejected", () => {
    assert.throws(() => applyPatch("merge", node, { a: () => 1 }, kind), isBadRequest);
    assert.throws(() => applyPatch("merge", node, { a: Number.NaN }, kind), isBadRequest);
    assert.throws(() => applyPatch("merge", node, { a: new Date() }, kind), isBadRequest);
  });
});
