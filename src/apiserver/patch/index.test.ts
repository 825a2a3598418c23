import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import type { PatchType } from "../../client/client.js";
import { applyPatch, maxPatchDepth } from "./index.js";

const kind = { apiVersion: "v1", kind: "Node" };
const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n", labels: { a: "1" } }, spec: { taints: [{ key: "t", effect: "NoSchedule" }] } };

/** Server-side apply's field-manager view (forced: the live node has no managedFields, so all its fields are "before-first-apply"'s). */
const own = { manager: "t", force: true, scope: { kind, subresource: "" as const, hasStatus: true, now: "2026-01-02T03:04:05Z" } };
const patchWith = (type: PatchType, doc: JsonValue, body: unknown): JsonValue => applyPatch(type, doc, body, kind, own);

function withoutManagedFields(v: JsonValue): JsonValue {
  const o = structuredClone(v) as { metadata?: { managedFields?: unknown } };
  delete o.metadata?.managedFields;
  return o as JsonValue;
}

function isBadRequest(err: unknown): boolean {
  return err instanceof StatusError && err.code === 400 && err.reason === "BadRequest";
}

describe("applyPatch", () => {
  test("dispatches on the patch type", () => {
    const labelled = { ...node, metadata: { name: "n", labels: { a: "1", b: "2" } } };
    assert.deepEqual(applyPatch("json", node, [{ op: "add", path: "/metadata/labels/b", value: "2" }], kind), labelled);
    assert.deepEqual(applyPatch("merge", node, { metadata: { labels: { b: "2" } } }, kind), labelled);
    assert.deepEqual(applyPatch("strategic", node, { metadata: { labels: { b: "2" } } }, kind), labelled);
    assert.deepEqual(withoutManagedFields(patchWith("apply", node, { apiVersion: "v1", kind: "Node", metadata: { labels: { b: "2" } } })), labelled);
  });

  test("apply needs the field manager's view (400 without)", () => {
    assert.throws(() => applyPatch("apply", node, { apiVersion: "v1", kind: "Node" }, kind), isBadRequest);
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
  /** A body holding `value`: apply configurations only hold declared fields, so theirs sits in an annotation (two levels deeper). */
  const holding = (type: PatchType, value: JsonValue): JsonValue => (type === "apply" ? typed(type, { metadata: { annotations: { x: value } } }) : { x: value });
  // Far deeper than any recursive implementation could follow without overflowing the stack.
  const depth = 100000;
  const deepObject: unknown = JSON.parse('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
  const deepArray: unknown = JSON.parse("[".repeat(depth) + "]".repeat(depth));
  for (const type of types) {
    test(`${type}: bodies of the wrong shape answer 400`, () => {
      const wrong: JsonValue[] = type === "json" ? [{}, "x", 1, null] : [[], "x", 1, null, true];
      for (const body of wrong) assert.throws(() => patchWith(type, node, body), isBadRequest, `${type} ${JSON.stringify(body)}`);
    });

    test(`${type}: hostile nesting answers 400 without crashing`, () => {
      const body = type === "json" ? [{ op: "add", path: "/x", value: deepObject }] : { metadata: deepObject };
      assert.throws(() => patchWith(type, node, body), isBadRequest);
      assert.throws(() => patchWith(type, node, type === "json" ? deepArray : { spec: deepArray }), isBadRequest);
    });

    test(`${type}: nesting up to the limit is accepted`, () => {
      let value: JsonValue = 1;
      for (let i = 0; i < maxPatchDepth - (type === "apply" ? 5 : 3); i++) value = { a: value };
      const body = type === "json" ? [{ op: "add", path: "/x", value }] : holding(type, value);
      assert.doesNotThrow(() => patchWith(type, node, body));
    });

    test(`${type}: never mutates its inputs`, () => {
      const doc = structuredClone(node);
      const body: JsonValue = type === "json"
        ? [{ op: "remove", path: "/spec/taints/0" }, { op: "add", path: "/metadata/labels/a", value: "2" }]
        : typed(type, { metadata: { labels: { a: "2" } }, spec: { taints: [] } });
      const bodyCopy = structuredClone(body);
      patchWith(type, doc, body);
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
