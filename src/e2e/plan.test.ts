import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { everynodeBin, type CommandResult } from "./cli.js";
import { eventually, startTestCluster, until, type TestCluster } from "./harness.js";
import { withKubectlPlugin } from "./kubectl-plugin.js";

function agent(image: string, extraSpec = "", annotations: Record<string, string> = {}): string {
  const meta = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"\n`).join("");
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
${meta ? `  annotations:\n${meta}` : ""}spec:
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

interface NodeReason {
  node: string;
  reason: string;
}

interface PlanJson {
  daemonSet: string;
  revision: { current: string | null; new: string; changed: boolean };
  nodes: { create: string[]; delete: string[]; replace: string[]; unchanged: string[]; blocked: NodeReason[]; heldBack: NodeReason[] };
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
    assert.deepEqual(noop.nodes, { create: [], delete: [], replace: [], unchanged: nodes, blocked: [], heldBack: [] });
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
    assert.match(human.stdout, /^estimated duration: ~\d+s over 3 wave\(s\) \(creation to Ready observed over 5 pod\(s\)/m);
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

  /** Node → revision hash of the DaemonSet's pods that are not being deleted. */
  const hashByNode = async (name: string): Promise<Map<string, string>> => {
    const out = await c.kubectlOk(["get", "pods", "-l", `app=${name}`, "-o", `go-template={{range .items}}{{if not .metadata.deletionTimestamp}}{{.spec.nodeName}}={{index .metadata.labels "controller-revision-hash"}}{{"\\n"}}{{end}}{{end}}`]);
    return new Map(out.trim().split("\n").filter(Boolean).map((l) => l.split("=") as [string, string]));
  };

  test("partition 3 of 5: the plan's waves hold the 2 nodes the controller updates; paused: nothing replaced, and it says so", async () => {
    const partition = { "rollout.everynode.dev/partition": "3" };
    const name = "part";
    const named = (m: string): string => m.replace("name: agent\n", `name: ${name}\n`).replaceAll("app: agent", `app: ${name}`);
    await c.kubectlOk(["apply", "-f", "-"], named(agent("registry.k8s.io/pause:3.9", "", partition)));
    await c.kubectlOk(["rollout", "status", `ds/${name}`, "--timeout=60s"]);
    const before = await hashByNode(name);
    const old = before.get("node-1");

    const planned = await planJson(named(agent("registry.k8s.io/pause:3.10", "", partition)));
    const wave = planned.waves.flat().sort();
    assert.equal(wave.length, 2, JSON.stringify(planned));
    assert.deepEqual(planned.nodes.replace, wave);
    assert.deepEqual(planned.nodes.heldBack.map((h) => h.node), nodes.filter((n) => !wave.includes(n)));
    assert.match(planned.nodes.heldBack[0]?.reason ?? "", /rollout\.everynode\.dev\/partition "3"/);
    const human = await plan([], named(agent("registry.k8s.io/pause:3.10", "", partition)));
    assert.match(human.stdout, /^ {2}held back: node-1, node-2, node-3: kept on the old revision by rollout\.everynode\.dev\/partition "3"$/m);

    const paused = await planJson(named(agent("registry.k8s.io/pause:3.10", "", { ...partition, "rollout.everynode.dev/paused": "true" })));
    assert.deepEqual([paused.nodes.replace, paused.waves, paused.estimatedSeconds, paused.nodes.unchanged], [[], [], 0, nodes]);
    assert.deepEqual(paused.nodes.heldBack.map((h) => h.node), nodes);
    const pausedHuman = await plan([], named(agent("registry.k8s.io/pause:3.10", "", { "rollout.everynode.dev/paused": "true" })));
    assert.match(pausedHuman.stdout, /^rollout paused \(rollout\.everynode\.dev\/paused "true"\): no pod is replaced until it is resumed/m);
    assert.match(pausedHuman.stdout, /^nothing to roll out$/m);

    await c.kubectlOk(["apply", "-f", "-"], named(agent("registry.k8s.io/pause:3.10", "", partition)));
    const updated = async (): Promise<string[]> => [...(await hashByNode(name))].filter(([, h]) => h !== old).map(([n]) => n).sort();
    await until(async () => (await updated()).length >= 2 && (await hashByNode(name)).size === 5, "two nodes updated", 60_000);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await updated(), wave, "exactly the planned nodes were updated");
    const after = await hashByNode(name);
    for (const n of wave) assert.equal(after.get(n), planned.revision.new);
  });

  test("kubectl everynode plan -f: the plugin on PATH prints the same plan", async () => {
    const plugin = await withKubectlPlugin(c);
    try {
      const file = `${c.home}/agent.yaml`;
      await writeFile(file, agent("registry.k8s.io/pause:3.11"));
      const direct = await planJson(agent("registry.k8s.io/pause:3.11"));
      const viaPlugin = await plugin.run(["everynode", "plan", "-f", file, "-o", "json"]);
      assert.equal(viaPlugin.code, 0, viaPlugin.stderr);
      const json = JSON.parse(viaPlugin.stdout) as PlanJson;
      assert.deepEqual({ ...json, estimatedSeconds: 0 }, { ...direct, estimatedSeconds: 0 });
      assert.equal(json.revision.changed, true);
      const human = await plugin.run(["everynode", "plan", "-f", file]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^daemonset default\/agent: revision \S+ -> \S+$/m);
      const missing = await plugin.run(["everynode", "plan"]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /-f\/--filename is required/);
    } finally {
      await plugin.remove();
    }
  });
});
