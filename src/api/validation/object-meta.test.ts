import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fieldErrorString } from "../status-error.js";
import { nameIsDNSLabel, nameIsDNSSubdomain } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";

const namespaced = { namespaced: true, nameFn: nameIsDNSSubdomain };
const clusterScoped = { namespaced: false, nameFn: nameIsDNSLabel };
const render = (errs: ReturnType<typeof validateObjectMeta>) => errs.map(fieldErrorString);

describe("validateObjectMeta", () => {
  const cases: Array<[name: string, meta: unknown, rules: typeof namespaced, expected: string[]]> = [
    ["valid", { name: "a", namespace: "default", labels: { app: "x" }, annotations: { "example.com/a": "b" } }, namespaced, []],
    ["name required", { namespace: "default" }, namespaced, ["metadata.name: Required value: name or generateName is required"]],
    ["generateName prefix checked", { name: "ab-xyz12", generateName: "AB-", namespace: "default" }, namespaced,
      [`metadata.generateName: Invalid value: "AB-": ${nameIsDNSSubdomain("AB", false)[0] ?? ""}`]],
    ["namespace required", { name: "a" }, namespaced, ["metadata.namespace: Required value"]],
    ["namespace forbidden on cluster-scoped", { name: "a", namespace: "default" }, clusterScoped, ["metadata.namespace: Forbidden: not allowed on this type"]],
    ["negative generation", { name: "a", namespace: "n", generation: -1 }, namespaced, ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"]],
    ["bad label value", { name: "a", namespace: "n", labels: { app: "bad value" } }, namespaced,
      ["metadata.labels: Invalid value: \"bad value\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]],
    ["label value of the wrong type", { name: "a", namespace: "n", labels: { replicas: 3 } }, namespaced,
      ["metadata.labels[replicas]: Invalid value: 3: must be of type string"]],
    ["annotations too large", { name: "a", namespace: "n", annotations: { big: "x".repeat(256 * 1024) } }, namespaced,
      ["metadata.annotations: Too long: may not be more than 262144 bytes"]],
    ["annotation keys are case-insensitive qualified names", { name: "a", namespace: "n", annotations: { "Example.com/Key": "v" } }, namespaced, []],
    ["owner reference fields", { name: "a", namespace: "n", ownerReferences: [{ apiVersion: "", kind: "", name: "", uid: "" }] }, namespaced, [
      "metadata.ownerReferences.apiVersion: Invalid value: \"\": version must not be empty",
      "metadata.ownerReferences.kind: Invalid value: \"\": must not be empty",
      "metadata.ownerReferences.name: Invalid value: \"\": must not be empty",
      "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
    ]],
    ["two controllers", {
      name: "a", namespace: "n", ownerReferences: [
        { apiVersion: "apps/v1", kind: "DaemonSet", name: "x", uid: "1", controller: true },
        { apiVersion: "apps/v1", kind: "DaemonSet", name: "y", uid: "2", controller: true },
      ],
    }, namespaced, ["metadata.ownerReferences: Invalid value: [{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"x\",\"uid\":\"1\",\"controller\":true},{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"y\",\"uid\":\"2\",\"controller\":true}]: Only one reference can have Controller set to true. Found \"true\" in references for DaemonSet/x and DaemonSet/y"]],
    ["finalizers", { name: "a", namespace: "n", finalizers: ["kubernetes", "example.com/f", "custom"] }, namespaced,
      ["metadata.finalizers[2]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified"]],
    ["orphan and foreground together", { name: "a", namespace: "n", finalizers: ["orphan", "foregroundDeletion"] }, namespaced,
      ["metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan and foregroundDeletion cannot be both set"]],
    ["metadata of the wrong type", "x", namespaced, [
      "metadata: Invalid value: \"x\": must be of type object",
      "metadata.name: Required value: name or generateName is required",
      "metadata.namespace: Required value",
    ]],
  ];
  for (const [name, meta, rules, expected] of cases) {
    test(name, () => assert.deepEqual(render(validateObjectMeta(meta, rules)), expected));
  }
});

describe("validateObjectMetaUpdate", () => {
  const old = { name: "a", namespace: "n", uid: "u1", resourceVersion: "5" };
  const cases: Array<[name: string, next: unknown, prev: unknown, expected: string[]]> = [
    ["unchanged", { ...old }, old, []],
    ["resourceVersion required", { name: "a", namespace: "n" }, old, ["metadata.resourceVersion: Invalid value: \"\": must be specified for an update"]],
    ["name immutable", { ...old, name: "b" }, old, ["metadata.name: Invalid value: \"b\": field is immutable"]],
    ["uid immutable when given", { ...old, uid: "u2" }, old, ["metadata.uid: Invalid value: \"u2\": field is immutable"]],
    ["no new finalizers while deleting", { ...old, finalizers: ["example.com/x"] }, { ...old, deletionTimestamp: "2024-01-01T00:00:00Z" },
      ["metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/x\"}"]],
  ];
  for (const [name, next, prev, expected] of cases) {
    test(name, () => assert.deepEqual(render(validateObjectMetaUpdate(next, prev)), expected));
  }
});
