import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import { applyMergePatch } from "./merge-patch.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe("applyMergePatch (RFC 7386 appendix A)", () => {
  const cases: Array<[JsonValue, JsonValue, JsonValue]> = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) {
    test(`${JSON.stringify(doc)} + ${JSON.stringify(patch)}`, () => {
      const frozenDoc = deepFreeze(structuredClone(doc));
      assert.deepEqual(applyMergePatch(frozenDoc, deepFreeze(structuredClone(patch))), want);
      assert.deepEqual(frozenDoc, doc);
    });
  }
});

describe("applyMergePatch as kubectl uses it", () => {
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "x", tier: "web" } }, spec: { containers: [{ name: "c", image: "i" }] } };

  test("kubectl label k=v", () => {
    const out = applyMergePatch(pod, { metadata: { labels: { env: "prod" } } }) as typeof pod;
    assert.deepEqual(out.metadata.labels, { app: "x", tier: "web", env: "prod" });
    assert.deepEqual(out.spec, pod.spec);
    assert.notEqual(out.spec, pod.spec, "result must not alias the input");
  });

  test("kubectl label k- sends null", () => {
    const out = applyMergePatch(pod, { metadata: { labels: { tier: null } } }) as typeof pod;
    assert.deepEqual(out.metadata.labels, { app: "x" });
    assert.deepEqual(pod.metadata.labels, { app: "x", tier: "web" });
  });

  test("arrays replace whole; null members of objects inside them are dropped, null items kept", () => {
    const out = applyMergePatch(pod, { spec: { containers: [{ name: "d", image: null }, null] } }) as { spec: unknown };
    assert.deepEqual(out.spec, { containers: [{ name: "d" }, null] });
  });

  test("__proto__ in a patch is an ordinary key", () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}'));
    assert.deepEqual(Object.keys(out as object), ["__proto__"]);
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });

  for (const bad of [null, "x", 1, true, ["a"]]) {
    test(`rejects a non-object patch ${JSON.stringify(bad)}`, () => {
      assert.throws(() => applyMergePatch(pod, bad), (err: unknown) =>
        err instanceof StatusError && err.code === 400 && err.reason === "BadRequest" && err.message === "Invalid JSON Patch");
    });
  }
});
