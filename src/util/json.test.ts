import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyWith, deepCopy, isPlainObject, jsonEqual, sameEncoding, sameMembers } from "./json.js";

describe("util/json", () => {
  test("deepCopy gives what a JSON round trip gives, sharing nothing", () => {
    const source = { a: [1, { b: "x" }], u: undefined, n: Number.NaN, d: new Date(0), s: new String("y") };
    const copy = deepCopy(source);
    assert.deepEqual(copy, JSON.parse(JSON.stringify(source)));
    assert.notEqual(copy.a, source.a);
    assert.equal(deepCopy(undefined), undefined);
    const proto = deepCopy(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>);
    assert.ok(Object.hasOwn(proto, "__proto__"));
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    assert.throws(() => deepCopy({ big: 1n }), TypeError);
  });

  test("jsonEqual ignores key order and undefined-valued keys", () => {
    assert.ok(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }));
    assert.ok(jsonEqual({ a: 1, c: undefined }, { a: 1 }));
    assert.ok(!jsonEqual({ a: [1, 2] }, { a: [2, 1] }));
    assert.ok(!jsonEqual({ a: {} }, { a: [] }));
    assert.ok(!jsonEqual(null, {}));
  });

  test("copyWith gives what a spread that sets one key gives: same keys, same order, a new object", () => {
    const sym = Symbol("s");
    const cases: unknown[] = [
      { a: 1, b: 2 }, { a: 1, rv: "1", b: 2 }, undefined, null, "ab", [1, 2], { [sym]: true, a: 1 },
      JSON.parse('{"a":1,"__proto__":{"polluted":true},"b":2}'), { 2: "x", a: 1 },
    ];
    for (const source of cases) {
      const copy = copyWith(source, "rv", "7");
      const spread = { ...(source as object), rv: "7" };
      assert.deepEqual(Reflect.ownKeys(copy), Reflect.ownKeys(spread));
      assert.equal(JSON.stringify(copy), JSON.stringify(spread));
      assert.equal(Object.getPrototypeOf(copy), Object.prototype);
      assert.notEqual(copy, source);
    }
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
    // A symbol key too, set over the source's own value as the spread sets it.
    const marked = copyWith({ a: 1, [sym]: false }, sym, true);
    assert.equal(marked[sym], true);
    assert.deepEqual(Reflect.ownKeys(marked), ["a", sym]);
  });

  test("isPlainObject is true only for non-null, non-array objects", () => {
    assert.ok(isPlainObject({}));
    assert.ok(!isPlainObject([]));
    assert.ok(!isPlainObject(null));
    assert.ok(!isPlainObject("x"));
  });
  test("sameEncoding holds only for distinct trees that a copy could stand in for", () => {
    const tree = (): Record<string, unknown> => ({ a: [1, { b: "x", c: null, d: true }], e: { f: 1.5 } });
    const same: Array<[unknown, unknown]> = [[tree(), tree()], ["s", "s"], [0, 0], [null, null], [[], []], [{}, {}]];
    const different: Array<[unknown, unknown]> = [
      [{ a: 1, b: 2 }, { b: 2, a: 1 }], [{ a: 1 }, { a: 1, b: 2 }], [{ a: 1, b: 2 }, { a: 1 }], [{ a: 1 }, { a: "1" }],
      [{ a: undefined }, {}], [{ a: undefined }, { a: undefined }], [Number.NaN, Number.NaN], [Infinity, Infinity], [[1], { 0: 1 }],
      [{ d: new Date(0) }, { d: new Date(0) }], [new String("x"), new String("x")], [{ n: 1 }, { n: new Number(1) }],
      [JSON.parse('{"__proto__":{"a":1}}'), JSON.parse('{"__proto__":{"a":1}}')], [{ toJSON: "x" }, { toJSON: "x" }],
      [Object.create(null), Object.create(null)], [undefined, undefined], [1n, 1n],
    ];
    const shared = { x: [1] };
    different.push([shared, shared], [{ s: shared }, { s: shared }]);
    for (const [a, b] of same) {
      assert.ok(sameEncoding(a, b), JSON.stringify(a));
      assert.equal(JSON.stringify(b), JSON.stringify(deepCopy(a)));
    }
    for (const [a, b] of different) assert.ok(!sameEncoding(a, b), String(JSON.stringify(a, (_k, v: unknown) => typeof v === "bigint" ? "big" : v)));
  });

  test("sameMembers leaves out one key of either object, in any position", () => {
    assert.ok(sameMembers({ a: 1, m: [1], b: 2 }, { a: 1, b: 2 }, "m"));
    assert.ok(sameMembers({ a: 1, b: 2 }, { m: 0, a: 1, b: 2 }, "m"));
    assert.ok(sameMembers({ a: 1, b: 2, m: 1 }, { a: 1, m: 2, b: 2 }, "m"));
    assert.ok(!sameMembers({ a: 1, b: 2 }, { b: 2, m: 0, a: 1 }, "m"));
    assert.ok(!sameMembers({ a: 1, m: 1 }, { a: 1, b: 2 }, "m"));
    assert.ok(!sameMembers({ a: 1 }, { a: 1, m: 1, b: 1 }, "m"));
    const o = { a: 1 };
    assert.ok(!sameMembers(o, o, "m"));
  });
});
