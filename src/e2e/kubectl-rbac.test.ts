import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { TokenFile } from "../server/tokens.js";
import { startTestCluster, type TestCluster } from "./harness.js";

describe("RBAC for identities that are not admins, auth can-i and whoami", () => {
  let c: TestCluster;
  let token = "";
  const asAlice = (args: string[]): ReturnType<TestCluster["kubectl"]> => c.kubectl([`--token=${token}`, ...args]);

  before(async () => {
    c = await startTestCluster({ controllers: false });
    const tokens = await TokenFile.load(join(c.dataDir, "tokens.json"));
    token = await tokens.issue({ name: "alice", groups: ["devs"] });
    await c.kubectlOk(["create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods"]);
    await c.kubectlOk(["create", "rolebinding", "alice-reads-pods", "--role=pod-reader", "--user=alice"]);
    await c.kubectlOk(["run", "web", "--image=nginx"]);
  });
  after(async () => { await c.stop(); });

  test("a Role allows its pods; nodes and other namespaces are 403 with upstream's message", async () => {
    const pods = await asAlice(["get", "pods"]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^web\s/m);
    const nodes = await asAlice(["get", "nodes"]);
    assert.equal(nodes.stderr.trim(), 'Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope');
    const other = await asAlice(["get", "pods", "-n", "kube-system"]);
    assert.equal(other.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    const del = await asAlice(["delete", "pod", "web"]);
    assert.equal(del.stderr.trim(), 'Error from server (Forbidden): pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "default"');
  });

  test("/metrics is 403 until a ClusterRole granting get on the non-resource URL is bound", async () => {
    const denied = await asAlice(["get", "--raw", "/metrics"]);
    assert.notEqual(denied.code, 0);
    assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): forbidden: User "alice" cannot get path "/metrics"');
    assert.equal((await asAlice(["auth", "can-i", "get", "/metrics"])).stdout.trim(), "no");
    await c.kubectlOk(["create", "clusterrole", "metrics-reader", "--verb=get", "--non-resource-url=/metrics"]);
    await c.kubectlOk(["create", "clusterrolebinding", "alice-reads-metrics", "--clusterrole=metrics-reader", "--user=alice"]);
    const allowed = await asAlice(["get", "--raw", "/metrics"]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /^apiserver_request_total\{/m);
    assert.equal((await asAlice(["auth", "can-i", "get", "/metrics"])).stdout.trim(), "yes");
    await c.kubectlOk(["delete", "clusterrolebinding", "alice-reads-metrics"]);
    assert.match((await asAlice(["get", "--raw", "/metrics"])).stderr, /cannot get path "\/metrics"/);
  });

  test("kubectl auth can-i, can-i --list and whoami", async () => {
    const yes = await asAlice(["auth", "can-i", "list", "pods"]);
    assert.equal(yes.stdout.trim(), "yes", yes.stderr);
    const no = await asAlice(["auth", "can-i", "delete", "pods"]);
    assert.equal(no.stdout.trim(), "no");
    assert.equal(no.code, 1);
    assert.equal((await asAlice(["auth", "can-i", "list", "nodes"])).stdout.trim(), "no");
    assert.equal((await c.kubectl(["auth", "can-i", "delete", "nodes"])).stdout.trim(), "yes");
    const list = await asAlice(["auth", "can-i", "--list"]);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    const who = await asAlice(["auth", "whoami"]);
    assert.match(who.stdout, /Username\s+alice/);
    assert.match(who.stdout, /Groups\s+\[devs system:authenticated\]/);
  });
});
