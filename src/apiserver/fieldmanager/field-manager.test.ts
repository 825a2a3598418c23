// Cases after upstream's field manager tests (k8s.io/apiserver fieldmanager, structured-merge-diff merge tests).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusError } from "../../api/status-error.js";
import type { JsonObject, KubeObject } from "../../api/types.js";
import { applyConfiguration, recordUpdate, type WriteScope } from "./field-manager.js";

const kind = { apiVersion: "apps/v1", kind: "DaemonSet" };
const scope: WriteScope = { kind, subresource: "", hasStatus: true, now: "2026-01-01T00:00:00Z" };
const at = (now: string): WriteScope => ({ ...scope, now });

type Container = { name: string; image?: string; env?: Array<{ name: string; value: string }> };

/** An applied DaemonSet configuration. */
function config(containers: Container[], extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "ds", namespace: "default" },
    spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { containers } } },
    ...extra,
  } as JsonObject;
}

function apply(live: KubeObject | undefined, manager: string, body: JsonObject, force = false, s = scope): KubeObject {
  return applyConfiguration(live, { manager, force, config: body }, s);
}

function containers(o: KubeObject): Container[] {
  return (o.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
}

function managers(o: KubeObject): string[] {
  return (o.metadata?.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);
}

function fieldsOfManager(o: KubeObject, manager: string): string {
  return JSON.stringify(o.metadata?.managedFields?.find((e) => e.manager === manager)?.fieldsV1 ?? null);
}

function conflictOf(fn: () => unknown): { message: string; causes: unknown } {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError && err.code === 409) return { message: err.message, causes: err.status.details?.causes };
    throw err;
  }
  assert.fail("expected a conflict");
}

describe("server-side apply", () => {
  test("creating by apply: one Apply entry owning exactly the applied fields", () => {
    const o = apply(undefined, "a", config([{ name: "c", image: "x" }]));
    assert.deepEqual(managers(o), ["a/Apply"]);
    assert.deepEqual(o.metadata?.managedFields?.[0]?.fieldsV1, {
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
      },
    });
    assert.equal(o.metadata?.managedFields?.[0]?.time, scope.now);
  });

  test("two appliers of the same value share the field; a different value conflicts with upstream's message", () => {
    const first = apply(undefined, "a", config([{ name: "c", image: "x" }]));
    const shared = apply(first, "b", config([{ name: "c", image: "x" }]));
    assert.deepEqual(managers(shared), ["a/Apply", "b/Apply"]);
    assert.match(fieldsOfManager(shared, "a"), /f:image/);
    assert.match(fieldsOfManager(shared, "b"), /f:image/);
    const c = conflictOf(() => apply(shared, "c", config([{ name: "c", image: "y" }])));
    assert.equal(c.message, 'Apply failed with 2 conflicts: conflicts with "a":\n- .spec.template.spec.containers[name="c"].image\nconflicts with "b":\n- .spec.template.spec.containers[name="c"].image');
    assert.deepEqual(c.causes, [
      { reason: "FieldManagerConflict", message: 'conflict with "a"', field: '.spec.template.spec.containers[name="c"].image' },
      { reason: "FieldManagerConflict", message: 'conflict with "b"', field: '.spec.template.spec.containers[name="c"].image' },
    ]);
  });

  test("force takes the field over: the other applier loses it", () => {
    const first = apply(undefined, "a", config([{ name: "c", image: "x" }]));
    const forced = apply(first, "b", config([{ name: "c", image: "y" }]), true);
    assert.equal(containers(forced)[0]?.image, "y");
    assert.doesNotMatch(fieldsOfManager(forced, "a"), /f:image/);
    assert.match(fieldsOfManager(forced, "b"), /f:image/);
  });

  test("apply, update by another manager, re-apply: the updater owns what it changed and the re-apply conflicts with it", () => {
    const applied = apply(undefined, "a", config([{ name: "c", image: "x" }]));
    const next = structuredClone(applied);
    (containers(next)[0] as Container).image = "edited";
    recordUpdate(applied, next, "kubectl-edit", at("2026-01-01T00:01:00Z"));
    assert.deepEqual(managers(next), ["a/Apply", "kubectl-edit/Update"]);
    assert.doesNotMatch(fieldsOfManager(next, "a"), /f:image/);
    const c = conflictOf(() => apply(next, "a", config([{ name: "c", image: "x" }])));
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="c"].image');
  });

  test("a field the applier drops is removed, unless another applier owns it too", () => {
    const both = apply(undefined, "a", config([{ name: "c", image: "x", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }]));
    const dropped = apply(both, "a", config([{ name: "c", image: "x", env: [{ name: "A", value: "1" }] }]));
    assert.deepEqual(containers(dropped)[0]?.env, [{ name: "A", value: "1" }]);

    const coOwned = apply(both, "b", config([{ name: "c", env: [{ name: "B", value: "2" }] }]));
    const kept = apply(coOwned, "a", config([{ name: "c", image: "x", env: [{ name: "A", value: "1" }] }]));
    assert.deepEqual(containers(kept)[0]?.env, [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
    const gone = apply(kept, "a", config([{ name: "c", image: "x" }]));
    assert.deepEqual(containers(gone)[0]?.env, [{ name: "B", value: "2" }], "an item the other applier still owns stays");
  });

  test("list-map items owned by different appliers merge; dropping one's item removes only that item", () => {
    const a = apply(undefined, "a", config([{ name: "one", image: "x" }]));
    const ab = apply(a, "b", config([{ name: "two", image: "y" }]));
    assert.deepEqual(containers(ab).map((c) => c.name), ["one", "two"]);
    const onlyThree = apply(ab, "a", config([{ name: "three", image: "z" }]));
    assert.deepEqual(containers(onlyThree).map((c) => c.name), ["two", "three"]);
  });

  test("set lists (finalizers) merge item by item and drop only the applier's items", () => {
    const withFinalizers = (f: string[]): JsonObject => ({ ...config([{ name: "c", image: "x" }]), metadata: { name: "ds", finalizers: f } });
    const a = apply(undefined, "a", withFinalizers(["x"]));
    const ab = apply(a, "b", withFinalizers(["y"]));
    assert.deepEqual(ab.metadata?.finalizers, ["x", "y"]);
    assert.match(fieldsOfManager(ab, "b"), /v:\\"y\\"/);
    const dropped = apply(ab, "a", withFinalizers([]));
    assert.deepEqual(dropped.metadata?.finalizers, ["y"]);
  });

  test("atomic lists are owned and replaced whole", () => {
    const tolerations = (t: JsonObject[]): JsonObject => {
      const c = config([{ name: "c", image: "x" }]);
      ((c.spec as JsonObject).template as { spec: JsonObject }).spec.tolerations = t;
      return c;
    };
    const a = apply(undefined, "a", tolerations([{ key: "k", operator: "Exists" }]));
    assert.match(fieldsOfManager(a, "a"), /"f:tolerations":\{\}/);
    const c = conflictOf(() => apply(a, "b", tolerations([{ key: "other", operator: "Exists" }])));
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "a": .spec.template.spec.tolerations');
  });

  test("applying to an object without managedFields conflicts with before-first-apply", () => {
    const live = { ...config([{ name: "c", image: "x" }]), metadata: { name: "ds", namespace: "default", uid: "u" } } as KubeObject;
    const c = conflictOf(() => apply(live, "a", config([{ name: "c", image: "y" }])));
    assert.equal(c.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.template.spec.containers[name="c"].image');
  });

  test("kubectl's server-side apply may take fields its last-applied configuration still matches", () => {
    const live = config([{ name: "c", image: "x" }]) as KubeObject;
    live.metadata = { name: "ds", namespace: "default", annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify(config([{ name: "c", image: "x" }])) } };
    const created = structuredClone(live);
    delete created.metadata?.managedFields;
    recordUpdate(undefined, created, "kubectl-client-side-apply", scope);
    const taken = apply(created, "kubectl", config([{ name: "c", image: "y" }]));
    assert.equal(containers(taken)[0]?.image, "y");
    assert.match(taken.metadata?.annotations?.["kubectl.kubernetes.io/last-applied-configuration"] ?? "", /"image":"y"/);
    assert.throws(() => apply(created, "other", config([{ name: "c", image: "y" }])), (e: unknown) => e instanceof StatusError && e.code === 409);
  });

  test("undeclared fields and duplicate keys in a configuration are 400", () => {
    assert.throws(() => apply(undefined, "a", config([{ name: "c" }], { bogus: 1 })), (e: unknown) => e instanceof StatusError && e.code === 400 && /\.bogus: field not declared in schema/.test(e.message));
    assert.throws(() => apply(undefined, "a", config([{ name: "c" }, { name: "c" }])), (e: unknown) => e instanceof StatusError && e.code === 400 && /duplicate entries/.test(e.message));
    assert.throws(() => apply(undefined, "a", { ...config([]), metadata: { name: "ds", managedFields: [] } }), (e: unknown) => e instanceof StatusError && e.code === 400);
  });

  test("status is not owned through the main resource, and status writes record subresource status", () => {
    const o = apply(undefined, "a", config([{ name: "c", image: "x" }], { status: { numberReady: 1 } }));
    assert.doesNotMatch(fieldsOfManager(o, "a"), /status/);
    const next = structuredClone(o);
    next.status = { numberReady: 2 };
    recordUpdate(o, next, "kube-controller-manager", { ...scope, subresource: "status" });
    const entry = next.metadata?.managedFields?.find((e) => e.manager === "kube-controller-manager");
    assert.equal(entry?.subresource, "status");
    assert.deepEqual(entry?.fieldsV1, { "f:status": { "f:numberReady": {} } });
  });
});

describe("update operations", () => {
  const created = (): KubeObject => {
    const o = config([{ name: "c", image: "x" }]) as KubeObject;
    recordUpdate(undefined, o, "kubectl-create", scope);
    return o;
  };

  test("create owns what was sent; pointer structs new to the object are nodes of their own", () => {
    const o = config([{ name: "c", image: "x" }], {}) as KubeObject;
    (o.spec as JsonObject).updateStrategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } };
    recordUpdate(undefined, o, "kubectl-create", scope);
    assert.deepEqual(o.metadata?.managedFields?.[0]?.fieldsV1, {
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
          "f:spec": { "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:image": {}, "f:name": {} } } },
        },
        "f:updateStrategy": { "f:rollingUpdate": { ".": {}, "f:maxUnavailable": {} }, "f:type": {} },
      },
    });
  });

  test("updates by the same manager merge into one entry; another manager takes what it changes", () => {
    const o = created();
    const next = structuredClone(o);
    next.metadata = { ...next.metadata, labels: { x: "1" } };
    recordUpdate(o, next, "kubectl-create", at("2026-01-01T00:05:00Z"));
    assert.deepEqual(managers(next), ["kubectl-create/Update"]);
    assert.match(fieldsOfManager(next, "kubectl-create"), /f:x/);
    assert.equal(next.metadata?.managedFields?.[0]?.time, "2026-01-01T00:05:00Z");
    const edited = structuredClone(next);
    (containers(edited)[0] as Container).image = "y";
    recordUpdate(next, edited, "kubectl-edit", at("2026-01-01T00:06:00Z"));
    assert.deepEqual(managers(edited), ["kubectl-create/Update", "kubectl-edit/Update"]);
    assert.doesNotMatch(fieldsOfManager(edited, "kubectl-create"), /f:image/);
    assert.equal(fieldsOfManager(edited, "kubectl-edit"), '{"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{"f:image":{}}}}}}}');
  });

  test("an update that changes nothing leaves managedFields as they were", () => {
    const o = created();
    const same = structuredClone(o);
    recordUpdate(o, same, "someone", at("2026-02-02T00:00:00Z"));
    assert.deepEqual(same.metadata?.managedFields, o.metadata?.managedFields);
  });

  test("removed fields are taken from every manager", () => {
    const o = created();
    const next = structuredClone(o);
    delete (containers(next)[0] as Container).image;
    recordUpdate(o, next, "kubectl-edit", scope);
    assert.doesNotMatch(fieldsOfManager(next, "kubectl-create"), /f:image/);
    assert.deepEqual(managers(next), ["kubectl-create/Update"]);
  });

  test("managedFields: [] clears them, an object without managedFields stays without, garbage falls back to the stored ones", () => {
    const o = created();
    const reset = structuredClone(o);
    reset.metadata = { ...reset.metadata, managedFields: [] };
    recordUpdate(o, reset, "kubectl-patch", scope);
    assert.equal(reset.metadata?.managedFields, undefined);
    const later = structuredClone(reset);
    later.metadata = { ...later.metadata, labels: { z: "1" } };
    recordUpdate(reset, later, "kubectl-label", scope);
    assert.equal(later.metadata?.managedFields, undefined);
    const garbage = structuredClone(o);
    garbage.metadata = { ...garbage.metadata, managedFields: [{ manager: "x", operation: "Update", fieldsType: "Nonsense", fieldsV1: {} }] as never };
    recordUpdate(o, garbage, "kubectl-edit", scope);
    assert.deepEqual(garbage.metadata?.managedFields, o.metadata?.managedFields);
  });

  test("more than ten Update managers: the oldest merge into ancient-changes", () => {
    let o = created();
    for (let i = 0; i < 12; i++) {
      const next = structuredClone(o);
      next.metadata = { ...next.metadata, labels: { ...(next.metadata?.labels ?? {}), [`l${i}`]: "v" } };
      recordUpdate(o, next, `m${i}`, at(`2026-01-01T00:${String(10 + i).padStart(2, "0")}:00Z`));
      o = next;
    }
    const names = managers(o);
    assert.equal(names.length, 10);
    assert.ok(names.includes("ancient-changes/Update"), names.join());
    assert.match(fieldsOfManager(o, "ancient-changes"), /f:l0/);
  });
});
