import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { applyDefaults, validateCreate, validateStatusUpdate, validateUpdate } from "./admission.js";
import { findResource, findResourceByKind, resources, type ResourceInfo } from "./resources.js";
import { fieldErrorString, type FieldError } from "./status-error.js";
import type { KubeObject } from "./types.js";

type Obj = Record<string, any>;
const render = (errs: FieldError[]) => errs.map(fieldErrorString);

function resource(group: string, plural: string): ResourceInfo {
  const r = findResource(group, plural);
  assert.ok(r, `${group}/${plural} is served`);
  return r;
}

/** The seeds' manifests, shipped unchanged with the end-to-end tests. */
const fixturesDir = new URL("../../src/e2e/fixtures/", import.meta.url);

/** Every API object of every fixture manifest, with its file name. */
function fixtureManifests(): Array<{ file: string; doc: unknown }> {
  const out: Array<{ file: string; doc: unknown }> = [];
  for (const file of readdirSync(fixturesDir).filter((f) => f.endsWith(".yaml")).sort()) {
    for (const doc of parseAllDocuments(readFileSync(new URL(file, fixturesDir), "utf8"))) out.push({ file, doc: doc.toJS() });
  }
  return out;
}

describe("seed manifests", () => {
  test("every manifest of the fixtures is valid after defaults", () => {
    const manifests = fixtureManifests();
    assert.deepEqual([...new Set(manifests.map((m) => m.file))], [
      "daemon-set-definition.yaml", "demo.yaml", "fluentd-daemonset.yaml", "fluentd-kube-system.yaml", "logging-agent.yaml", "nginx-daemonset.yaml", "node-exporter.yaml", "node.yaml",
    ]);
    for (const { file, doc } of manifests) {
      const obj = doc as KubeObject;
      const r = findResourceByKind(obj.apiVersion ?? "", obj.kind ?? "");
      assert.ok(r, `${file}: ${obj.apiVersion} ${obj.kind} is served`);
      if (r.namespaced) obj.metadata = { namespace: "default", ...obj.metadata };
      applyDefaults(r, obj);
      assert.deepEqual(render(validateCreate(r, obj)), [], `${file}: ${obj.metadata?.name}`);
    }
  });
});

describe("validateCreate", () => {
  test("a pod with every field of the wrong type never throws", () => {
    const pods = resource("", "pods");
    const weird: Obj = {
      metadata: { name: 5, namespace: [], labels: "x", annotations: 7, ownerReferences: {}, finalizers: "f" },
      spec: {
        containers: [{ name: 1, image: {}, ports: "p", env: {}, resources: { limits: [] }, volumeMounts: 3 }, "c"],
        volumes: { a: 1 }, tolerations: "t", affinity: [], nodeSelector: [], restartPolicy: 1, dnsPolicy: true,
        terminationGracePeriodSeconds: "30", hostNetwork: "yes",
      },
      status: 3,
    };
    applyDefaults(pods, weird as KubeObject);
    // Defaults fill what is absent and leave values of the wrong type for validation to report.
    assert.equal(weird.spec.schedulerName, "default-scheduler");
    assert.equal(weird.spec.restartPolicy, 1);
    assert.equal(weird.spec.dnsPolicy, true);
    assert.equal(weird.spec.terminationGracePeriodSeconds, "30");
    assert.equal(weird.spec.containers[0].terminationMessagePath, "/dev/termination-log");
    assert.equal(weird.spec.containers[1], "c");
    assert.equal(weird.status, 3);
    const errs = validateCreate(pods, weird as KubeObject);
    assert.ok(errs.length > 5);
    assert.ok(errs.some((e) => e.type === "FieldValueTypeInvalid" && e.field === "spec.containers[0].name"));
    assert.ok(errs.some((e) => e.field === "spec.terminationGracePeriodSeconds" && e.detail.includes("must be of type integer")));
  });

  test("every served resource tolerates garbage", () => {
    const garbage: unknown[] = [{}, { metadata: null, spec: 1, status: "x" }, { metadata: { name: "a" }, spec: [1, 2] }, { data: null, revision: "1" }];
    for (const r of resources) {
      for (const g of garbage) {
        const obj = structuredClone(g) as KubeObject;
        assert.doesNotThrow(() => applyDefaults(r, obj));
        assert.doesNotThrow(() => validateCreate(r, obj));
        assert.doesNotThrow(() => validateUpdate(r, obj, {}));
        assert.doesNotThrow(() => validateStatusUpdate(r, obj, structuredClone(obj)));
      }
      assert.deepEqual(render(validateCreate(r, "nope" as never)), ["Invalid value: \"nope\": must be of type object"]);
    }
  });

  test("name is required unless generated, and namespaced resources need a namespace", () => {
    const ds = resource("apps", "daemonsets");
    assert.deepEqual(render(validateCreate(ds, { metadata: {} })).slice(0, 2), [
      "metadata.name: Required value: name or generateName is required",
      "metadata.namespace: Required value",
    ]);
  });

  test("event names only need to be path segments", () => {
    const events = resource("", "events");
    const event = { metadata: { name: "pod-1.17a0c0ffee", namespace: "default" }, involvedObject: { kind: "Pod", name: "p", namespace: "default" } };
    applyDefaults(events, event);
    assert.deepEqual(render(validateCreate(events, event)), []);
    const bad = { ...event, metadata: { name: "a/b", namespace: "default" } };
    assert.deepEqual(render(validateCreate(events, bad)), ["metadata.name: Invalid value: \"a/b\": may not contain '/'"]);
  });

  test("namespaces get their name label and pass", () => {
    const namespaces = resource("", "namespaces");
    const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } };
    applyDefaults(namespaces, ns);
    assert.equal(ns.metadata?.labels?.["kubernetes.io/metadata.name"], "team-a");
    assert.deepEqual(render(validateCreate(namespaces, ns)), []);
  });
});

describe("validateUpdate and validateStatusUpdate", () => {
  const daemonSets = resource("apps", "daemonsets");
  const stored = (): KubeObject => {
    const ds: KubeObject = {
      apiVersion: "apps/v1", kind: "DaemonSet",
      metadata: { name: "x", namespace: "default", uid: "u1", resourceVersion: "10", generation: 1 },
      spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } },
    };
    applyDefaults(daemonSets, ds);
    return ds;
  };

  test("errors are reported once even when several rules find them", () => {
    const next = stored();
    (next.spec as Obj).minReadySeconds = -1;
    next.metadata = { ...next.metadata, name: "y" };
    assert.deepEqual(render(validateUpdate(daemonSets, next, stored())), [
      "metadata.name: Invalid value: \"y\": field is immutable",
      "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });

  test("resourceVersion must be set for updates", () => {
    const next = stored();
    const { resourceVersion: _removed, ...rest } = next.metadata ?? {};
    next.metadata = rest;
    assert.deepEqual(render(validateUpdate(daemonSets, next, stored())), ["metadata.resourceVersion: Invalid value: \"\": must be specified for an update"]);
  });

  test("status subresource validates status", () => {
    const next = stored();
    next.status = { ...(next.status as Obj), numberReady: -2 };
    assert.deepEqual(render(validateStatusUpdate(daemonSets, next, stored())), ["status.numberReady: Invalid value: -2: must be greater than or equal to 0"]);
  });

  test("pod spec is immutable through the main resource", () => {
    const pods = resource("", "pods");
    const pod: KubeObject = { metadata: { name: "p", namespace: "default", resourceVersion: "1" }, spec: { containers: [{ name: "c", image: "x:1" }] } };
    applyDefaults(pods, pod);
    const next = structuredClone(pod);
    (next.spec as Obj).restartPolicy = "Never";
    const errs = validateUpdate(pods, next, pod);
    assert.equal(errs.length, 1);
    assert.match(errs[0]?.detail ?? "", /^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
  });
});
