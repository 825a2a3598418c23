import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { OwnerReference } from "../../api/types.js";
import { sameOwnerReferences } from "./owner-references.js";

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: "apps/v1", kind: "DaemonSet", name: `ds-${uid}`, uid, ...extra });

describe("sameOwnerReferences", () => {
  test("equal lists, copies included, are the same; empty lists too", () => {
    assert.ok(sameOwnerReferences([], []));
    assert.ok(sameOwnerReferences([ref("a"), ref("b", { controller: true })], [ref("a"), ref("b", { controller: true })]));
  });

  test("any field, the order or the length differing makes them different", () => {
    const base = [ref("a", { controller: true, blockOwnerDeletion: true })];
    for (const change of [{ uid: "x" }, { name: "other" }, { kind: "ReplicaSet" }, { apiVersion: "apps/v2" }, { controller: false }, { blockOwnerDeletion: undefined }]) {
      assert.equal(sameOwnerReferences(base, [{ ...ref("a", { controller: true, blockOwnerDeletion: true }), ...change }]), false, JSON.stringify(change));
    }
    assert.equal(sameOwnerReferences([ref("a"), ref("b")], [ref("b"), ref("a")]), false);
    assert.equal(sameOwnerReferences([ref("a")], [ref("a"), ref("b")]), false);
  });
});
