import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonValue } from "../../api/types.js";
import { applyServerSideApply } from "./apply-patch.js";

const dsKind = { apiVersion: "apps/v1", kind: "DaemonSet" };
const scope = { kind: dsKind, subresource: "" as const, hasStatus: true, now: "2026-01-02T03:04:05Z" };
const owner = { manager: "test", force: false, scope };
const forced = { ...owner, force: true };

/** The object without its managedFields, and the managers named there. */
function split(out: JsonValue): { object: JsonValue; managers: string[] } {
  const o = structuredClone(out) as { metadata?: { managedFields?: Array<{ manager: string; operation: string }> } };
  const managers = (o.metadata?.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
  if (o.metadata) delete o.metadata.managedFields;
  return { object: o as JsonValue, managers };
}

const applied = {
  apiVersion: "apps/v1", kind: "DaemonSet",
  metadata: { name: "agent", namespace: "default", labels: { app: "agent" } },
  spec: {
    selector: { matchLabels: { app: "agent" } },
    template: {
      metadata: { labels: { app: "agent" } },
      spec: { containers: [{ name: "main", image: "nginx:1.27", env: [{ name: "B", value: "3" }] }], tolerations: [{ operator: "Exists" }] },
    },
  },
};

describe("applyServerSideApply", () => {
  test("creates the applied object when none exists", () => {
    const input = structuredClone(applied);
    const out = applyServerSideApply(undefined, input, dsKind, owner);
    assert.deepEqual(split(out), { object: applied, managers: ["test/Apply"] });
    assert.notEqual(out, input);
  });

  test("drops nulls when creating", () => {
    assert.deepEqual(split(applyServerSideApply(undefined, { apiVersion: "apps/v1", kind: "DaemonSet", spec: { minReadySeconds: null } }, dsKind, owner)).object,
      { apiVersion: "apps/v1", kind: "DaemonSet", spec: {}, metadata: {} });
  });

  test("requires the resource's apiVersion and a kind, as upstream", () => {
    const message = (fn: () => unknown): string => {
      try { fn(); } catch (err) { if (err instanceof StatusError && err.code === 400) return err.message; throw err; }
      return "no error";
    };
    assert.equal(message(() => applyServerSideApply(undefined, { kind: "DaemonSet" }, dsKind, owner)),
      "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1");
    assert.equal(message(() => applyServerSideApply(undefined, { apiVersion: "apps/v2", kind: "DaemonSet" }, dsKind, owner)),
      "Incorrect version specified in apply patch. Specified patch version: apps/v2, expected: apps/v1");
    assert.equal(message(() => applyServerSideApply(undefined, { apiVersion: "apps/v1" }, dsKind, owner)),
      "failed to create typed patch object (apps/v1, Kind=): no corresponding type for apps/v1, Kind=");
  });

  test("merges into the live object: keyed lists by key, other lists replaced, server fields kept", () => {
    const live = {
      apiVersion: "apps/v1", kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default", uid: "u", resourceVersion: "5", labels: { app: "agent", extra: "kept" } },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: {
            containers: [{ name: "main", image: "nginx:1.26", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }, { name: "side", image: "busybox" }],
            tolerations: [{ key: "x", operator: "Exists" }],
            restartPolicy: "Always",
          },
        },
        updateStrategy: { type: "RollingUpdate" },
      },
      status: { numberReady: 1 },
    };
    const before = structuredClone(live);
    const result = applyServerSideApply(live as unknown as JsonValue, applied, dsKind, forced);
    assert.deepEqual(split(result).managers, ["test/Apply", "before-first-apply/Update"]);
    const out = split(result).object as unknown as typeof live;
    assert.deepEqual(live, before, "the live object must not change");
    assert.deepEqual(out.metadata, { ...live.metadata, labels: { app: "agent", extra: "kept" } });
    assert.deepEqual(out.spec.template.spec.containers, [
      { name: "main", image: "nginx:1.27", env: [{ name: "A", value: "1" }, { name: "B", value: "3" }] },
      { name: "side", image: "busybox" },
    ]);
    assert.deepEqual(out.spec.template.spec.tolerations, [{ operator: "Exists" }]);
    assert.equal(out.spec.template.spec.restartPolicy, "Always");
    assert.deepEqual(out.spec.updateStrategy, { type: "RollingUpdate" });
    assert.deepEqual(out.status, { numberReady: 1 });
  });

  for (const bad of [null, [], "x"] as JsonValue[]) {
    test(`rejects a non-object configuration ${JSON.stringify(bad)}`, () => {
      assert.throws(() => applyServerSideApply(undefined, bad, dsKind, owner), (err: unknown) => err instanceof StatusError && err.code === 400 && err.reason === "BadRequest");
    });
  }
});
