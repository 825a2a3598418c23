import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import { applyJsonPatch, parsePointer } from "./json-patch.js";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function expectStatus(fn: () => unknown, code: number, reason: string, message: string, cause?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `expected StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    assert.equal(err.message, message);
    if (cause !== undefined) assert.equal(err.status.details?.causes?.[0]?.message, cause);
    return true;
  });
}

const rejected = "the server rejected our request due to an error in our request";

describe("applyJsonPatch (RFC 6902 appendix A)", () => {
  const cases: Array<{ name: string; doc: JsonValue; ops: JsonValue; want: JsonValue }> = [
    { name: "add object member", doc: { foo: "bar" }, ops: [{ op: "add", path: "/baz", value: "qux" }], want: { foo: "bar", baz: "qux" } },
    { name: "add array element", doc: { foo: ["bar", "baz"] }, ops: [{ op: "add", path: "/foo/1", value: "qux" }], want: { foo: ["bar", "qux", "baz"] } },
    { name: "remove object member", doc: { baz: "qux", foo: "bar" }, ops: [{ op: "remove", path: "/baz" }], want: { foo: "bar" } },
    { name: "remove array element", doc: { foo: ["bar", "qux", "baz"] }, ops: [{ op: "remove", path: "/foo/1" }], want: { foo: ["bar", "baz"] } },
    { name: "replace value", doc: { baz: "qux", foo: "bar" }, ops: [{ op: "replace", path: "/baz", value: "boo" }], want: { baz: "boo", foo: "bar" } },
    {
      name: "move value", doc: { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
      ops: [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
      want: { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
    },
    { name: "move array element", doc: { foo: ["all", "grass", "cows", "eat"] }, ops: [{ op: "move", from: "/foo/1", path: "/foo/3" }], want: { foo: ["all", "cows", "eat", "grass"] } },
    { name: "test success", doc: { baz: "qux", foo: ["a", 2, "c"] }, ops: [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }], want: { baz: "qux", foo: ["a", 2, "c"] } },
    { name: "add nested member", doc: { foo: "bar" }, ops: [{ op: "add", path: "/child", value: { grandchild: {} } }], want: { foo: "bar", child: { grandchild: {} } } },
    { name: "escape ordering ~01", doc: { "/": 9, "~1": 10 }, ops: [{ op: "test", path: "/~01", value: 10 }], want: { "/": 9, "~1": 10 } },
    { name: "escaped slash and tilde", doc: { "a/b": 1, "m~n": 2 }, ops: [{ op: "replace", path: "/a~1b", value: 3 }, { op: "remove", path: "/m~0n" }], want: { "a/b": 3 } },
    { name: "add array value", doc: { foo: ["bar"] }, ops: [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], want: { foo: ["bar", ["abc", "def"]] } },
    { name: "test objects ignores key order", doc: { a: { x: 1, y: [1, 2] } }, ops: [{ op: "test", path: "/a", value: { y: [1, 2], x: 1 } }], want: { a: { x: 1, y: [1, 2] } } },
    { name: "copy", doc: { a: { b: 1 } }, ops: [{ op: "copy", from: "/a", path: "/c" }], want: { a: { b: 1 }, c: { b: 1 } } },
    { name: "replace root", doc: { a: 1 }, ops: [{ op: "replace", path: "", value: { b: 2 } }], want: { b: 2 } },
    { name: "add label with slash in key", doc: { metadata: { labels: {} } }, ops: [{ op: "add", path: "/metadata/labels/app.kubernetes.io~1name", value: "x" }], want: { metadata: { labels: { "app.kubernetes.io/name": "x" } } } },
    { name: "add replaces existing member", doc: { a: 1 }, ops: [{ op: "add", path: "/a", value: 2 }], want: { a: 2 } },
    { name: "add at end index", doc: { a: [1] }, ops: [{ op: "add", path: "/a/1", value: 2 }], want: { a: [1, 2] } },
    { name: "empty patch", doc: { a: 1 }, ops: [], want: { a: 1 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const doc = deepFreeze(structuredClone(c.doc));
      const ops = deepFreeze(structuredClone(c.ops));
      assert.deepEqual(applyJsonPatch(doc, ops), c.want);
      assert.deepEqual(doc, c.doc, "input document must not change");
    });
  }

  test("a copied value is not aliased to its source", () => {
    const out = applyJsonPatch({ a: { b: 1 } }, [{ op: "copy", from: "/a", path: "/c" }, { op: "replace", path: "/c/b", value: 2 }]);
    assert.deepEqual(out, { a: { b: 1 }, c: { b: 2 } });
  });

  test("the patch value is copied, not aliased", () => {
    const value = { x: 1 };
    const out = applyJsonPatch({}, [{ op: "add", path: "/v", value }]) as { v: { x: number } };
    out.v.x = 2;
    assert.equal(value.x, 1);
  });

  test("__proto__ is an ordinary member", () => {
    const out = applyJsonPatch({}, JSON.parse('[{"op":"add","path":"/__proto__","value":{"polluted":true}}]'));
    assert.deepEqual(Object.keys(out as object), ["__proto__"]);
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  test("inherited members are not found", () => {
    expectStatus(() => applyJsonPatch({}, [{ op: "replace", path: "/toString", value: 1 }]), 422, "Invalid", rejected,
      "replace operation does not apply: doc is missing key: /toString: missing value");
  });
});

describe("applyJsonPatch errors", () => {
  const cases: Array<{ name: string; doc?: JsonValue; ops: unknown; code: number; reason: string; message: string; cause?: string }> = [
    { name: "not an array", ops: { op: "add" }, code: 400, reason: "BadRequest", message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch" },
    { name: "string body", ops: "x", code: 400, reason: "BadRequest", message: "json: cannot unmarshal string into Go value of type jsonpatch.Patch" },
    { name: "operation not an object", ops: [1], code: 400, reason: "BadRequest", message: "json: cannot unmarshal number into Go value of type jsonpatch.Operation" },
    { name: "unknown op", ops: [{ op: "frob", path: "/a" }], code: 422, reason: "Invalid", message: rejected, cause: "Unexpected kind: frob" },
    { name: "missing op", ops: [{ path: "/a" }], code: 422, reason: "Invalid", message: rejected, cause: "Unexpected kind: unknown" },
    { name: "missing path", ops: [{ op: "add", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: "add operation failed to decode path: missing value" },
    { name: "failing test", doc: { a: 1 }, ops: [{ op: "test", path: "/a", value: 2 }], code: 422, reason: "Invalid", message: rejected, cause: "testing value /a failed: test failed" },
    { name: "test of a missing path", doc: { a: 1 }, ops: [{ op: "test", path: "/b", value: 2 }], code: 422, reason: "Invalid", message: rejected, cause: "testing value /b failed: test failed" },
    { name: "add under missing parent", doc: { a: 1 }, ops: [{ op: "add", path: "/b/c", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: 'add operation does not apply: doc is missing path: "/b/c": missing value' },
    { name: "remove missing key", doc: { a: 1 }, ops: [{ op: "remove", path: "/b" }], code: 422, reason: "Invalid", message: rejected, cause: "error in remove for path: '/b': unable to remove nonexistent key: b: missing value" },
    { name: "replace missing key", doc: { a: 1 }, ops: [{ op: "replace", path: "/b", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: "replace operation does not apply: doc is missing key: /b: missing value" },
    { name: "index out of range", doc: { a: [1] }, ops: [{ op: "add", path: "/a/5", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced" },
    { name: "leading zero index", doc: { a: [1, 2] }, ops: [{ op: "remove", path: "/a/01" }], code: 422, reason: "Invalid", message: rejected, cause: "error in remove for path: '/a/01': Unable to access invalid index: 01: invalid index referenced" },
    { name: "dash only for add", doc: { a: [1] }, ops: [{ op: "replace", path: "/a/-", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: "replace operation does not apply: doc is missing key: /a/-: missing value" },
    { name: "pointer without leading slash", doc: { a: 1 }, ops: [{ op: "add", path: "a", value: 1 }], code: 422, reason: "Invalid", message: rejected, cause: 'add operation does not apply: doc is missing path: "a": missing value' },
    { name: "bad escape", doc: { a: 1 }, ops: [{ op: "add", path: "/a~2", value: 1 }], code: 422, reason: "Invalid", message: rejected },
    { name: "move from missing", doc: { a: 1 }, ops: [{ op: "move", from: "/x", path: "/y" }], code: 422, reason: "Invalid", message: rejected, cause: "move operation does not apply: doc is missing from path: /x: missing value" },
    { name: "move into own child", doc: { a: { b: 1 } }, ops: [{ op: "move", from: "/a", path: "/a/b/c" }], code: 422, reason: "Invalid", message: rejected },
    { name: "copy from missing", doc: { a: 1 }, ops: [{ op: "copy", from: "/x", path: "/y" }], code: 422, reason: "Invalid", message: rejected, cause: "copy operation does not apply: doc is missing from path: /x: missing value" },
    { name: "too many operations", ops: Array.from({ length: 10001 }, () => ({ op: "test", path: "", value: {} })), code: 413, reason: "RequestEntityTooLarge", message: "The allowed maximum operations in a JSON patch is 10000, got 10001" },
  ];
  for (const c of cases) {
    test(c.name, () => expectStatus(() => applyJsonPatch(c.doc ?? {}, c.ops), c.code, c.reason, c.message, c.cause));
  }

  test("a failing operation leaves the input untouched and applies nothing", () => {
    const doc = { a: 1, list: [1, 2] };
    assert.throws(() => applyJsonPatch(doc, [{ op: "add", path: "/b", value: 2 }, { op: "remove", path: "/list/0" }, { op: "test", path: "/a", value: 9 }]));
    assert.deepEqual(doc, { a: 1, list: [1, 2] });
  });
});

describe("applyJsonPatch bounds what one patch can build", () => {
  test("copies doubling the document stop at the accumulated copy limit (422) instead of exhausting memory", () => {
    const doc = { a: { data: "x".repeat(1024) } };
    const ops = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "", path: `/a/m${i}` }));
    expectStatus(() => applyJsonPatch(doc, ops), 422, "Invalid", rejected);
    assert.throws(() => applyJsonPatch(doc, ops), (err: unknown) => err instanceof StatusError
      && /^Unable to complete the copy, the accumulated size increase of copy is \d+, exceeding the limit 3145728$/.test(err.status.details?.causes?.[0]?.message ?? ""));
  });

  test("operations that keep nesting deeper are refused past the depth limit (422)", () => {
    const deep = (n: number): JsonValue => (n === 0 ? 1 : { a: deep(n - 1) });
    const pointer = (n: number): string => "/a".repeat(n);
    // Step by step: each add hangs 50 levels below the previous one.
    const ops = Array.from({ length: 5 }, (_, i) => ({ op: "add", path: i === 0 ? "/a" : pointer(50 * i), value: deep(50) }));
    expectStatus(() => applyJsonPatch({}, ops), 422, "Invalid", rejected, "the patched object would exceed the maximum nesting depth of 100");
    assert.doesNotThrow(() => applyJsonPatch({}, ops.slice(0, 1)));
    const copies = [{ op: "add", path: "/a", value: deep(60) }, { op: "copy", from: "", path: `${pointer(40)}/b` }];
    expectStatus(() => applyJsonPatch({}, copies), 422, "Invalid", rejected, "the patched object would exceed the maximum nesting depth of 100");
  });

  test("ordinary patches of ordinary objects are unaffected", () => {
    const doc = { spec: { template: { spec: { containers: [{ name: "a", image: "x" }] } } } };
    const out = applyJsonPatch(doc, [{ op: "copy", from: "/spec/template/spec/containers/0", path: "/spec/template/spec/containers/-" }]);
    assert.equal((out as typeof doc).spec.template.spec.containers.length, 2);
  });
});

describe("parsePointer", () => {
  test("splits and unescapes", () => {
    assert.deepEqual(parsePointer(""), []);
    assert.deepEqual(parsePointer("/"), [""]);
    assert.deepEqual(parsePointer("/a~1b/~0c/~01"), ["a/b", "~c", "~1"]);
    assert.equal(parsePointer("a"), undefined);
    assert.equal(parsePointer("/a~"), undefined);
  });
});
