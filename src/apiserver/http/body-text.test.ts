import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { jsonNestsDeeperThan, maxBodyDepth, maxYamlTokens, parseJsonText, parseYamlText, yamlTooComplex } from "./body-text.js";

const nestedJson = (depth: number): string => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
const nestedArray = (depth: number): string => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("parseJsonText", () => {
  test("measures nesting outside strings only", () => {
    assert.equal(jsonNestsDeeperThan(nestedJson(3), 3), false);
    assert.equal(jsonNestsDeeperThan(nestedJson(4), 3), true);
    assert.equal(jsonNestsDeeperThan(`{"s":"${"[".repeat(50)}\\"{{{{"}`, 1), false);
  });

  test("accepts the limit and refuses one level more, even 100k levels, without parsing them", () => {
    assert.deepEqual(parseJsonText('{"a":[1,{"b":"c"}]}'), { a: [1, { b: "c" }] });
    assert.doesNotThrow(() => parseJsonText(nestedJson(maxBodyDepth)));
    assert.throws(() => parseJsonText(nestedJson(maxBodyDepth + 1)), /^Error: exceeded max depth$/);
    assert.throws(() => parseJsonText(nestedArray(100_000)), /exceeded max depth/);
  });
});

describe("parseYamlText", () => {
  const cases: Array<{ name: string; text: string; error: RegExp }> = [
    { name: "100k nested flow sequences", text: nestedArray(100_000), error: /exceeded max depth/ },
    { name: "compact nested block sequences (crashed the parser)", text: `${"- ".repeat(5000)}x`, error: /exceeded max depth of 100/ },
    { name: "indented block mappings", text: Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}a:`).join("\n"), error: /exceeded max depth of 100/ },
    { name: "an alias to its own ancestor (a cycle)", text: "&a [*a]", error: /exceeded max depth of 100/ },
    { name: "a binary tag", text: "!!binary AAAA", error: /not plain JSON/ },
    { name: "infinity", text: "a: .inf", error: /not a valid JSON number/ },
    { name: "NaN", text: "[.nan]", error: /not a valid JSON number/ },
    { name: "an alias bomb", text: `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [${"*a,".repeat(9)}]\nc: &c [${"*b,".repeat(9)}]\nd: [${"*c,".repeat(9)}]\n`, error: /Excessive alias count/ },
  ];
  for (const c of cases) {
    test(`refuses ${c.name}`, () => assert.throws(() => parseYamlText(c.text), c.error));
  }

  test("parses ordinary documents and JSON, up to the depth limit", () => {
    assert.deepEqual(parseYamlText("kind: Pod\nmetadata:\n  name: x\n  labels: {a: b}\nspec:\n  containers:\n  - name: c\n"),
      { kind: "Pod", metadata: { name: "x", labels: { a: "b" } }, spec: { containers: [{ name: "c" }] } });
    assert.deepEqual(parseYamlText('{"a":[1,2]}'), { a: [1, 2] });
    assert.doesNotThrow(() => parseYamlText(nestedJson(maxBodyDepth)));
    assert.throws(() => parseYamlText(nestedJson(maxBodyDepth + 1)), /exceeded max depth/);
    assert.equal(yamlTooComplex(`${"- ".repeat(50)}x`, 100), undefined);
  });

  test("keeps the last of duplicate keys, as upstream's YAML-to-JSON conversion", () => {
    assert.deepEqual(parseYamlText("a: 1\na: 2\nb: 3\n"), { a: 2, b: 3 });
  });

  test("refuses documents with too many tokens before the (slow, once quadratic) YAML library sees them", () => {
    const keys = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}: v`).join("\n");
    assert.match(yamlTooComplex(keys(maxYamlTokens), 100) ?? "", /too complex \(more than 50000 tokens\)/);
    assert.throws(() => parseYamlText(keys(100_000)), /too complex/);
    assert.equal(Object.keys(parseYamlText(keys(2000)) as object).length, 2000);
    // JSON is JSON, however large: it never reaches the YAML library.
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])));
    assert.equal(Object.keys(parseYamlText(json) as object).length, 100_000);
  });
});
