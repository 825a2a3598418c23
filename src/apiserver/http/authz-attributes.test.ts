import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findResource } from "../../api/resources.js";
import { deniedError, requestAttributes, type RequestAttributes } from "./authz-attributes.js";
import { parseRoute, type ResourceRoute } from "./router.js";

const user = { name: "system:node:node-1", groups: ["system:nodes"] };

function attrs(method: string, url: string): RequestAttributes {
  const [path = "", query = ""] = url.split("?");
  const route = parseRoute(path);
  assert.equal(route.type, "resource", url);
  return requestAttributes(user, method, route as ResourceRoute, new URLSearchParams(query));
}

describe("requestAttributes", () => {
  const cases: [string, string, Partial<RequestAttributes> & { resourceName: string }][] = [
    ["GET", "/api/v1/nodes", { verb: "list", resourceName: "nodes", name: undefined, namespace: undefined }],
    ["HEAD", "/api/v1/nodes", { verb: "list", resourceName: "nodes" }],
    ["GET", "/api/v1/nodes?watch=true", { verb: "watch", resourceName: "nodes" }],
    ["GET", "/api/v1/nodes?watch=0", { verb: "list", resourceName: "nodes" }],
    ["GET", "/api/v1/nodes/n1", { verb: "get", name: "n1", resourceName: "nodes" }],
    ["GET", "/api/v1/nodes/n1?watch=1", { verb: "watch", name: "n1", resourceName: "nodes" }],
    ["GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp1", { verb: "list", name: "p1", namespace: "default", resourceName: "pods" }],
    ["GET", "/api/v1/pods?watch=1&fieldSelector=metadata.name%3D%3Dp1", { verb: "watch", name: "p1", namespace: undefined, resourceName: "pods" }],
    ["GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name!%3Dp1", { verb: "list", name: undefined, resourceName: "pods" }],
    ["GET", "/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3D..", { verb: "list", name: undefined, resourceName: "pods" }],
    ["POST", "/api/v1/namespaces", { verb: "create", namespace: undefined, name: undefined, resourceName: "namespaces" }],
    ["GET", "/api/v1/namespaces/foo", { verb: "get", namespace: "foo", name: "foo", resourceName: "namespaces" }],
    ["DELETE", "/api/v1/namespaces/default/pods", { verb: "deletecollection", namespace: "default", resourceName: "pods" }],
    ["DELETE", "/api/v1/namespaces/default/pods/p", { verb: "delete", name: "p", resourceName: "pods" }],
    ["PUT", "/api/v1/nodes/n1/status", { verb: "update", name: "n1", subresource: "status", resourceName: "nodes" }],
    ["PATCH", "/apis/apps/v1/namespaces/default/daemonsets/ds", { verb: "patch", name: "ds", namespace: "default", resourceName: "daemonsets" }],
    ["POST", "/api/v1/namespaces/default/pods/p/eviction", { verb: "create", name: "p", subresource: "eviction", resourceName: "pods" }],
    ["OPTIONS", "/api/v1/nodes", { verb: "options", resourceName: "nodes" }],
  ];
  for (const [method, url, want] of cases) {
    test(`${method} ${url}`, () => {
      const got = attrs(method, url);
      const { resourceName, ...rest } = want;
      assert.equal(got.resource.resource, resourceName);
      for (const [key, value] of Object.entries(rest)) assert.equal(got[key as keyof RequestAttributes], value, key);
    });
  }

  test("the field selector is parsed (aliases canonical); an unparsable one reads as none", () => {
    assert.deepEqual(attrs("GET", "/api/v1/pods?fieldSelector=spec.host%3Dnode-1").fieldSelector, [{ field: "spec.nodeName", operator: "=", value: "node-1" }]);
    assert.deepEqual(attrs("GET", "/api/v1/pods?fieldSelector=bogus%3Dx").fieldSelector, []);
    assert.deepEqual(attrs("GET", "/api/v1/pods?fieldSelector=%3D%3D%3D").fieldSelector, []);
  });
});

describe("deniedError", () => {
  const resource = (group: string, name: string) => {
    const r = findResource(group, name);
    assert.ok(r);
    return r;
  };
  const cases: [Omit<RequestAttributes, "user" | "fieldSelector">, string, string][] = [
    [{ verb: "create", resource: resource("", "namespaces"), subresource: undefined, namespace: undefined, name: undefined }, "",
      'namespaces is forbidden: User "system:node:node-1" cannot create resource "namespaces" in API group "" at the cluster scope'],
    [{ verb: "list", resource: resource("apps", "daemonsets"), subresource: undefined, namespace: "default", name: undefined }, "",
      'daemonsets.apps is forbidden: User "system:node:node-1" cannot list resource "daemonsets" in API group "apps" in the namespace "default"'],
    [{ verb: "get", resource: resource("", "pods"), subresource: undefined, namespace: "default", name: "p" }, "no relationship found",
      'pods "p" is forbidden: User "system:node:node-1" cannot get resource "pods" in API group "" in the namespace "default": no relationship found'],
    [{ verb: "update", resource: resource("", "nodes"), subresource: "status", namespace: undefined, name: "n" }, "",
      'nodes "n" is forbidden: User "system:node:node-1" cannot update resource "nodes/status" in API group "" at the cluster scope'],
  ];
  for (const [a, reason, message] of cases) {
    test(message, () => {
      const err = deniedError({ ...a, user, fieldSelector: [] }, reason);
      assert.equal(err.code, 403);
      assert.equal(err.reason, "Forbidden");
      assert.equal(err.message, message);
      assert.deepEqual(err.status.details, a.name ? { name: a.name, group: a.resource.group, kind: a.resource.resource } : { group: a.resource.group, kind: a.resource.resource });
    });
  }
});
