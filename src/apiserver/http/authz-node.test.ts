import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { UserInfo } from "./auth.js";
import { requestAttributes } from "./authz-attributes.js";
import { nodeIdentity, nodeUser } from "./authz-node.js";
import { authorize } from "./authz.js";
import { parseRoute, type ResourceRoute } from "./router.js";

const admin: UserInfo = { name: "admin", groups: ["system:masters"] };
const node1 = nodeUser("node-1");
const other: UserInfo = { name: "jane", groups: ["developers"] };
const nameless: UserInfo = { name: "system:node:", groups: ["system:nodes"] };

/** Pods and the nodes they are bound to. */
const bindings: Record<string, string> = { "default/mine": "node-1", "default/theirs": "node-2", "default/unbound": "" };
const podBinding = async (namespace: string, name: string): Promise<string | undefined> => bindings[`${namespace}/${name}`];

async function decide(user: UserInfo, method: string, url: string): Promise<true | string> {
  const [path = "", query = ""] = url.split("?");
  const route = parseRoute(path);
  assert.equal(route.type, "resource", url);
  const decision = await authorize(requestAttributes(user, method, route as ResourceRoute, new URLSearchParams(query)), podBinding);
  return decision.allowed ? true : decision.reason;
}

const pods = "/api/v1/namespaces/default/pods";
const leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

/** [user, method, url, expected: true = allowed, else the denial's reason]. */
const table: [UserInfo, string, string, true | string][] = [
  [admin, "DELETE", "/api/v1/namespaces/kube-system", true],
  [admin, "POST", "/apis/apps/v1/namespaces/default/daemonsets", true],
  [admin, "GET", "/api/v1/pods", true],
  [other, "GET", "/api/v1/nodes", ""],
  [other, "GET", `${pods}/mine`, ""],
  [nameless, "GET", "/api/v1/nodes", 'unknown node for user "system:node:"'],
  // nodes
  [node1, "GET", "/api/v1/nodes", true],
  [node1, "GET", "/api/v1/nodes?watch=1", true],
  [node1, "GET", "/api/v1/nodes/node-2", true],
  [node1, "POST", "/api/v1/nodes", true],
  [node1, "PUT", "/api/v1/nodes/node-2", true], // NodeRestriction admission decides
  [node1, "PATCH", "/api/v1/nodes/node-1", true],
  [node1, "PATCH", "/api/v1/nodes/node-1/status", true],
  [node1, "PUT", "/api/v1/nodes/node-1/status", true],
  [node1, "GET", "/api/v1/nodes/node-1/status", ""],
  [node1, "DELETE", "/api/v1/nodes/node-1", ""],
  [node1, "DELETE", "/api/v1/nodes", ""],
  // pods
  [node1, "GET", `${pods}/mine`, true],
  [node1, "GET", `${pods}/theirs`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", `${pods}/unbound`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", `${pods}/missing`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", "/api/v1/pods", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", pods, "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", true],
  [node1, "GET", "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3D%3Dnode-1,status.phase!%3DFailed", true],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.host%3Dnode-1", true],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName!%3Dnode-1", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", `${pods}?fieldSelector=metadata.name%3Dmine`, true],
  [node1, "GET", `${pods}?fieldSelector=metadata.name%3Dtheirs`, "no relationship found between node 'node-1' and this object"],
  [node1, "POST", pods, true], // mirror pods; NodeRestriction admission decides
  [node1, "DELETE", `${pods}/theirs`, true], // NodeRestriction admission decides
  [node1, "DELETE", pods, ""],
  [node1, "PUT", `${pods}/mine`, ""],
  [node1, "PATCH", `${pods}/mine`, ""],
  [node1, "PATCH", `${pods}/mine/status`, true],
  [node1, "PUT", `${pods}/theirs/status`, true], // NodeRestriction admission decides
  [node1, "GET", `${pods}/mine/status`, ""],
  [node1, "POST", `${pods}/mine/eviction`, true],
  [node1, "POST", `${pods}/mine/binding`, ""],
  // leases
  [node1, "GET", `${leases}/node-1`, true],
  [node1, "PUT", `${leases}/node-1`, true],
  [node1, "PATCH", `${leases}/node-1`, true],
  [node1, "DELETE", `${leases}/node-1`, true],
  [node1, "POST", leases, true], // the name is checked by admission
  [node1, "GET", `${leases}/node-2`, "can only access node lease with the same name as the requesting node"],
  [node1, "GET", leases, "can only get, create, update, patch, or delete a node lease"],
  [node1, "GET", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/node-1", 'can only access leases in the "kube-node-lease" system namespace'],
  // events
  [node1, "POST", "/api/v1/namespaces/default/events", true],
  [node1, "PATCH", "/api/v1/namespaces/default/events/e", true],
  [node1, "PUT", "/api/v1/namespaces/default/events/e", true],
  [node1, "GET", "/api/v1/namespaces/default/events", ""],
  [node1, "DELETE", "/api/v1/namespaces/default/events/e", ""],
  // everything else
  [node1, "GET", "/api/v1/namespaces", ""],
  [node1, "POST", "/api/v1/namespaces", ""],
  [node1, "GET", "/apis/apps/v1/namespaces/default/daemonsets", ""],
  [node1, "GET", "/apis/apps/v1/controllerrevisions", ""],
];

describe("authorize", () => {
  for (const [user, method, url, want] of table) {
    test(`${user.name} ${method} ${url} → ${want === true ? "allowed" : `denied ${JSON.stringify(want)}`}`, async () => {
      assert.equal(await decide(user, method, url), want);
    });
  }
});

describe("nodeIdentity", () => {
  test("needs both the group and the name prefix", () => {
    assert.equal(nodeIdentity(node1), "node-1");
    assert.equal(nodeIdentity(nameless), "");
    assert.equal(nodeIdentity({ name: "system:node:node-1", groups: [] }), undefined);
    assert.equal(nodeIdentity({ name: "node-1", groups: ["system:nodes"] }), undefined);
    assert.equal(nodeIdentity(admin), undefined);
  });
});
