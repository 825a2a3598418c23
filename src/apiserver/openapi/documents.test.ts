import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { OpenApiDocuments, documentHash, openApiDocument, openApiIndex, servedGroupVersion } from "./documents.js";
import { groupVersion, resources } from "../../api/resources.js";

type Obj = Record<string, any>;

const docs = new OpenApiDocuments();

function doc(gv: string): Obj {
  const text = docs.documentJson(gv);
  assert.ok(text, gv);
  return JSON.parse(text) as Obj;
}

/** Follows a `$ref` (directly or through allOf) to the named schema. */
function refName(schema: Obj): string | undefined {
  const ref = (schema.$ref ?? schema.allOf?.[0]?.$ref) as string | undefined;
  return ref?.replace("#/components/schemas/", "");
}

function allRefs(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => allRefs(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.add(v.replace("#/components/schemas/", ""));
      else allRefs(v, out);
    }
  }
  return out;
}

void describe("openApiIndex", () => {
  void test("lists exactly the served group-versions, with hashes of the served documents", () => {
    const index = openApiIndex() as Obj;
    assert.deepEqual(Object.keys(index.paths).sort(), ["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/everynode.dev/v1alpha1", "apis/rbac.authorization.k8s.io/v1", "apis/scheduling.k8s.io/v1"]);
    const served = new Set(resources.map((r) => groupVersion(r)));
    assert.equal(Object.keys(index.paths).length, served.size);
    for (const [path, entry] of Object.entries(index.paths as Record<string, Obj>)) {
      const hash = documentHash(docs.documentJson(path) as string);
      assert.equal(entry.serverRelativeURL, `/openapi/v3/${path}?hash=${hash}`);
      assert.match(hash, /^[0-9A-F]{128}$/);
      assert.equal(docs.documentHash(path), hash);
    }
    assert.deepEqual(JSON.parse(docs.indexJson()), index);
  });
});

void describe("openApiDocument", () => {
  void test("group-version spellings", () => {
    for (const [name, gv] of [["api/v1", "v1"], ["v1", "v1"], ["/openapi/v3/apis/apps/v1", "apps/v1"], ["apps/v1", "apps/v1"], ["apis/coordination.k8s.io/v1", "coordination.k8s.io/v1"]]) {
      assert.equal(servedGroupVersion(name as string), gv, name);
    }
    for (const name of ["apis/batch/v1", "apis/apps", "api", "", "apps/v2"]) {
      assert.equal(servedGroupVersion(name), undefined, name);
      assert.equal(openApiDocument(name), undefined);
      assert.equal(docs.documentJson(name), undefined);
    }
  });

  void test("the cached serialization equals a fresh build", () => {
    for (const gv of ["v1", "apps/v1", "coordination.k8s.io/v1"]) assert.equal(docs.documentJson(gv), JSON.stringify(openApiDocument(gv)));
  });

  for (const r of resources) {
    const gv = groupVersion(r);
    void test(`${r.resource}: PATCH operations kubectl's strict validation accepts`, () => {
      const d = doc(gv);
      assert.equal(d.openapi, "3.0.0");
      const patches = Object.entries(d.paths as Record<string, Obj>)
        .filter(([, item]) => item.patch?.["x-kubernetes-group-version-kind"]?.kind === r.kind);
      assert.ok(patches.length >= 1);
      for (const [path, item] of patches) {
        const op = item.patch as Obj;
        assert.deepEqual(op["x-kubernetes-group-version-kind"], { group: r.group, kind: r.kind, version: r.version }, path);
        assert.equal(op["x-kubernetes-action"], "patch");
        const names = (op.parameters as Obj[]).filter((p) => p.in === "query").map((p) => p.name);
        for (const p of ["fieldValidation", "fieldManager", "dryRun", "force"]) assert.ok(names.includes(p), `${path} ${p}`);
        assert.equal(op.requestBody, undefined, path);
      }
    });

    void test(`${r.resource}: operations carry gvk and action, and reference existing schemas`, () => {
      const d = doc(gv);
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}` : `${base}/${r.resource}`;
      const item = d.paths[`${collection}/{name}`] as Obj;
      assert.ok(item, `${collection}/{name}`);
      for (const method of ["get", "put", "patch", "delete"]) {
        assert.ok(item[method], method);
        assert.ok(item[method]["x-kubernetes-action"]);
        assert.ok(item[method]["x-kubernetes-group-version-kind"]);
      }
      assert.equal(d.paths[collection].post["x-kubernetes-action"], "post");
      assert.equal(d.paths[collection].get["x-kubernetes-action"], "list");
      assert.equal(refName(item.get.responses["200"].content["application/json"].schema), `${schemaPrefix(r.group)}.${r.kind}`);
      const schemas = d.components.schemas as Obj;
      for (const name of allRefs(d, new Set())) assert.ok(schemas[name], `dangling $ref ${name}`);
    });

    void test(`${r.resource}: top schema has x-kubernetes-group-version-kind and properties for explain`, () => {
      const schemas = doc(gv).components.schemas as Obj;
      const top = schemas[`${schemaPrefix(r.group)}.${r.kind}`] as Obj;
      assert.deepEqual(top["x-kubernetes-group-version-kind"], [{ group: r.group, kind: r.kind, version: r.version }]);
      assert.equal(top.type, "object");
      assert.ok(top.description.length > 0);
      assert.equal(refName(top.properties.metadata), "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
      assert.ok(schemas[`${schemaPrefix(r.group)}.${r.listKind}`]);
    });
  }

  void test("DaemonSet details: allOf refs, list extensions, leaf schemas", () => {
    const schemas = doc("apps/v1").components.schemas as Obj;
    const spec = schemas["io.k8s.api.apps.v1.DaemonSetSpec"] as Obj;
    assert.deepEqual(spec.properties.template.allOf, [{ $ref: "#/components/schemas/io.k8s.api.core.v1.PodTemplateSpec" }]);
    assert.deepEqual(spec.properties.minReadySeconds.type, "integer");
    assert.deepEqual(spec.properties.minReadySeconds.format, "int32");
    assert.deepEqual(spec.required, ["selector", "template"]);
    const containers = schemas["io.k8s.api.core.v1.PodSpec"].properties.containers as Obj;
    assert.equal(containers.type, "array");
    assert.equal(containers["x-kubernetes-patch-merge-key"], "name");
    assert.equal(containers["x-kubernetes-patch-strategy"], "merge");
    assert.deepEqual(containers.items, { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" });
    assert.deepEqual(schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].oneOf, [{ type: "integer" }, { type: "string" }]);
    assert.equal(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.Time"].format, "date-time");
    assert.equal(schemas["io.k8s.apimachinery.pkg.runtime.RawExtension"].type, "object");
    const labels = schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties.labels as Obj;
    assert.deepEqual(labels.additionalProperties, { type: "string" });
  });

  void test("pods subresources: binding and eviction", () => {
    const d = doc("v1");
    const eviction = d.paths["/api/v1/namespaces/{namespace}/pods/{name}/eviction"].post as Obj;
    assert.deepEqual(eviction["x-kubernetes-group-version-kind"], { group: "policy", kind: "Eviction", version: "v1" });
    assert.ok(d.components.schemas["io.k8s.api.policy.v1.Eviction"]);
    const binding = d.paths["/api/v1/namespaces/{namespace}/pods/{name}/binding"].post as Obj;
    assert.deepEqual(binding["x-kubernetes-group-version-kind"], { group: "", kind: "Binding", version: "v1" });
    assert.equal(d.paths["/api/v1/namespaces"].delete, undefined, "namespaces have no deletecollection");
    const token = d.paths["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"].post as Obj;
    assert.deepEqual(token["x-kubernetes-group-version-kind"], { group: "authentication.k8s.io", kind: "TokenRequest", version: "v1" });
    assert.equal(token.operationId, "createCoreV1NamespacedServiceAccountToken");
    assert.ok(d.components.schemas["io.k8s.api.authentication.v1.TokenRequest"]);
  });
});

function schemaPrefix(group: string): string {
  if (group === "everynode.dev") return "dev.everynode.v1alpha1";
  return group === "" ? "io.k8s.api.core.v1" : `io.k8s.api.${group.split(".")[0]}.v1`;
}
