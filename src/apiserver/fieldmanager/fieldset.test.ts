import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { comparePathElements, FieldSet, fieldSetOf, keyElement, pathString, valueElement } from "./fieldset.js";

describe("FieldSet", () => {
  test("encodes FieldsV1 as upstream: leaves {}, '.' for members with children, keys in upstream order", () => {
    const set = fieldSetOf(
      ["f:spec", "f:containers", 'k:{"name":"c"}'],
      ["f:spec", "f:containers", 'k:{"name":"c"}', "f:image"],
      ["f:metadata", "f:finalizers", 'v:"b"'],
      ["f:metadata", "f:finalizers", 'v:"a"'],
      ["f:metadata", "f:finalizers"],
      ["f:spec", "f:list", "i:10"],
      ["f:spec", "f:list", "i:2"],
    );
    const encoded = set.toFieldsV1();
    assert.equal(JSON.stringify(encoded),
      '{"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:image":{}}},"f:list":{"i:2":{},"i:10":{}}}}');
    assert.deepEqual(FieldSet.fromFieldsV1(encoded).toFieldsV1(), encoded);
  });

  test("decoding rejects what is not FieldsV1", () => {
    for (const bad of [[], "x", { "x:y": {} }, { "f:a": 1 }, { "k:notjson": {} }, { "i:-1": {} }, { ".": {} }, { "f:a": { ".": 1, "f:b": {} } }]) {
      assert.throws(() => FieldSet.fromFieldsV1(bad), Error, JSON.stringify(bad));
    }
  });

  test("set algebra: union, intersection, difference, recursive difference", () => {
    const a = fieldSetOf(["f:a"], ["f:b", "f:c"], ["f:b", "f:d"], ["f:b"]);
    const b = fieldSetOf(["f:b"], ["f:b", "f:c"], ["f:x"]);
    assert.deepEqual(a.union(b).paths(), [["f:a"], ["f:b"], ["f:b", "f:c"], ["f:b", "f:d"], ["f:x"]]);
    assert.deepEqual(a.intersection(b).paths(), [["f:b"], ["f:b", "f:c"]]);
    assert.deepEqual(a.difference(b).paths(), [["f:a"], ["f:b", "f:d"]]);
    assert.deepEqual(a.recursiveDifference(fieldSetOf(["f:b"])).paths(), [["f:a"]]);
    assert.equal(a.difference(fieldSetOf(["f:zzz"])), a, "an unchanged difference is the same set");
    assert.ok(a.has(["f:b", "f:d"]) && !a.has(["f:b", "f:x"]));
  });

  test("path elements: keys sorted by name, order fields < keys < values < indexes, printed as upstream", () => {
    assert.equal(keyElement([["protocol", "TCP"], ["containerPort", 80]]), 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(valueElement({ b: 1, a: [true] }), 'v:{"a":[true],"b":1}');
    const sorted = ["i:1", 'v:"x"', 'k:{"a":1}', "f:z", "f:a", "v:3"].sort(comparePathElements);
    assert.deepEqual(sorted, ["f:a", "f:z", 'k:{"a":1}', "v:3", 'v:"x"', "i:1"]);
    assert.equal(pathString(["f:spec", "f:containers", 'k:{"name":"c"}', "f:ports", 'k:{"containerPort":80,"protocol":"TCP"}']),
      '.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]');
    assert.equal(pathString(["f:metadata", "f:finalizers", 'v:"x"', "i:3"]), '.metadata.finalizers[="x"][3]');
  });
  test("difference removes exactly the other set's member paths, and is the set itself when it removes none", () => {
    let seed = 7;
    const random = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const randomSet = (): FieldSet => {
      const paths: string[][] = [];
      for (let i = random(6); i > 0; i--) paths.push(Array.from({ length: 1 + random(3) }, () => `f:${"abc"[random(3)]}`));
      return fieldSetOf(...paths);
    };
    const sets = Array.from({ length: 40 }, randomSet);
    sets.push(sets[0]!.union(sets[1]!), sets[1]!.union(sets[2]!));
    for (const a of sets) {
      for (const b of [...sets, a]) {
        const d = a.difference(b);
        const expected = a.paths().filter((path) => !b.has(path));
        assert.deepEqual(d.paths(), expected);
        assert.equal(d === a, expected.length === a.paths().length);
      }
    }
  });
});
