import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { UserInfo } from "./auth.js";
import { requestAttributes } from "./authz-attributes.js";
import { nodeIdentity, nodeUser, type NodeGraph } from "./authz-node.js";
import type { Pod, PodSpec } from "../../api/types.js";
import { authorize } from "./authz.js";
import { parseRoute, type ResourceRoute } from "./router.js";

const admin: UserInfo = { name: "admin", groups: ["system:masters"] };
const node1 = nodeUser("node-1");
const other: UserInfo = { name: "jane", groups: ["developers"] };
const nameless: UserInfo = { name: "system:node:", groups: ["system:nodes"] };

/** Pods and the nodes they are bound to, with what they reference. */
const pods: Pod[] = [
  podOn("default", "mine", "node-1", {
    serviceAccountName: "agent", imagePullSecrets: [{ name: "pull" }],
    volumes: [{ name: "c", configMap: { name: "cfg" } }, { name: "s", secret: { secretName: "tls" } },
      { name: "p", projected: { sources: [{ configMap: { name: "kube-root-ca.crt" } }, { secret: { name: "proj" } }, { serviceAccountToken: { path: "token" } }] } }],
    containers: [{ name: "c", envFrom: [{ configMapRef: { name: "env-cm" } }], env: [{ name: "P", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }] }],
  }),
  podOn("default", "theirs", "node-2", { serviceAccountName: "other", volumes: [{ name: "c", configMap: { name: "theirs-cfg" } }], containers: [] }),
  podOn("default", "unbound", "", { serviceAccountName: "unbound-sa", volumes: [{ name: "c", secret: { secretName: "unbound-secret" } }], containers: [] }),
  podOn("team", "mine-too", "node-1", { serviceAccountName: "default", containers: [] }),
];
const graph: NodeGraph = {
  podBinding: async (namespace, name) => pods.find((p) => p.metadata?.namespace === namespace && p.metadata.name === name)?.spec?.nodeName ?? undefined,
  podsOnNode: async (nodeName, namespace) => pods.filter((p) => p.metadata?.namespace === namespace && p.spec?.nodeName === nodeName),
};

function podOn(namespace: string, name: string, nodeName: string, spec: PodSpec): Pod {
  return { metadata: { namespace, name }, spec: { ...spec, nodeName: nodeName || undefined } };
}

async function decide(user: UserInfo, method: string, url: string): Promise<true | string> {
  const [path = "", query = ""] = url.split("?");
  const route = parseRoute(path);
  assert.equal(route.type, "resource", url);
  const decision = await authorize(requestAttributes(user, method, route as ResourceRoute, new URLSearchParams(query)), graph);
  return decision.allowed ? true : decision.reason;
}

const podsPath = "/api/v1/namespaces/default/pods";
const cms = "/api/v1/namespaces/default/configmaps";
const secrets = "/api/v1/namespaces/default/secrets";
const sas = "/api/v1/namespaces/default/serviceaccounts";
const none = "no relationship found between node 'node-1' and this object";
const leases = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

/** [user, method, url, expected: true = allowed, else the denial's reason]. */
const table: [UserInfo, string, string, true | string][] = [
  [admin, "DELETE", "/api/v1/namespaces/kube-system", true],
  [admin, "POST", "/apis/apps/v1/namespaces/default/daemonsets", true],
  [admin, "GET", "/api/v1/pods", true],
  [other, "GET", "/api/v1/nodes", ""],
  [other, "GET", `${podsPath}/mine`, ""],
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
  [node1, "GET", `${podsPath}/mine`, true],
  [node1, "GET", `${podsPath}/theirs`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", `${podsPath}/unbound`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", `${podsPath}/missing`, "no relationship found between node 'node-1' and this object"],
  [node1, "GET", "/api/v1/pods", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", podsPath, "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1", true],
  [node1, "GET", "/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3D%3Dnode-1,status.phase!%3DFailed", true],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.host%3Dnode-1", true],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", "/api/v1/pods?fieldSelector=spec.nodeName!%3Dnode-1", "can only list/watch pods with spec.nodeName field selector"],
  [node1, "GET", `${podsPath}?fieldSelector=metadata.name%3Dmine`, true],
  [node1, "GET", `${podsPath}?fieldSelector=metadata.name%3Dtheirs`, "no relationship found between node 'node-1' and this object"],
  [node1, "POST", podsPath, true], // mirror pods; NodeRestriction admission decides
  [node1, "DELETE", `${podsPath}/theirs`, true], // NodeRestriction admission decides
  [node1, "DELETE", podsPath, ""],
  [node1, "PUT", `${podsPath}/mine`, ""],
  [node1, "PATCH", `${podsPath}/mine`, ""],
  [node1, "PATCH", `${podsPath}/mine/status`, true],
  [node1, "PUT", `${podsPath}/theirs/status`, true], // NodeRestriction admission decides
  [node1, "GET", `${podsPath}/mine/status`, ""],
  [node1, "POST", `${podsPath}/mine/eviction`, true],
  [node1, "POST", `${podsPath}/mine/binding`, ""],
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
  // configmaps and secrets referenced by pods bound to the node (node <- pod <- object)
  [node1, "GET", `${cms}/cfg`, true],
  [node1, "GET", `${cms}/env-cm`, true],
  [node1, "GET", `${cms}/kube-root-ca.crt`, true],
  [node1, "GET", `${cms}?fieldSelector=metadata.name%3Dcfg`, true],
  [node1, "GET", `${cms}?watch=1&fieldSelector=metadata.name%3Dcfg`, true],
  [node1, "GET", `${cms}/theirs-cfg`, none],
  [node1, "GET", `${cms}/missing`, none],
  [node1, "GET", "/api/v1/namespaces/team/configmaps/cfg", none],
  [node1, "GET", cms, "No Object name found"],
  [node1, "GET", "/api/v1/configmaps", "can only read namespaced object of this type"],
  [node1, "PUT", `${cms}/cfg`, "can only read resources of this type"],
  [node1, "DELETE", `${cms}/cfg`, "can only read resources of this type"],
  [node1, "GET", `${secrets}/tls`, true],
  [node1, "GET", `${secrets}/proj`, true],
  [node1, "GET", `${secrets}/pull`, true],
  [node1, "GET", `${secrets}/db`, true],
  [node1, "GET", `${secrets}/unbound-secret`, none],
  [node1, "POST", secrets, "can only read resources of this type"],
  // tokens for the ServiceAccounts of pods bound to the node
  [node1, "POST", `${sas}/agent/token`, true],
  [node1, "POST", "/api/v1/namespaces/team/serviceaccounts/default/token", true],
  [node1, "POST", `${sas}/other/token`, none],
  [node1, "POST", `${sas}/unbound-sa/token`, none],
  [node1, "POST", `${sas}/default/token`, none],
  [node1, "GET", `${sas}/agent`, "can only create tokens for individual service accounts"],
  [node1, "POST", sas, "can only create tokens for individual service accounts"],
  [node1, "PUT", `${sas}/agent`, "can only create tokens for individual service accounts"],
  // services (for the service environment variables)
  [node1, "GET", "/api/v1/services", true],
  [node1, "GET", "/api/v1/services?watch=1", true],
  [node1, "DELETE", "/api/v1/namespaces/default/services/kubernetes", ""],
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
