import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPublicPath, parseRoute } from "./router.js";

/** A compact rendering of a route for table-driven assertions. */
function show(path: string): string {
  const r = parseRoute(path);
  if (r.type !== "resource") return r.type === "openapi-document" ? `openapi ${r.groupVersion}` : r.type === "resource-list" ? `resources ${r.group}/${r.version}` : r.type;
  return [r.resource.group || "core", r.resource.resource, r.namespace ?? "-", r.name ?? "-", r.subresource ?? "-"].join(" ");
}

describe("parseRoute", () => {
  const cases: [string, string][] = [
    ["/version", "version"],
    ["/healthz", "health"],
    ["/readyz/", "health"],
    ["/livez", "health"],
    ["/api", "discovery"],
    ["/apis", "discovery"],
    ["/api/v1", "resources /v1"],
    ["/apis/apps/v1", "resources apps/v1"],
    ["/apis/apps", "group"],
    ["/apis/policy/v1", "not-found"],
    ["/apis/apps/v2", "not-found"],
    ["/api/v2/pods", "not-found"],
    ["/openapi/v3", "openapi-index"],
    ["/openapi/v3/api/v1", "openapi v1"],
    ["/openapi/v3/apis/apps/v1", "openapi apps/v1"],
    ["/openapi/v2", "openapi-v2"],
    ["/api/v1/namespaces", "core namespaces - - -"],
    ["/api/v1/namespaces/kube-system", "core namespaces - kube-system -"],
    ["/api/v1/namespaces/kube-system/status", "core namespaces - kube-system status"],
    ["/api/v1/namespaces/kube-system/finalize", "not-found"],
    ["/api/v1/namespaces/default/pods", "core pods default - -"],
    ["/api/v1/namespaces/default/pods/p1", "core pods default p1 -"],
    ["/api/v1/namespaces/default/pods/p1/eviction", "core pods default p1 eviction"],
    ["/api/v1/namespaces/default/pods/p1/binding", "core pods default p1 binding"],
    ["/api/v1/namespaces/default/pods/p1/log", "core pods default p1 log"],
    ["/api/v1/namespaces/default/pods/p1/exec", "core pods default p1 exec"],
    ["/api/v1/namespaces/default/pods/p1/attach", "core pods default p1 attach"],
    ["/api/v1/namespaces/default/pods/p1/proxy", "not-found"],
    ["/api/v1/namespaces/default/pods/p1/status/x", "not-found"],
    ["/api/v1/pods", "core pods - - -"],
    ["/api/v1/pods/p1", "not-found"],
    ["/api/v1/nodes", "core nodes - - -"],
    ["/api/v1/nodes/n1/status", "core nodes - n1 status"],
    ["/api/v1/namespaces/default/nodes", "not-found"],
    ["/api/v1/namespaces/default/deployments", "not-found"],
    ["/api/v1/daemonsets", "not-found"],
    ["/apis/apps/v1/daemonsets", "apps daemonsets - - -"],
    ["/apis/apps/v1/namespaces/default/daemonsets/ds1/status", "apps daemonsets default ds1 status"],
    ["/apis/apps/v1/namespaces/default/daemonsets/ds1/scale", "not-found"],
    ["/apis/apps/v1/namespaces/default", "not-found"],
    ["/apis/apps/v1/namespaces", "not-found"],
    ["/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1", "coordination.k8s.io leases kube-node-lease n1 -"],
    ["/api/v1/namespaces//pods", "not-found"],
    ["/api/v1/namespaces/default/pods/a%2Fb", "core pods default a/b -"],
    ["/api/v1/namespaces/default/pods/%zz", "not-found"],
    ["/foo", "not-found"],
  ];
  for (const [path, want] of cases) test(path, () => assert.equal(show(path), want));
  test("nodes/<name>/proxy keeps the rest of the path, encoded, for the agent", () => {
    const at = (path: string): string | undefined => { const r = parseRoute(path); return r.type === "resource" ? `${r.name ?? ""} ${r.subresource ?? ""} ${r.proxyPath ?? ""}` : r.type; };
    assert.equal(at("/api/v1/nodes/n1/proxy"), "n1 proxy /");
    assert.equal(at("/api/v1/nodes/n1/proxy/healthz"), "n1 proxy /healthz");
    assert.equal(at("/api/v1/nodes/n1/proxy/containerLogs/ns/p%20q/c"), "n1 proxy /containerLogs/ns/p%20q/c");
    assert.equal(at("/api/v1/nodes/n%ZZ/proxy/x"), "not-found");
  });
});

test("public paths are health and version only", () => {
  for (const p of ["/version", "/healthz", "/livez", "/readyz", "/readyz/ping"]) assert.equal(isPublicPath(p), true, p);
  for (const p of ["/api", "/apis", "/api/v1/pods", "/openapi/v3", "/versions"]) assert.equal(isPublicPath(p), false, p);
});
