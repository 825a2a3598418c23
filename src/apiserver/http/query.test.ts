import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import { managerFromUserAgent, parseListQuery, parseWriteQuery, queryBool } from "./query.js";

const pods = findResource("", "pods")!;
const ds = findResource("apps", "daemonsets")!;
const q = (s: string): URLSearchParams => new URLSearchParams(s);

function rejects(fn: () => unknown, code: number, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    if (typeof message === "string") assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test("booleans read as upstream reads them", () => {
  const cases: [string, boolean | undefined][] = [["watch", true], ["watch=true", true], ["watch=1", true], ["watch=false", false],
    ["watch=0", false], ["watch=F", false], ["watch=yes", true], ["", undefined]];
  for (const [s, want] of cases) assert.equal(queryBool(q(s), "watch"), want, s);
});

describe("parseListQuery", () => {
  test("list parameters", () => {
    const r = parseListQuery(q("labelSelector=app%3Dx&fieldSelector=spec.nodeName%3Dn1&limit=500&resourceVersion=7&resourceVersionMatch=NotOlderThan"), pods);
    assert.equal(r.watch, false);
    assert.deepEqual(r.list, { labelSelector: "app=x", fieldSelector: "spec.nodeName=n1", limit: 500, resourceVersion: "7", resourceVersionMatch: "NotOlderThan" });
  });

  test("watch parameters", () => {
    const r = parseListQuery(q("watch=1&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=300"), ds);
    assert.equal(r.watch, true);
    assert.deepEqual(r.watchOptions, { resourceVersion: "5", allowWatchBookmarks: true, timeoutSeconds: 300 });
    const initial = parseListQuery(q("watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"), ds);
    assert.deepEqual(initial.watchOptions, { resourceVersionMatch: "NotOlderThan", sendInitialEvents: true, allowWatchBookmarks: true });
  });

  test("malformed values", () => {
    rejects(() => parseListQuery(q("limit=ten"), ds), 400, 'strconv.ParseInt: parsing "ten": invalid syntax');
    rejects(() => parseListQuery(q("timeoutSeconds=1.5&watch=1"), ds), 400, /strconv.ParseInt/);
    rejects(() => parseListQuery(q("fieldSelector=spec.foo%3Dbar"), pods), 400, "field label not supported: spec.foo");
    rejects(() => parseListQuery(q("labelSelector=a%20in%20(b"), ds), 400, /.+/);
  });

  test("inconsistent options are 422 ListOptions", () => {
    rejects(() => parseListQuery(q("resourceVersionMatch=Exact"), ds), 422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    rejects(() => parseListQuery(q("resourceVersion=1&resourceVersionMatch=Newest"), ds), 422,
      'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""');
    rejects(() => parseListQuery(q("sendInitialEvents=true"), ds), 422, /sendInitialEvents is forbidden for list/);
    rejects(() => parseListQuery(q("watch=1&sendInitialEvents=true"), ds), 422, /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/);
    rejects(() => parseListQuery(q("watch=1&resourceVersion=3&resourceVersionMatch=NotOlderThan"), ds), 422, /forbidden for watch unless sendInitialEvents is provided/);
  });
});

describe("managerFromUserAgent", () => {
  test("the User-Agent up to its first slash, printable characters only, at most 128 bytes", () => {
    assert.equal(managerFromUserAgent("kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9"), "kubectl");
    assert.equal(managerFromUserAgent("kube-scheduler/v1.32.0"), "kube-scheduler");
    assert.equal(managerFromUserAgent("a\u0007b"), "ab");
    assert.equal(managerFromUserAgent("x".repeat(200)), "x".repeat(128));
    assert.equal(managerFromUserAgent(undefined), "");
  });
});

describe("parseWriteQuery", () => {
  test("defaults to Warn and reads dryRun and fieldManager", () => {
    assert.deepEqual(parseWriteQuery(q(""), "CreateOptions"), { fieldValidation: "Warn" });
    assert.deepEqual(parseWriteQuery(q("dryRun=All&fieldManager=kubectl-create&fieldValidation=Strict"), "CreateOptions"),
      { fieldValidation: "Strict", dryRun: true, fieldManager: "kubectl-create" });
  });

  test("disallowed values are 422 naming the options kind", () => {
    rejects(() => parseWriteQuery(q("fieldValidation=Loose"), "CreateOptions"), 422,
      'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"');
    rejects(() => parseWriteQuery(q("dryRun=Some"), "UpdateOptions"), 422,
      'UpdateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Some"]: supported values: "All"');
    rejects(() => parseWriteQuery(q(`fieldManager=${"m".repeat(129)}`), "PatchOptions"), 422, /fieldManager: Too long: may not be more than 128/);
  });
});
