import { test, describe } from "node:test";
import assert from "node:assert/strict";
import {
  TaintEffect, TaintKey, findUntoleratedTaint, getMatchingTolerations, taintToString, tolerationSecondsFor,
  tolerationToleratesTaint, tolerationsTolerateTaint,
} from "./taints.js";
import type { Taint, Toleration } from "./types.js";

const kv: Taint = { key: "k", value: "v", effect: "NoSchedule" };
const kOnly: Taint = { key: "k", effect: "NoExecute" };

void describe("tolerationToleratesTaint", () => {
  const cases: { name: string; tol: Toleration; taint: Taint; want: boolean }[] = [
    { name: "Equal exact", tol: { key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }, taint: kv, want: true },
    { name: "Equal value mismatch", tol: { key: "k", operator: "Equal", value: "w", effect: "NoSchedule" }, taint: kv, want: false },
    { name: "operator defaults to Equal", tol: { key: "k", value: "v" }, taint: kv, want: true },
    { name: "default Equal needs the value", tol: { key: "k" }, taint: kv, want: false },
    { name: "Equal without values on both", tol: { key: "k", operator: "Equal" }, taint: kOnly, want: true },
    { name: "Equal empty value vs absent value", tol: { key: "k", operator: "Equal", value: "" }, taint: kOnly, want: true },
    { name: "Exists ignores value", tol: { key: "k", operator: "Exists" }, taint: kv, want: true },
    { name: "Exists ignores even a set value", tol: { key: "k", operator: "Exists", value: "other" }, taint: kv, want: true },
    { name: "empty key + Exists matches every key", tol: { operator: "Exists" }, taint: { key: "anything", value: "x", effect: "NoExecute" }, want: true },
    { name: "empty key + Exists with effect filter", tol: { operator: "Exists", effect: "NoSchedule" }, taint: kOnly, want: false },
    { name: "empty effect matches all effects", tol: { key: "k", operator: "Exists" }, taint: kOnly, want: true },
    { name: "effect mismatch", tol: { key: "k", operator: "Exists", effect: "NoExecute" }, taint: kv, want: false },
    { name: "key mismatch", tol: { key: "j", operator: "Exists" }, taint: kv, want: false },
    { name: "unknown operator", tol: { key: "k", operator: "Gt", value: "v" }, taint: kv, want: false },
    { name: "lower-case operator is unknown", tol: { key: "k", operator: "exists" }, taint: kv, want: false },
    { name: "empty key + Equal compares values only", tol: { value: "v" }, taint: kv, want: true },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(tolerationToleratesTaint(c.tol, c.taint), c.want));
});

void describe("tolerationsTolerateTaint", () => {
  const cases: { name: string; tols: Toleration[] | undefined; want: boolean }[] = [
    { name: "undefined", tols: undefined, want: false },
    { name: "empty", tols: [], want: false },
    { name: "one of several", tols: [{ key: "x", operator: "Exists" }, { key: "k", operator: "Exists" }], want: true },
    { name: "none", tols: [{ key: "x", operator: "Exists" }], want: false },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(tolerationsTolerateTaint(c.tols, kv), c.want));
});

void describe("findUntoleratedTaint", () => {
  const taints: Taint[] = [
    { key: "a", effect: "NoSchedule" },
    { key: "b", effect: "PreferNoSchedule" },
    { key: "c", value: "1", effect: "NoExecute" },
  ];
  const scheduling = (t: Taint): boolean => t.effect === TaintEffect.NoSchedule || t.effect === TaintEffect.NoExecute;
  const cases: { name: string; taints: Taint[] | undefined; tols: Toleration[] | undefined; filter?: (t: Taint) => boolean; want: string | undefined }[] = [
    { name: "first untolerated, no filter", taints, tols: [{ key: "a", operator: "Exists" }], want: "b" },
    { name: "filter skips PreferNoSchedule", taints, tols: [{ key: "a", operator: "Exists" }], filter: scheduling, want: "c" },
    { name: "all tolerated", taints, tols: [{ operator: "Exists" }], want: undefined },
    { name: "tolerated with filter", taints, tols: [{ key: "a", operator: "Exists" }, { key: "c", value: "1" }], filter: scheduling, want: undefined },
    { name: "nothing tolerated", taints, tols: undefined, want: "a" },
    { name: "no taints", taints: undefined, tols: [], want: undefined },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(findUntoleratedTaint(c.taints, c.tols, c.filter)?.key, c.want));
});

void describe("getMatchingTolerations", () => {
  const t1: Taint = { key: TaintKey.NotReady, effect: "NoExecute" };
  const t2: Taint = { key: TaintKey.Unreachable, effect: "NoExecute" };
  const tolA: Toleration = { key: TaintKey.NotReady, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
  const tolB: Toleration = { key: TaintKey.Unreachable, operator: "Exists", effect: "NoExecute" };
  const tolAll: Toleration = { operator: "Exists" };
  const cases: { name: string; taints: Taint[] | undefined; tols: Toleration[] | undefined; want: { ok: boolean; tolerations: Toleration[] } }[] = [
    { name: "no taints", taints: [], tols: [tolA], want: { ok: true, tolerations: [] } },
    { name: "undefined taints", taints: undefined, tols: undefined, want: { ok: true, tolerations: [] } },
    { name: "taints without tolerations", taints: [t1], tols: [], want: { ok: false, tolerations: [] } },
    { name: "all tolerated, in taint order", taints: [t2, t1], tols: [tolA, tolB], want: { ok: true, tolerations: [tolB, tolA] } },
    { name: "first tolerating toleration wins", taints: [t1], tols: [tolAll, tolA], want: { ok: true, tolerations: [tolAll] } },
    { name: "one untolerated", taints: [t1, t2], tols: [tolA], want: { ok: false, tolerations: [] } },
  ];
  for (const c of cases) void test(c.name, () => assert.deepEqual(getMatchingTolerations(c.taints, c.tols), c.want));
});

void describe("tolerationSecondsFor", () => {
  const cases: { name: string; tols: Toleration[]; want: number | undefined }[] = [
    { name: "empty list evicts now", tols: [], want: 0 },
    { name: "no seconds: forever", tols: [{ operator: "Exists" }], want: undefined },
    { name: "minimum", tols: [{ tolerationSeconds: 300 }, { tolerationSeconds: 60 }], want: 60 },
    { name: "unset ones ignored", tols: [{}, { tolerationSeconds: 30 }], want: 30 },
    { name: "zero evicts now", tols: [{ tolerationSeconds: 300 }, { tolerationSeconds: 0 }], want: 0 },
    { name: "negative evicts now", tols: [{ tolerationSeconds: -5 }, { tolerationSeconds: 10 }], want: 0 },
  ];
  for (const c of cases) void test(c.name, () => assert.equal(tolerationSecondsFor(c.tols), c.want));
});

void describe("taintToString", () => {
  const cases: { taint: Taint; want: string }[] = [
    { taint: kv, want: "k=v:NoSchedule" },
    { taint: kOnly, want: "k:NoExecute" },
    { taint: { key: TaintKey.Unschedulable, value: "", effect: "NoSchedule" }, want: "node.kubernetes.io/unschedulable:NoSchedule" },
  ];
  for (const c of cases) void test(c.want, () => assert.equal(taintToString(c.taint), c.want));
});
