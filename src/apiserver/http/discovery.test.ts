import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestApi, type TestApi } from "./testing/api-fixture.js";

const kubectlDiscoveryAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const aggregatedType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

describe("version, health and discovery", () => {
  let api: TestApi;
  before(async () => { api = await startTestApi(); });
  after(async () => { await api.close(); });

  test("version reports 1.32", async () => {
    const r = await api.call("GET", "/version?timeout=5s");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/json");
    const v = await r.json() as Record<string, string>;
    assert.equal(v.major, "1");
    assert.equal(v.minor, "32");
    assert.equal(v.gitVersion, "v1.32.0-everynode");
    assert.equal(v.platform, "linux/amd64");
  });

  test("health endpoints answer ok", async () => {
    for (const p of ["/healthz", "/livez", "/readyz"]) {
      const r = await api.call("GET", p);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), "ok");
    }
  });

  test("aggregated /api with its exact content type", async () => {
    const r = await api.call("GET", "/api", undefined, { accept: kubectlDiscoveryAccept });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), aggregatedType);
    const body = await r.json() as any;
    assert.equal(body.kind, "APIGroupDiscoveryList");
    assert.equal(body.apiVersion, "apidiscovery.k8s.io/v2");
    assert.equal(body.items.length, 1);
    const v1 = body.items[0].versions[0];
    assert.equal(v1.version, "v1");
    assert.equal(v1.freshness, "Current");
    const pods = v1.resources.find((x: any) => x.resource === "pods");
    assert.deepEqual(pods, {
      resource: "pods",
      responseKind: { group: "", version: "v1", kind: "Pod" },
      scope: "Namespaced",
      singularResource: "pod",
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["po"],
      categories: ["all"],
      subresources: [
        { subresource: "status", responseKind: { group: "", version: "v1", kind: "Pod" }, verbs: ["get", "patch", "update"] },
        { subresource: "binding", responseKind: { group: "", version: "v1", kind: "Binding" }, verbs: ["create"] },
        { subresource: "eviction", responseKind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] },
        { subresource: "log", responseKind: { group: "", version: "v1", kind: "Pod" }, verbs: ["get"] },
        { subresource: "portforward", responseKind: { group: "", version: "v1", kind: "PodPortForwardOptions" }, verbs: ["create", "get"] },
        { subresource: "exec", responseKind: { group: "", version: "v1", kind: "PodExecOptions" }, verbs: ["create", "get"] },
        { subresource: "attach", responseKind: { group: "", version: "v1", kind: "PodAttachOptions" }, verbs: ["create", "get"] },
      ],
    });
    const nodes = v1.resources.find((x: any) => x.resource === "nodes");
    assert.equal(nodes.scope, "Cluster");
    assert.deepEqual(nodes.shortNames, ["no"]);
  });

  test("aggregated /apis lists the served groups in upstream order", async () => {
    const r = await api.call("GET", "/apis", undefined, { accept: kubectlDiscoveryAccept });
    assert.equal(r.headers.get("content-type"), aggregatedType);
    const body = await r.json() as any;
    assert.deepEqual(body.items.map((g: any) => g.metadata.name), ["apps", "rbac.authorization.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "everynode.dev"]);
    const apps = body.items[0].versions[0];
    assert.equal(apps.version, "v1");
    const ds = apps.resources.find((x: any) => x.resource === "daemonsets");
    assert.deepEqual(ds.shortNames, ["ds"]);
    assert.deepEqual(ds.categories, ["all"]);
    assert.equal(ds.scope, "Namespaced");
    assert.equal(ds.singularResource, "daemonset");
    assert.deepEqual(ds.subresources, [{ subresource: "status", responseKind: { group: "apps", version: "v1", kind: "DaemonSet" }, verbs: ["get", "patch", "update"] }]);
  });

  test("aggregated discovery honours If-None-Match", async () => {
    const first = await api.call("GET", "/apis", undefined, { accept: kubectlDiscoveryAccept });
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const again = await api.call("GET", "/apis", undefined, { accept: kubectlDiscoveryAccept, "if-none-match": etag });
    assert.equal(again.status, 304);
  });

  test("legacy discovery without the aggregated Accept", async () => {
    const api1 = await (await api.call("GET", "/api", undefined, { accept: "application/json" })).json() as any;
    assert.equal(api1.kind, "APIVersions");
    assert.deepEqual(api1.versions, ["v1"]);
    const r = await api.call("GET", "/apis");
    assert.equal(r.headers.get("content-type"), "application/json");
    const groups = await r.json() as any;
    assert.equal(groups.kind, "APIGroupList");
    assert.deepEqual(groups.groups[0], { name: "apps", versions: [{ groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } });
    const group = await (await api.call("GET", "/apis/coordination.k8s.io")).json() as any;
    assert.equal(group.kind, "APIGroup");
    assert.equal(group.preferredVersion.groupVersion, "coordination.k8s.io/v1");
  });

  test("APIResourceLists carry subresources, eviction in policy/v1", async () => {
    const core = await (await api.call("GET", "/api/v1")).json() as any;
    assert.equal(core.kind, "APIResourceList");
    assert.equal(core.groupVersion, "v1");
    const byName = new Map<string, any>(core.resources.map((x: any) => [x.name, x]));
    assert.deepEqual(byName.get("pods/eviction"), { name: "pods/eviction", singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] });
    assert.deepEqual(byName.get("pods/status"), { name: "pods/status", singularName: "", namespaced: true, kind: "Pod", verbs: ["get", "patch", "update"] });
    assert.deepEqual(byName.get("pods/binding"), { name: "pods/binding", singularName: "", namespaced: true, kind: "Binding", verbs: ["create"] });
    assert.equal(byName.get("namespaces")?.namespaced, false);
    assert.deepEqual(byName.get("pods")?.shortNames, ["po"]);
    const apps = await (await api.call("GET", "/apis/apps/v1")).json() as any;
    assert.equal(apps.groupVersion, "apps/v1");
    assert.deepEqual(apps.resources.map((x: any) => x.name), ["controllerrevisions", "daemonsets", "daemonsets/status"]);
    const leases = await (await api.call("GET", "/apis/coordination.k8s.io/v1")).json() as any;
    assert.deepEqual(leases.resources.map((x: any) => x.name), ["leases"]);
  });

  test("OpenAPI v3 index and documents; v2 in JSON and protobuf", async () => {
    const index = await (await api.call("GET", "/openapi/v3")).json() as any;
    assert.deepEqual(Object.keys(index.paths).sort(), ["api/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/everynode.dev/v1alpha1", "apis/rbac.authorization.k8s.io/v1", "apis/scheduling.k8s.io/v1"]);
    const url = index.paths["apis/apps/v1"].serverRelativeURL as string;
    const doc = await api.call("GET", url);
    assert.equal(doc.status, 200);
    assert.equal(doc.headers.get("content-type"), "application/json");
    assert.match(doc.headers.get("cache-control") ?? "", /immutable/);
    const body = await doc.json() as any;
    assert.equal(body.openapi, "3.0.0");
    const stale = await api.call("GET", "/openapi/v3/apis/apps/v1?hash=OLD", undefined, {});
    assert.equal(stale.status, 200, "fetch follows the redirect to the current hash");
    assert.ok(stale.redirected);
    assert.equal((await api.call("GET", "/openapi/v3/apis/policy/v1")).status, 404);
    const v2 = await api.call("GET", "/openapi/v2");
    assert.equal(v2.status, 200);
    const swagger = await v2.json() as any;
    assert.equal(swagger.swagger, "2.0");
    assert.deepEqual(swagger.paths, {});
    const ds = swagger.definitions["io.k8s.api.apps.v1.DaemonSet"];
    assert.deepEqual(ds["x-kubernetes-group-version-kind"], [{ group: "apps", kind: "DaemonSet", version: "v1" }]);
    assert.equal(ds.properties.metadata.$ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert.equal(swagger.definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"].type, "string");
    assert.doesNotMatch(JSON.stringify(swagger), /components\/schemas|"oneOf"|"allOf"/);
    const pb = await api.call("GET", "/openapi/v2", undefined, { accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers.get("content-type"), "application/octet-stream");
    const bytes = new Uint8Array(await pb.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 5)], [0x0a, 3, 0x32, 0x2e, 0x30], "field 1 (swagger) = \"2.0\"");
  });

  test("unknown paths are 404 Status, wrong methods 405", async () => {
    for (const p of ["/apis/extensions/v1beta1", "/api/v1/namespaces/default/deployments", "/foo", "/apis/apps/v1/namespaces/default/daemonsets/x/scale"]) {
      const r = await api.call("GET", p);
      assert.equal(r.status, 404, p);
      assert.deepEqual(await r.json(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server could not find the requested resource", reason: "NotFound", details: {}, code: 404 });
    }
    const r = await api.call("POST", "/api");
    assert.equal(r.status, 405);
    assert.equal((await r.json() as any).reason, "MethodNotAllowed");
  });
});
