import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { everynodeBin, type CommandResult } from "./cli.js";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

function agent(image: string, extraSpec = ""): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    rollingUpdate: {maxUnavailable: 2}
  template:
    metadata:
      labels: {app: agent}
    spec:
${extraSpec}      containers:
      - name: agent
        image: ${image}
`;
}

interface PlanJson {
  daemonSet: string;
  revision: { current: string | null; new: string; changed: boolean };
  nodes: { create: string[]; delete: string[]; replace: string[]; unchanged: string[]; blocked: { node: string; reason: string }[] };
  waves: string[][];
  estimatedSeconds: number;
}

const nodes = ["node-1", "node-2", "node-3", "node-4", "node-5"];

describe("everynode plan against a live cluster", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 5 }); });
  after(async () => { await c.stop(); });

  /** Runs `everynode plan …` as a user would: KUBECONFIG and HOME from the environment, the manifest on stdin. */
  const plan = (args: string[], manifest: string): Promise<CommandResult> => new Promise((ok) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: c.home, KUBECONFIG: c.kubeconfigPath };
    const child = execFile(process.execPath, [everynodeBin, "plan", "-f", "-", ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      ok({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(manifest);
  });
  const planJson = async (manifest: string, args: string[] = []): Promise<PlanJson> => {
    const r = await plan(["-o", "json", ...args], manifest);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as PlanJson;
  };

  test("no-op: every node unchanged; image change: the waves of maxUnavailable 2, then applied as planned", async () => {
    await eventually(async () => assert.equal((await c.kubectlOk(["get", "nodes", "-o", "name"])).trim().split("\n").length, 5));
    const fresh = await planJson(agent("registry.k8s.io/pause:3.9"));
    assert.deepEqual([fresh.revision.current, fresh.revision.changed, fresh.nodes.create.length], [null, true, 5]);
    await c.kubectlOk(["apply", "-f", "-"], agent("registry.k8s.io/pause:3.9"));
    await c.kubectlOk(["rollout", "status", "ds/agent", "--timeout=60s"]);
    assert.equal((await c.kubectlOk(["get", "ds", "agent", "-o", "jsonpath={.status.numberReady}"])).trim(), "5");

    const noop = await planJson(agent("registry.k8s.io/pause:3.9"));
    assert.equal(noop.daemonSet, "default/agent");
    assert.deepEqual(noop.revision, { current: fresh.revision.new, new: fresh.revision.new, changed: false });
    assert.deepEqual(noop.nodes, { create: [], delete: [], replace: [], unchanged: nodes, blocked: [] });
    assert.deepEqual([noop.waves, noop.estimatedSeconds], [[], 0]);

    const change = await planJson(agent("registry.k8s.io/pause:3.10"));
    assert.equal(change.revision.changed, true);
    assert.deepEqual(change.nodes.replace, nodes);
    assert.deepEqual(change.waves, [["node-1", "node-2"], ["node-3", "node-4"], ["node-5"]]);
    assert.ok(change.estimatedSeconds >= 3, `estimated ${change.estimatedSeconds}s`);
    const human = await plan([], agent("registry.k8s.io/pause:3.10"));
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`^daemonset default/agent: revision ${noop.revision.new} -> ${change.revision.new}$`, "m"));
    assert.match(human.stdout, /^nodes: 0 create, 0 delete, 5 replace, 0 unchanged, 0 blocked$/m);
    assert.match(human.stdout, /^waves \(maxUnavailable 2\): 3\n {2}1: node-1, node-2\n {2}2: node-3, node-4\n {2}3: node-5$/m);
    assert.match(human.stdout, /^estimated duration: ~\d+s \(3 wave\(s\)/m);
    // Nothing was applied by planning.
    assert.match(await c.kubectlOk(["get", "ds", "agent", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]), /pause:3\.9$/);

    await c.kubectlOk(["apply", "-f", "-"], agent("registry.k8s.io/pause:3.10"));
    await c.kubectlOk(["rollout", "status", "ds/agent", "--timeout=60s"]);
    const hashes = (await c.kubectlOk(["get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].metadata.labels.controller-revision-hash}"])).trim().split(" ");
    assert.deepEqual(hashes, Array(5).fill(change.revision.new), "the pods carry the revision the plan announced");
  });

  test("a missing toleration lists the tainted node as blocked with the reason; -n and namespace mismatch as kubectl", async () => {
    await c.kubectlOk(["taint", "node", "node-5", "dedicated=db:NoSchedule"]);
    try {
      const other = agent("registry.k8s.io/pause:3.9").replace("name: agent\n", "name: other\n").replaceAll("app: agent", "app: other");
      const blocked = await planJson(other);
      assert.deepEqual(blocked.nodes.create, ["node-1", "node-2", "node-3", "node-4"]);
      assert.deepEqual(blocked.nodes.blocked, [{ node: "node-5", reason: "node(s) had untolerated taint {dedicated: db}" }]);
      const tolerating = other.replace("      containers:", "      tolerations:\n      - {key: dedicated, operator: Exists}\n      containers:");
      assert.deepEqual((await planJson(tolerating)).nodes.blocked, []);
      const human = await plan([], other);
      assert.match(human.stdout, /^ {2}blocked: node-5: node\(s\) had untolerated taint \{dedicated: db\}$/m);

      assert.equal((await planJson(other, ["-n", "kube-system"])).daemonSet, "kube-system/other");
      const mismatch = await plan(["-n", "kube-system"], other.replace("name: other\n", "name: other\n  namespace: default\n"));
      assert.equal(mismatch.code, 2);
      assert.match(mismatch.stderr, /the namespace from the provided object "default" does not match the namespace "kube-system"/);
      const invalid = await plan([], other.replace("image: registry.k8s.io/pause:3.9", "image: ''"));
      assert.equal(invalid.code, 1);
      assert.match(invalid.stderr, /spec\.template\.spec\.containers\[0\]\.image: Required value/);
      assert.equal((await c.kubectl(["get", "ds", "other"])).code, 1, "planning stores nothing");
    } finally {
      await c.kubectlOk(["taint", "node", "node-5", "dedicated-"]);
    }
  });
});
