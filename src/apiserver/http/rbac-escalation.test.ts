import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { mustFindResource } from "../../api/resources.js";
import { StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { createLoopbackClient } from "../../client/loopback.js";
import { rejects, startHarness, type Harness } from "../registry/testing/fixtures.js";
import type { PolicyRule } from "./rbac-authorizer.js";
import { describeMissing, missingRules } from "./rbac-coverage.js";
import { escalationCheckedClient } from "./rbac-escalation.js";

const roles = mustFindResource("rbac.authorization.k8s.io", "roles");
const clusterRoles = mustFindResource("rbac.authorization.k8s.io", "clusterroles");
const roleBindings = mustFindResource("rbac.authorization.k8s.io", "rolebindings");
const clusterRoleBindings = mustFindResource("rbac.authorization.k8s.io", "clusterrolebindings");

const r = (parts: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...parts });

describe("rule coverage", () => {
  const cases: [string, PolicyRule[], PolicyRule[], string][] = [
    ["exact and wildcard owners cover", [r({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }), r({ verbs: ["*"], apiGroups: ["apps"], resources: ["*"] })],
      [r({ verbs: ["get"], apiGroups: ["", "apps"], resources: ["pods"] })], ""],
    ["missing verbs are compacted per resource", [r({ verbs: ["get"], apiGroups: [""], resources: ["pods"] })],
      [r({ verbs: ["get", "list", "delete"], apiGroups: [""], resources: ["pods", "secrets"] })],
      '{APIGroups:[""], Resources:["pods"], Verbs:["list" "delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "delete"]}'],
    ["subresources: */sub covers, res does not", [r({ verbs: ["get"], apiGroups: [""], resources: ["pods", "*/status"] })],
      [r({ verbs: ["get"], apiGroups: [""], resources: ["nodes/status", "pods/log"] })], '{APIGroups:[""], Resources:["pods/log"], Verbs:["get"]}'],
    ["resource names: an owner limited to names covers only those", [r({ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] })],
      [r({ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"] }), r({ verbs: ["get"], apiGroups: [""], resources: ["configmaps"] })],
      '{APIGroups:[""], Resources:["configmaps"], ResourceNames:["b"], Verbs:["get"]}\n{APIGroups:[""], Resources:["configmaps"], Verbs:["get"]}'],
    ["non-resource URLs with prefix wildcards", [r({ verbs: ["get"], nonResourceURLs: ["/healthz", "/api/*"] })],
      [r({ verbs: ["get"], nonResourceURLs: ["/api/v1", "/metrics"] })], '{NonResourceURLs:["/metrics"], Verbs:["get"]}'],
  ];
  for (const [name, owned, wanted, want] of cases) test(name, () => assert.equal(describeMissing(missingRules(owned, wanted)), want));
});

async function forbidden(work: Promise<unknown>, message: string): Promise<void> {
  assert.equal((await rejects(work, 403)).message, message);
}

const role = (name: string, rules: PolicyRule[] | Record<string, unknown>[]): KubeObject =>
  ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name }, rules });
const clusterRole = (name: string, rules: Record<string, unknown>[], extra: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules, ...extra });
const binding = (kind: "RoleBinding" | "ClusterRoleBinding", name: string, roleKind: string, roleName: string, user: string): KubeObject => ({
  apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: roleName }, subjects: [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: user }],
});

describe("RBAC escalation checks", () => {
  let h: Harness;
  let admin: Client;
  let alice: Client;
  const notHeld = (res: string, name: string, lines: string): string =>
    `${res}.rbac.authorization.k8s.io "${name}" is forbidden: user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n${lines}`;

  before(async () => {
    h = await startHarness();
    admin = createLoopbackClient(h.registry);
    alice = escalationCheckedClient(admin, { name: "alice", groups: ["devs", "system:authenticated"] });
    // alice may manage Roles and RoleBindings in default and read pods there (`*` would include escalate and bind).
    await admin.create(roles, "default", role("role-admin", [
      { verbs: ["get", "list", "create", "update", "patch", "delete"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"] },
      { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] },
    ]));
    await admin.create(roleBindings, "default", binding("RoleBinding", "alice-admin", "Role", "role-admin", "alice"));
    await admin.create(clusterRoles, undefined, clusterRole("pod-deleter", [{ verbs: ["delete"], apiGroups: [""], resources: ["pods"] }]));
  });
  after(async () => { await h.close(); });

  test("a Role within the creator's permissions is created; one beyond them is refused and not stored", async () => {
    await alice.create(roles, "default", role("reader", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]));
    await forbidden(alice.create(roles, "default", role("deleter", [{ verbs: ["get", "delete"], apiGroups: [""], resources: ["pods"] }])),
      notHeld("roles", "deleter", '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}'));
    await assert.rejects(admin.get(roles, "default", "deleter"), (e: unknown) => e instanceof StatusError && e.code === 404);
  });

  test("updates and patches are checked on the result; label-only changes too, GC-only changes not", async () => {
    const widen = [{ verbs: ["get", "watch"], apiGroups: [""], resources: ["pods"] }];
    await forbidden(alice.patch(roles, "default", "reader", "merge", { rules: widen }),
      notHeld("roles", "reader", '{APIGroups:[""], Resources:["pods"], Verbs:["watch"]}'));
    const current = await admin.get(roles, "default", "reader");
    await forbidden(alice.update(roles, "default", { ...current, rules: widen }), notHeld("roles", "reader", '{APIGroups:[""], Resources:["pods"], Verbs:["watch"]}'));
    assert.deepEqual((await admin.get(roles, "default", "reader")).rules, [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]);
    // A Role alice could not create herself: any change but a GC-only one is refused.
    await admin.create(roles, "default", role("big", [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]));
    await forbidden(alice.patch(roles, "default", "big", "merge", { metadata: { labels: { a: "b" } } }),
      notHeld("roles", "big", '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}'));
    await alice.patch(roles, "default", "big", "merge", { metadata: { finalizers: ["example.com/keep"] } });
    await admin.patch(roles, "default", "big", "merge", { metadata: { finalizers: null } });
  });

  test("the escalate verb lets a user grant what she does not hold", async () => {
    await admin.create(clusterRoles, undefined, clusterRole("escalator", [{ verbs: ["escalate"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"] }]));
    await admin.create(clusterRoleBindings, undefined, binding("ClusterRoleBinding", "alice-escalates", "ClusterRole", "escalator", "alice"));
    await alice.create(roles, "default", role("deleter", [{ verbs: ["delete"], apiGroups: [""], resources: ["pods"] }]));
    await admin.delete(clusterRoleBindings, undefined, "alice-escalates");
  });

  test("bindings need the referenced role's permissions or the bind verb", async () => {
    await alice.create(roleBindings, "default", binding("RoleBinding", "bob-reads", "Role", "reader", "bob"));
    await forbidden(alice.create(roleBindings, "default", binding("RoleBinding", "bob-deletes", "ClusterRole", "pod-deleter", "bob")),
      notHeld("rolebindings", "bob-deletes", '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}'));
    await forbidden(alice.create(roleBindings, "default", binding("RoleBinding", "ghost", "Role", "missing", "bob")),
      'rolebindings.rbac.authorization.k8s.io "ghost" is forbidden: roles.rbac.authorization.k8s.io "missing" not found');
    await admin.create(roles, "default", role("binder", [{ verbs: ["bind"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: ["pod-deleter"] }]));
    await admin.create(roleBindings, "default", binding("RoleBinding", "alice-binds", "Role", "binder", "alice"));
    await alice.create(roleBindings, "default", binding("RoleBinding", "bob-deletes", "ClusterRole", "pod-deleter", "bob"));
    await assert.rejects(alice.create(clusterRoleBindings, undefined, binding("ClusterRoleBinding", "everyone-deletes", "ClusterRole", "pod-deleter", "bob")),
      (e: unknown) => e instanceof StatusError && e.code === 403);
  });

  test("an aggregationRule needs full authority", async () => {
    await admin.create(clusterRoles, undefined, clusterRole("cr-writer", [{ verbs: ["create"], apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"] }]));
    await admin.create(clusterRoleBindings, undefined, binding("ClusterRoleBinding", "alice-cr", "ClusterRole", "cr-writer", "alice"));
    const aggregated = clusterRole("monitoring", [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/aggregate-to-monitoring": "true" } }] } });
    await forbidden(alice.create(clusterRoles, undefined, aggregated),
      'clusterroles.rbac.authorization.k8s.io "monitoring" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    await admin.create(clusterRoles, undefined, aggregated);
  });
});
