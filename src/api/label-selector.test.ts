import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  exactLabelValue, labelKeyErrors, labelSelectorFromObject, labelSelectorFromSet, labelValueErrors, matchesNothing,
  newRequirement, parseLabelSelector, requirementMatches, selectorFromRequirements, type Requirement,
} from "./label-selector.js";
import { StatusError } from "./status-error.js";
import type { LabelSelector } from "./types.js";

const qnameRegexMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueRegexMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

void describe("parseLabelSelector: accepted input", () => {
  const cases: { in: string; str: string; reqs?: Requirement[] }[] = [
    { in: "", str: "", reqs: [] },
    { in: "  \t ", str: "", reqs: [] },
    { in: "a=b", str: "a=b", reqs: [{ key: "a", operator: "=", values: ["b"] }] },
    { in: "a==b", str: "a=b", reqs: [{ key: "a", operator: "=", values: ["b"] }] },
    { in: "a!=b", str: "a!=b", reqs: [{ key: "a", operator: "!=", values: ["b"] }] },
    { in: " a = b , c != d ", str: "a=b,c!=d" },
    { in: "a=", str: "a=", reqs: [{ key: "a", operator: "=", values: [""] }] },
    { in: "a=,b", str: "a=,b" },
    { in: "e in (y,x)", str: "e in (x,y)", reqs: [{ key: "e", operator: "in", values: ["x", "y"] }] },
    { in: "e in (x,x)", str: "e in (x)", reqs: [{ key: "e", operator: "in", values: ["x"] }] },
    { in: "e in(x)", str: "e in (x)" },
    { in: "e in ()", str: "e in ()", reqs: [{ key: "e", operator: "in", values: [""] }] },
    { in: "e in (,x)", str: "e in (,x)", reqs: [{ key: "e", operator: "in", values: ["", "x"] }] },
    { in: "e in (x,)", str: "e in (,x)" },
    { in: "f notin (z)", str: "f notin (z)", reqs: [{ key: "f", operator: "notin", values: ["z"] }] },
    { in: "f notin(z,y)", str: "f notin (y,z)" },
    { in: "!g", str: "!g", reqs: [{ key: "g", operator: "!", values: [] }] },
    { in: " ! g ", str: "!g" },
    { in: "h", str: "h", reqs: [{ key: "h", operator: "exists", values: [] }] },
    { in: "x in (foo,,baz),y,z notin ()", str: "x in (,baz,foo),y,z notin ()" },
    { in: "b=1,a=2", str: "a=2,b=1" },
    { in: "a=b,!c", str: "a=b,!c" },
    { in: "in=notin", str: "in=notin", reqs: [{ key: "in", operator: "=", values: ["notin"] }] },
    { in: "in in (in,notin)", str: "in in (in,notin)" },
    { in: "notin notin (in)", str: "notin notin (in)" },
    { in: "a>5", str: "a>5", reqs: [{ key: "a", operator: "gt", values: ["5"] }] },
    { in: "a<5", str: "a<5", reqs: [{ key: "a", operator: "lt", values: ["5"] }] },
    { in: "example.com/app=web-1.x_y", str: "example.com/app=web-1.x_y" },
    { in: "app.kubernetes.io/name=x", str: "app.kubernetes.io/name=x" },
  ];
  for (const c of cases) {
    void test(JSON.stringify(c.in), () => {
      const sel = parseLabelSelector(c.in);
      assert.equal(sel.toString(), c.str);
      assert.equal(String(sel), c.str);
      assert.equal(sel.empty(), c.str === "");
      if (c.reqs) assert.deepEqual(sel.requirements, c.reqs);
    });
  }
});

void describe("parseLabelSelector: errors", () => {
  const cases: { in: string; msg: string }[] = [
    { in: "a b", msg: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
    { in: "a=b c", msg: "found 'c', expected: ',' or 'end of string'" },
    { in: "a=b,", msg: "found '', expected: identifier after ','" },
    { in: "a=b,,c", msg: "found ',', expected: identifier after ','" },
    { in: ",", msg: "found ',', expected: !, identifier, or 'end of string'" },
    { in: "=a", msg: "found '=', expected: !, identifier, or 'end of string'" },
    { in: "!=a", msg: "found '!=', expected: !, identifier, or 'end of string'" },
    { in: "(a)", msg: "found '(', expected: !, identifier, or 'end of string'" },
    { in: "!", msg: "unable to parse requirement: found '', expected: identifier" },
    { in: "!!a", msg: "unable to parse requirement: found '!', expected: identifier" },
    { in: "!g=x", msg: "found '=', expected: ',' or 'end of string'" },
    { in: "a in", msg: "unable to parse requirement: found '' expected: '('" },
    { in: "a in x", msg: "unable to parse requirement: found 'x' expected: '('" },
    { in: "a in (b", msg: "unable to parse requirement: found '', expected: ',' or ')'" },
    { in: "a in (b c)", msg: "unable to parse requirement: found 'c', expected: ',' or ')'" },
    { in: "a in (=)", msg: "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
    { in: "a in (b,=)", msg: "unable to parse requirement: found '=', expected: ',', or identifier" },
    { in: "a in (b,", msg: "unable to parse requirement: found '', expected: ',', or identifier" },
    { in: "a=(", msg: "unable to parse requirement: found '(', expected: identifier" },
    { in: "a=b=c", msg: "found '=', expected: ',' or 'end of string'" },
    { in: "app:monolith", msg: `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part ${qnameRegexMsg}` },
    { in: "a:b=c", msg: `unable to parse requirement: <nil>: Invalid value: "a:b": name part ${qnameRegexMsg}` },
    { in: "app.kubernetes_io/name=x", msg: `unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part ${subdomainMsg}` },
    { in: "/a=b", msg: `unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty` },
    { in: "a/=b", msg: `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; name part ${qnameRegexMsg}` },
    { in: "a/b/c=d", msg: `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name ${qnameRegexMsg} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')` },
    { in: `${"k".repeat(64)}=v`, msg: `unable to parse requirement: <nil>: Invalid value: "${"k".repeat(64)}": name part must be no more than 63 characters` },
    { in: "a=b$", msg: `unable to parse requirement: values[0][a]: Invalid value: "b$": ${labelValueRegexMsg}` },
    { in: "a in (x,y$)", msg: `unable to parse requirement: values[1][a]: Invalid value: "y$": ${labelValueRegexMsg}` },
    { in: `a=${"v".repeat(64)}`, msg: `unable to parse requirement: values[0][a]: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters` },
    { in: "a>x", msg: `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer` },
    { in: "a<99999999999999999999", msg: `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer` },
    { in: "a>x$", msg: `unable to parse requirement: [values[0]: Invalid value: "x$": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "x$": ${labelValueRegexMsg}]` },
  ];
  for (const c of cases) {
    void test(JSON.stringify(c.in), () => {
      assert.throws(() => parseLabelSelector(c.in), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 400);
        assert.equal(e.reason, "BadRequest");
        assert.equal(e.message, c.msg);
        return true;
      });
    });
  }
});

void describe("Selector.matches", () => {
  const cases: { sel: string; labels: Record<string, string> | undefined; want: boolean }[] = [
    { sel: "", labels: undefined, want: true },
    { sel: "", labels: { a: "b" }, want: true },
    { sel: "a=b", labels: { a: "b" }, want: true },
    { sel: "a=b", labels: { a: "c" }, want: false },
    { sel: "a=b", labels: {}, want: false },
    { sel: "a=b", labels: undefined, want: false },
    { sel: "a=", labels: { a: "" }, want: true },
    { sel: "a=", labels: {}, want: false },
    { sel: "a!=b", labels: {}, want: true },
    { sel: "a!=b", labels: { a: "b" }, want: false },
    { sel: "a!=b", labels: { a: "c" }, want: true },
    { sel: "a in (x,y)", labels: { a: "y" }, want: true },
    { sel: "a in (x,y)", labels: { a: "z" }, want: false },
    { sel: "a in (x,y)", labels: {}, want: false },
    { sel: "a notin (x)", labels: {}, want: true },
    { sel: "a notin (x)", labels: { a: "x" }, want: false },
    { sel: "a notin (x)", labels: { a: "z" }, want: true },
    { sel: "a", labels: { a: "" }, want: true },
    { sel: "a", labels: {}, want: false },
    { sel: "!a", labels: {}, want: true },
    { sel: "!a", labels: { a: "" }, want: false },
    { sel: "a>5", labels: { a: "6" }, want: true },
    { sel: "a>5", labels: { a: "5" }, want: false },
    { sel: "a>5", labels: { a: "x" }, want: false },
    { sel: "a>5", labels: {}, want: false },
    { sel: "a<5", labels: { a: "-1" }, want: true },
    { sel: "a<5", labels: { a: "5" }, want: false },
    { sel: "a=b,c", labels: { a: "b", c: "x" }, want: true },
    { sel: "a=b,c", labels: { a: "b" }, want: false },
    { sel: "constructor", labels: {}, want: false },
    { sel: "!toString", labels: {}, want: true },
  ];
  for (const c of cases) {
    void test(`${JSON.stringify(c.sel)} on ${JSON.stringify(c.labels)}`, () => {
      assert.equal(parseLabelSelector(c.sel).matches(c.labels), c.want);
    });
  }
});

void describe("labelSelectorFromObject", () => {
  const cases: { name: string; sel: LabelSelector | undefined | null; str: string; empty: boolean; match: Record<string, string>[]; noMatch: Record<string, string>[] }[] = [
    { name: "undefined matches nothing", sel: undefined, str: "", empty: false, match: [], noMatch: [{}, { a: "b" }] },
    { name: "null matches nothing", sel: null, str: "", empty: false, match: [], noMatch: [{}] },
    { name: "{} matches everything", sel: {}, str: "", empty: true, match: [{}, { a: "b" }], noMatch: [] },
    { name: "empty lists match everything", sel: { matchLabels: {}, matchExpressions: [] }, str: "", empty: true, match: [{}], noMatch: [] },
    { name: "matchLabels", sel: { matchLabels: { b: "2", a: "1" } }, str: "a=1,b=2", empty: false, match: [{ a: "1", b: "2", c: "3" }], noMatch: [{ a: "1" }, { a: "1", b: "3" }] },
    {
      name: "matchExpressions", empty: false,
      sel: { matchExpressions: [
        { key: "tier", operator: "In", values: ["web", "api"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "app", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist" },
      ] },
      str: "app,env notin (prod),!legacy,tier in (api,web)",
      match: [{ tier: "web", app: "x" }, { tier: "api", app: "", env: "dev" }],
      noMatch: [{ tier: "db", app: "x" }, { tier: "web" }, { tier: "web", app: "x", env: "prod" }, { tier: "web", app: "x", legacy: "1" }],
    },
    { name: "both combined", sel: { matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] }, str: "app=x,tier in (web)", empty: false, match: [{ app: "x", tier: "web" }], noMatch: [{ app: "x" }] },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const sel = labelSelectorFromObject(c.sel);
      assert.equal(sel.toString(), c.str);
      assert.equal(sel.empty(), c.empty);
      assert.equal(matchesNothing(sel), c.sel === undefined || c.sel === null);
      for (const l of c.match) assert.equal(sel.matches(l), true, JSON.stringify(l));
      for (const l of c.noMatch) assert.equal(sel.matches(l), false, JSON.stringify(l));
    });
  }

  const errors: { name: string; sel: LabelSelector; msg: string }[] = [
    { name: "unknown operator", sel: { matchExpressions: [{ key: "a", operator: "Foo" }] }, msg: `"Foo" is not a valid label selector operator` },
    { name: "lower-case operator", sel: { matchExpressions: [{ key: "a", operator: "in", values: ["x"] }] }, msg: `"in" is not a valid label selector operator` },
    { name: "In without values", sel: { matchExpressions: [{ key: "a", operator: "In" }] }, msg: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty" },
    { name: "NotIn with empty values", sel: { matchExpressions: [{ key: "a", operator: "NotIn", values: [] }] }, msg: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty" },
    { name: "Exists with values", sel: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x", "y"] }] }, msg: `values: Invalid value: []string{"x", "y"}: values set must be empty for exists and does not exist` },
    { name: "invalid key", sel: { matchLabels: { "a b": "c" } }, msg: `key: Invalid value: "a b": name part ${qnameRegexMsg}` },
    { name: "invalid value", sel: { matchLabels: { a: "b c" } }, msg: `values[0][a]: Invalid value: "b c": ${labelValueRegexMsg}` },
    { name: "several errors", sel: { matchExpressions: [{ key: "-a", operator: "In", values: ["-"] }] }, msg: `[key: Invalid value: "-a": name part ${qnameRegexMsg}, values[0][-a]: Invalid value: "-": ${labelValueRegexMsg}]` },
  ];
  for (const c of errors) {
    void test(`error: ${c.name}`, () => {
      assert.throws(() => labelSelectorFromObject(c.sel), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.ok(!(e instanceof StatusError));
        assert.equal(e.message, c.msg);
        return true;
      });
    });
  }
});

void describe("exactLabelValue", () => {
  const cases: { sel: string; key: string; want: string | undefined }[] = [
    { sel: "a=b", key: "a", want: "b" },
    { sel: "a==b,c=d", key: "c", want: "d" },
    { sel: "a in (x)", key: "a", want: "x" },
    { sel: "a=", key: "a", want: "" },
    { sel: "a in (x,y)", key: "a", want: undefined },
    { sel: "a!=b", key: "a", want: undefined },
    { sel: "a notin (b)", key: "a", want: undefined },
    { sel: "a", key: "a", want: undefined },
    { sel: "b=c", key: "a", want: undefined },
    { sel: "", key: "a", want: undefined },
  ];
  for (const c of cases) {
    void test(`${c.sel} / ${c.key}`, () => assert.equal(exactLabelValue(parseLabelSelector(c.sel), c.key), c.want));
  }
  void test("from a set", () => assert.equal(exactLabelValue(labelSelectorFromSet({ app: "x" }), "app"), "x"));
});

void describe("label key and value validation", () => {
  const keys: { key: string; ok: boolean }[] = [
    { key: "a", ok: true }, { key: "A.b-c_d9", ok: true }, { key: "example.com/name", ok: true },
    { key: "k".repeat(63), ok: true }, { key: `${"p".repeat(253)}/n`, ok: true },
    { key: "", ok: false }, { key: "-a", ok: false }, { key: "a-", ok: false }, { key: "Example.com/a", ok: false },
    { key: `${"p".repeat(254)}/n`, ok: false }, { key: "k".repeat(64), ok: false }, { key: "a/b/c", ok: false },
  ];
  for (const c of keys) void test(`key ${JSON.stringify(c.key.slice(0, 20))}… valid=${c.ok}`, () => assert.equal(labelKeyErrors(c.key).length === 0, c.ok));
  void test("empty key message", () => assert.deepEqual(labelKeyErrors(""), ["name part must be non-empty", `name part ${qnameRegexMsg}`]));
  void test("long prefix message", () => assert.deepEqual(labelKeyErrors(`${"p".repeat(254)}/n`), ["prefix part must be no more than 253 characters"]));

  const values: { v: string; ok: boolean }[] = [
    { v: "", ok: true }, { v: "a", ok: true }, { v: "a.b_c-d", ok: true }, { v: "v".repeat(63), ok: true },
    { v: "v".repeat(64), ok: false }, { v: "-a", ok: false }, { v: "a b", ok: false }, { v: "a/b", ok: false }, { v: "é", ok: false },
  ];
  for (const c of values) void test(`value ${JSON.stringify(c.v.slice(0, 20))} valid=${c.ok}`, () => assert.equal(labelValueErrors(c.v).length === 0, c.ok));
});

void describe("newRequirement / selectorFromRequirements / labelSelectorFromSet", () => {
  void test("builds and sorts", () => {
    const sel = selectorFromRequirements([newRequirement("z", "exists", []), newRequirement("a", "gt", ["3"])]);
    assert.equal(sel.toString(), "a>3,z");
    assert.equal(sel.matches({ a: "4", z: "" }), true);
    assert.equal(sel.matches({ a: "3", z: "" }), false);
  });
  void test("rejects Gt with two values", () => {
    assert.throws(() => newRequirement("a", "gt", ["1", "2"]), { message: `values: Invalid value: []string{"1", "2"}: for 'Gt', 'Lt' operators, exactly one value is required` });
  });
  void test("rejects = with no value", () => {
    assert.throws(() => newRequirement("a", "=", []), { message: "values: Invalid value: []string(nil): exact-match compatibility requires one single value" });
  });
  void test("requirementMatches without labels", () => {
    assert.equal(requirementMatches({ key: "a", operator: "notin", values: ["x"] }, undefined), true);
    assert.equal(requirementMatches({ key: "a", operator: "in", values: ["x"] }, undefined), false);
  });
  void test("labelSelectorFromSet", () => {
    const sel = labelSelectorFromSet({ b: "2", a: "1" });
    assert.equal(sel.toString(), "a=1,b=2");
    assert.equal(sel.matches({ a: "1", b: "2" }), true);
    assert.equal(sel.matches({ a: "1" }), false);
    assert.equal(labelSelectorFromSet(undefined).empty(), true);
    assert.equal(labelSelectorFromSet({}).matches(undefined), true);
  });
  void test("requirements are immutable", () => {
    const sel = parseLabelSelector("a=b");
    assert.throws(() => (sel.requirements as Requirement[]).push({ key: "x", operator: "exists", values: [] }));
  });
});
