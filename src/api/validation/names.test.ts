import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isRelaxedEnvVarName, isValidLabelValue, isValidPathSegmentName,
  isValidPortName, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain,
} from "./names.js";

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const namePartMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe("isDNS1123Subdomain", () => {
  const cases: Array<[string, string[]]> = [
    ["example.com", []],
    ["a", []],
    ["my-ds-1", []],
    ["Example", [subdomainMsg]],
    ["-a", [subdomainMsg]],
    ["a..b", [subdomainMsg]],
    ["", [subdomainMsg]],
    ["a".repeat(254), ["must be no more than 253 characters"]],
  ];
  for (const [value, expected] of cases) test(JSON.stringify(value.slice(0, 20)), () => assert.deepEqual(isDNS1123Subdomain(value), expected));
});

describe("isDNS1123Label", () => {
  const cases: Array<[string, string[]]> = [
    ["nginx", []],
    ["a-b-1", []],
    ["a.b", ["must not contain dots"]],
    ["A", [labelMsg]],
    ["a_b", [labelMsg]],
    ["a".repeat(64), ["must be no more than 63 characters"]],
  ];
  for (const [value, expected] of cases) test(JSON.stringify(value.slice(0, 20)), () => assert.deepEqual(isDNS1123Label(value), expected));
});

describe("isQualifiedName", () => {
  const cases: Array<[string, string[]]> = [
    ["app", []],
    ["kubernetes.io/hostname", []],
    ["node.kubernetes.io/not-ready", []],
    ["My_Name.1", []],
    ["", ["name part must be non-empty", namePartMsg]],
    ["/a", ["prefix part must be non-empty"]],
    ["Example.com/a", [`prefix part ${subdomainMsg}`]],
    ["a/b/c", ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
    ["-a", [namePartMsg]],
    ["a".repeat(64), ["name part must be no more than 63 characters"]],
  ];
  for (const [value, expected] of cases) test(JSON.stringify(value.slice(0, 20)), () => assert.deepEqual(isQualifiedName(value), expected));
});

describe("isValidLabelValue", () => {
  const cases: Array<[string, string[]]> = [
    ["", []],
    ["v1.2_3-x", []],
    ["bad value", [labelValueMsg]],
    ["-x", [labelValueMsg]],
    ["a".repeat(64), ["must be no more than 63 characters"]],
  ];
  for (const [value, expected] of cases) test(JSON.stringify(value.slice(0, 20)), () => assert.deepEqual(isValidLabelValue(value), expected));
});

describe("ports, env names, path segments, generated names", () => {
  test("port numbers", () => {
    assert.deepEqual(isValidPortNum(80), []);
    assert.deepEqual(isValidPortNum(0), ["must be between 1 and 65535, inclusive"]);
    assert.deepEqual(isValidPortNum(65536), ["must be between 1 and 65535, inclusive"]);
  });
  const portNames: Array<[string, string[]]> = [
    ["http", []],
    ["metrics-1", []],
    ["HTTP", ["must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must contain at least one letter (a-z)"]],
    ["123", ["must contain at least one letter (a-z)"]],
    ["a--b", ["must not contain consecutive hyphens"]],
    ["-ab", ["must not begin or end with a hyphen"]],
    ["abcdefghijklmnop", ["must be no more than 15 characters"]],
  ];
  for (const [value, expected] of portNames) test(`port name ${value}`, () => assert.deepEqual(isValidPortName(value), expected));
  test("env var names", () => {
    assert.deepEqual(isRelaxedEnvVarName("MY_VAR.1"), []);
    assert.deepEqual(isRelaxedEnvVarName("A=B"), ["a valid environment variable name must consist only of printable ASCII characters other than '='"]);
  });
  test("path segment names", () => {
    assert.deepEqual(isValidPathSegmentName("ok.1", false), []);
    assert.deepEqual(isValidPathSegmentName("..", false), ["may not be '..'"]);
    assert.deepEqual(isValidPathSegmentName("a/b%c", false), ["may not contain '/'", "may not contain '%'"]);
  });
  test("generateName prefixes may end with a dash", () => {
    assert.deepEqual(nameIsDNSSubdomain("my-ds-", true), []);
    assert.deepEqual(nameIsDNSSubdomain("my-ds-", false), [subdomainMsg]);
    assert.deepEqual(nameIsDNSLabel("ns-", true), []);
  });
});
