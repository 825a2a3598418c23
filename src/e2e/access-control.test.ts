import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { kubeconfig } from "../cli/kubeconfig.js";
import { startTestCluster, until, type KubectlResult, type TestCluster } from "./harness.js";

const bin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

function everynode(args: string[]): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("access control: a node credential used with kubectl", () => {
  let c: TestCluster;
  let nodeConfig = "";
  const asNode = (args: string[], input?: string): Promise<KubectlResult> => c.kubectl(["--kubeconfig", nodeConfig, ...args], input);
  const forbidden = async (args: string[], message: string): Promise<void> => {
    const r = await asNode(args);
    assert.notEqual(r.code, 0, `kubectl ${args.join(" ")} succeeded:\n${r.stdout}`);
    assert.equal(r.stderr.trim(), `Error from server (Forbidden): ${message}`);
  };

  before(async () => {
    c = await startTestCluster({ nodes: 2 });
    await until(async () => (await c.kubectl(["get", "node", "node-2"])).code === 0, "the simulated nodes", 20_000);
    nodeConfig = join(c.home, "node-1.kubeconfig");
    const issued = await everynode(["kubeconfig", "--node", "node-1", "--data-dir", c.dataDir, "--output", nodeConfig]);
    assert.equal(issued.code, 0, issued.stderr);
    assert.equal(issued.stdout.trim(), `kubeconfig for node "node-1" written to ${nodeConfig}`);
  });
  after(async () => { await c.stop(); });

  test("secrets are owner-only: the data dir 0700, keys, tokens and kubeconfigs 0600", async () => {
    assert.equal(await mode(c.dataDir), 0o700);
    assert.equal(await mode(join(c.dataDir, "pki")), 0o700);
    for (const f of ["tokens.json", "kubeconfig", "pki/ca.key", "pki/server.key", "pki/sa.key"]) assert.equal(await mode(join(c.dataDir, f)), 0o600, f);
    assert.equal(await mode(nodeConfig), 0o600);
  });

  test("without --output the kubeconfig is printed; bad input is refused", async () => {
    const lines: string[] = [];
    assert.equal(await kubeconfig(["--node", "node-2", "--data-dir", c.dataDir], (line) => lines.push(line)), 0);
    const doc = parse(lines.join("\n")) as { users: { name: string; user: { token: string } }[]; clusters: { cluster: { server: string } }[] };
    assert.equal(doc.users[0]?.name, "system:node:node-2");
    assert.ok(doc.users[0]?.user.token);
    assert.equal(doc.clusters[0]?.cluster.server, c.plane.url);
    await assert.rejects(kubeconfig(["--node", "Node_1", "--data-dir", c.dataDir], () => undefined), /^Error: invalid node name "Node_1": /);
    await assert.rejects(kubeconfig(["--data-dir", c.dataDir], () => undefined), /^Error: --node is required$/);
  });

  test("the node reads nodes and its own pods", async () => {
    const r = await asNode(["get", "nodes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^node-1\s/m);
    assert.match(r.stdout, /^node-2\s/m);
    assert.equal((await asNode(["get", "pods", "-A", "--field-selector", "spec.nodeName=node-1"])).code, 0);
    await forbidden(["get", "pods"],
      'pods is forbidden: User "system:node:node-1" cannot list resource "pods" in API group "" in the namespace "default": can only list/watch pods with spec.nodeName field selector');
  });

  test("the node labels its own Node, not another one", async () => {
    const own = await asNode(["label", "node", "node-1", "x=y"]);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(own.stdout.trim(), "node/node-1 labeled");
    assert.match(await c.kubectlOk(["get", "node", "node-1", "--show-labels"]), /x=y/);
    await forbidden(["label", "node", "node-2", "x=y"], 'nodes "node-2" is forbidden: node "node-1" is not allowed to modify node "node-2"');
    assert.doesNotMatch(await c.kubectlOk(["get", "node", "node-2", "--show-labels"]), /x=y/);
  });

  test("the node may not hand its Node to the garbage collector, change its taints or set restricted labels", async () => {
    const owner = '{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"gone","uid":"6d1b2c1e-0000-4000-8000-000000000000"}]}}';
    await forbidden(["patch", "node", "node-1", "--type", "merge", "-p", owner],
      'nodes "node-1" is forbidden: node "node-1" is not allowed to modify ownerReferences');
    await forbidden(["taint", "node", "node-1", "a=b:NoSchedule"], 'nodes "node-1" is forbidden: node "node-1" is not allowed to modify taints');
    await forbidden(["label", "node", "node-1", "node-role.kubernetes.io/control-plane="],
      'nodes "node-1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane');
    assert.equal(await c.kubectlOk(["get", "node", "node-1", "-o", "jsonpath={.metadata.ownerReferences}"]), "");
    // The administrator may (as upstream): the collector then deletes the Node whose owner does not exist.
    await c.kubectlOk(["create", "-f", "-"], "apiVersion: v1\nkind: Node\nmetadata:\n  name: spare\n");
    await c.kubectlOk(["patch", "node", "spare", "--type", "merge", "-p", owner]);
    await until(async () => (await c.kubectl(["get", "node", "spare"])).code !== 0, "the spare node collected", 20_000);
    assert.equal((await c.kubectl(["get", "node", "node-1"])).code, 0);
  });

  test("the node may not create namespaces, read daemonsets or delete pods of other nodes", async () => {
    await forbidden(["create", "ns", "x"],
      'namespaces is forbidden: User "system:node:node-1" cannot create resource "namespaces" in API group "" at the cluster scope');
    await forbidden(["get", "ds"],
      'daemonsets.apps is forbidden: User "system:node:node-1" cannot list resource "daemonsets" in API group "apps" in the namespace "default"');
    await c.kubectlOk(["create", "-f", "-"], "apiVersion: v1\nkind: Pod\nmetadata:\n  name: elsewhere\nspec:\n  nodeName: node-2\n  containers:\n  - name: c\n    image: nginx\n");
    await forbidden(["delete", "pod", "elsewhere", "--wait=false"],
      'pods "elsewhere" is forbidden: node "node-1" can only delete pods with spec.nodeName set to itself');
    assert.equal((await c.kubectl(["get", "pod", "elsewhere"])).code, 0);
  });

  test("a bogus token is not logged in", async () => {
    const r = await asNode(["--token", "bogus", "get", "nodes"]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), "error: You must be logged in to the server (Unauthorized)");
  });
});
