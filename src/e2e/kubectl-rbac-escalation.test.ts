import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("RBAC escalation prevention with kubectl --as", () => {
  let c: TestCluster;
  const asAlice = (args: string[], input?: string): ReturnType<TestCluster["kubectl"]> => c.kubectl(["--as=alice", ...args], input);
  const notHeld = (res: string, name: string, missing: string): string =>
    `${res}.rbac.authorization.k8s.io "${name}" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n${missing}`;

  before(async () => {
    c = await startTestCluster({ controllers: false });
    await c.kubectlOk(["create", "role", "rbac-manager", "--verb=get,list,create,update,patch,delete", "--resource=roles,rolebindings"]);
    await c.kubectlOk(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"]);
    await c.kubectlOk(["create", "rolebinding", "alice-manages", "--role=rbac-manager", "--user=alice"]);
    await c.kubectlOk(["create", "rolebinding", "alice-reads", "--role=pod-reader", "--user=alice"]);
  });
  after(async () => { await c.stop(); });

  test("a Role granting more than its creator holds is refused with upstream's message and not stored", async () => {
    const r = await asAlice(["create", "role", "pod-deleter", "--verb=get,delete", "--resource=pods"]);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(notHeld("roles", "pod-deleter", '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}')), r.stderr);
    assert.match((await c.kubectl(["get", "role", "pod-deleter"])).stderr, /roles.rbac.authorization.k8s.io "pod-deleter" not found/);
    assert.equal((await asAlice(["create", "role", "pod-getter", "--verb=get", "--resource=pods"])).code, 0);
  });

  test("apply of a widened Role is refused; the stored Role keeps its rules", async () => {
    const manifest = (verbs: string): string =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: pod-getter\n  namespace: default\nrules:\n- apiGroups: [""]\n  resources: [pods, secrets]\n  verbs: [${verbs}]\n`;
    const r = await asAlice(["apply", "-f", "-"], manifest("get, list"));
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(notHeld("roles", "pod-getter", '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}')), r.stderr);
    assert.equal(await c.kubectlOk(["get", "role", "pod-getter", "-o", "jsonpath={.rules[0].resources}"]), '["pods"]');
  });

  test("binding a role needs its permissions or the bind verb; escalate lifts the Role check", async () => {
    let r = await asAlice(["create", "rolebinding", "bob-edits", "--clusterrole=edit", "--user=bob"]);
    assert.notEqual(r.code, 0);
    // Every rule of `edit` alice lacks, compacted per resource and sorted; what she holds (get, list pods) is left out.
    assert.ok(r.stderr.includes(notHeld("rolebindings", "bob-edits", '{APIGroups:[""], Resources:["bindings"], Verbs:["get" "list" "watch"]}\n')), r.stderr);
    assert.ok(r.stderr.includes('\n{APIGroups:[""], Resources:["pods"], Verbs:["create" "delete" "deletecollection" "patch" "update" "watch"]}\n'), r.stderr);
    assert.equal((await asAlice(["create", "rolebinding", "bob-reads", "--role=pod-reader", "--user=bob"])).code, 0);
    await c.kubectlOk(["create", "clusterrole", "bind-edit", "--verb=bind", "--resource=clusterroles", "--resource-name=edit"]);
    await c.kubectlOk(["create", "rolebinding", "alice-binds-edit", "--clusterrole=bind-edit", "--user=alice"]);
    r = await asAlice(["create", "rolebinding", "bob-edits", "--clusterrole=edit", "--user=bob"]);
    assert.equal(r.code, 0, r.stderr);
    await c.kubectlOk(["create", "clusterrole", "escalate-roles", "--verb=escalate", "--resource=roles"]);
    await c.kubectlOk(["create", "rolebinding", "alice-escalates", "--clusterrole=escalate-roles", "--user=alice"]);
    r = await asAlice(["create", "role", "pod-deleter", "--verb=delete", "--resource=pods"]);
    assert.equal(r.code, 0, r.stderr);
  });
});
