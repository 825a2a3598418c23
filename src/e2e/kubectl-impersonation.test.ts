import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TokenFile } from "../server/tokens.js";
import { startTestCluster, type KubectlResult, type TestCluster } from "./harness.js";

describe("impersonation: kubectl --as and --as-group", () => {
  let c: TestCluster;
  let alice = "";
  const asAlice = (args: string[]): Promise<KubectlResult> => c.kubectl([`--token=${alice}`, ...args]);

  before(async () => {
    c = await startTestCluster({ controllers: false });
    alice = await (await TokenFile.load(join(c.dataDir, "tokens.json"))).issue({ name: "alice", groups: ["devs"] });
    await c.kubectlOk(["create", "namespace", "team"]);
    await c.kubectlOk(["create", "serviceaccount", "reader", "-n", "team"]);
    await c.kubectlOk(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", "team"]);
    await c.kubectlOk(["create", "rolebinding", "reader", "--role=pod-reader", "--serviceaccount=team:reader", "--user=bob", "-n", "team"]);
  });
  after(async () => { await c.stop(); });

  test("the admin acts as a ServiceAccount: its Role applies, and its 403 names it", async () => {
    const sa = "system:serviceaccount:team:reader";
    assert.equal((await c.kubectl([`--as=${sa}`, "get", "pods", "-n", "team"])).code, 0);
    const nodes = await c.kubectl([`--as=${sa}`, "get", "nodes"]);
    assert.equal(nodes.stderr.trim(), `Error from server (Forbidden): nodes is forbidden: User "${sa}" cannot list resource "nodes" in API group "" at the cluster scope`);
    const who = await c.kubectlOk([`--as=${sa}`, "auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}"]);
    assert.deepEqual(JSON.parse(who), ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"]);
  });

  test("impersonating needs the impersonate verb on users, groups and serviceaccounts", async () => {
    let r = await asAlice(["--as=bob", "get", "pods", "-n", "team"]);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
    r = await asAlice(["--as=system:serviceaccount:team:reader", "get", "pods", "-n", "team"]);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): serviceaccounts "reader" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"');
    await c.kubectlOk(["create", "clusterrole", "impersonate-users", "--verb=impersonate", "--resource=users"]);
    await c.kubectlOk(["create", "clusterrolebinding", "alice-impersonates", "--clusterrole=impersonate-users", "--user=alice"]);
    r = await asAlice(["--as=bob", "get", "pods", "-n", "team"]);
    assert.equal(r.code, 0, r.stderr);
    r = await asAlice(["--as=bob", "--as-group=admins", "get", "pods", "-n", "team"]);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): groups "admins" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
    await c.kubectlOk(["create", "clusterrole", "impersonate-groups", "--verb=impersonate", "--resource=groups", "--resource-name=admins"]);
    await c.kubectlOk(["create", "clusterrolebinding", "alice-impersonates-groups", "--clusterrole=impersonate-groups", "--user=alice"]);
    const who = await asAlice(["--as=bob", "--as-group=admins", "auth", "whoami", "-o", "jsonpath={.status.userInfo}"]);
    assert.deepEqual(JSON.parse(who.stdout), { username: "bob", groups: ["admins", "system:authenticated"] });
    assert.equal((await asAlice(["--as=bob", "get", "nodes"])).stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
  });
});
