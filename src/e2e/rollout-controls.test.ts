import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { findResource } from "../api/resources.js";
import type { DaemonSet, Pod } from "../api/types.js";
import { startTestCluster, until, type KubectlResult, type TestCluster } from "./harness.js";
import { withKubectlPlugin, type KubectlWithPlugin } from "./kubectl-plugin.js";

const pods = findResource("", "pods")!;
const daemonSets = findResource("apps", "daemonsets")!;
const hashLabel = "controller-revision-hash";
const nodeNames = ["node-1", "node-2", "node-3", "node-4", "node-5"];
const zoneA = ["node-1", "node-3", "node-5"];

/** A DaemonSet on every node, replacing one pod at a time, with the given annotations. */
function daemonSet(name: string, image: string, annotations: Record<string, string> = {}): string {
  const meta = Object.entries(annotations).map(([k, v]) => `    ${k}: "${v}"\n`).join("");
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
${meta ? `  annotations:\n${meta}` : ""}spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: c, image: "${image}"}]
`;
}

/** Node → revision hash of the DaemonSet's pods that are not being deleted. */
async function hashByNode(c: TestCluster, name: string): Promise<Map<string, string>> {
  const list = await c.plane.client.list<Pod>(pods, "default", { labelSelector: `app=${name}` });
  const out = new Map<string, string>();
  for (const p of list.items) if (!p.metadata?.deletionTimestamp && p.spec?.nodeName) out.set(p.spec.nodeName, p.metadata?.labels?.[hashLabel] ?? "");
  return out;
}

async function ds(c: TestCluster, name: string): Promise<DaemonSet> {
  return c.plane.client.get<DaemonSet>(daemonSets, "default", name);
}

/** Creates the DaemonSet and waits until every node runs it; returns the first revision's hash. */
async function created(c: TestCluster, name: string, annotations: Record<string, string> = {}): Promise<string> {
  await c.kubectlOk(["apply", "-f", "-"], daemonSet(name, "img:1", annotations));
  await c.kubectlOk(["rollout", "status", `ds/${name}`, "--timeout=60s"]);
  const hashes = new Set((await hashByNode(c, name)).values());
  assert.equal(hashes.size, 1);
  return [...hashes][0] ?? "";
}

/** Nodes whose pod no longer carries `oldHash`, sorted. */
async function updatedNodes(c: TestCluster, name: string, oldHash: string): Promise<string[]> {
  return [...(await hashByNode(c, name))].filter(([, h]) => h !== oldHash).map(([n]) => n).sort();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("rollout controls on 5 nodes with kubectl", { concurrency: true }, () => {
  let c: TestCluster;
  let plugin: KubectlWithPlugin;
  before(async () => {
    c = await startTestCluster({ nodes: 5 });
    for (const n of nodeNames) await c.kubectlOk(["label", "node", n, `zone=${zoneA.includes(n) ? "a" : "b"}`]);
    plugin = await withKubectlPlugin(c);
  });
  after(async () => {
    await c.stop();
    await plugin.remove();
  });

  /** kubectl with the plugin's directory (and node) on PATH, in the cluster's isolated environment. */
  const pluginKubectl = (args: string[]): Promise<KubectlResult> => plugin.run(args);

  test("partition 3 of 5: exactly the two nodes whose names sort last are updated; lowering it continues", async () => {
    const old = await created(c, "part", { "rollout.everynode.dev/partition": "3" });
    await c.kubectlOk(["set", "image", "ds/part", "c=img:2"]);
    await until(async () => (await updatedNodes(c, "part", old)).length >= 2 && (await ds(c, "part")).status?.numberAvailable === 5, "two nodes updated", 60_000);
    await sleep(3000);
    assert.deepEqual(await updatedNodes(c, "part", old), ["node-4", "node-5"]);
    const status = (await ds(c, "part")).status;
    assert.deepEqual([status?.desiredNumberScheduled, status?.updatedNumberScheduled, status?.numberAvailable], [5, 2, 5]);
    await c.kubectlOk(["annotate", "--overwrite", "ds/part", "rollout.everynode.dev/partition=1"]);
    await until(async () => (await updatedNodes(c, "part", old)).length === 4, "four nodes updated", 60_000);
    await sleep(2000);
    assert.deepEqual(await updatedNodes(c, "part", old), ["node-2", "node-3", "node-4", "node-5"]);
  });

  test("paused: no pod is replaced until resumed", async () => {
    const old = await created(c, "paused", { "rollout.everynode.dev/paused": "true" });
    await c.kubectlOk(["set", "image", "ds/paused", "c=img:2"]);
    await until(async () => (await ds(c, "paused")).status?.observedGeneration === 2, "generation 2 observed");
    await sleep(3000);
    assert.deepEqual(await updatedNodes(c, "paused", old), []);
    assert.equal((await ds(c, "paused")).status?.updatedNumberScheduled ?? 0, 0);
    await c.kubectlOk(["annotate", "ds/paused", "rollout.everynode.dev/paused-"]);
    await c.kubectlOk(["rollout", "status", "ds/paused", "--timeout=60s"]);
    assert.deepEqual(await updatedNodes(c, "paused", old), nodeNames);
  });

  test("selector canary zone=a: only matching nodes are updated, then removing it completes the rollout", async () => {
    const old = await created(c, "canary", { "rollout.everynode.dev/selector": "zone=a" });
    await c.kubectlOk(["set", "image", "ds/canary", "c=img:2"]);
    await until(async () => (await updatedNodes(c, "canary", old)).length >= 3 && (await ds(c, "canary")).status?.numberAvailable === 5, "zone a updated", 60_000);
    await sleep(3000);
    assert.deepEqual(await updatedNodes(c, "canary", old), zoneA);
    await c.kubectlOk(["annotate", "ds/canary", "rollout.everynode.dev/selector-"]);
    await c.kubectlOk(["rollout", "status", "ds/canary", "--timeout=60s"]);
    assert.deepEqual(await updatedNodes(c, "canary", old), nodeNames);
  });

  test("a never-ready image with a 10 s deadline: Progressing False naming the stuck node, in the status, an event and rollout status", async () => {
    await created(c, "stuck", { "rollout.everynode.dev/progress-deadline-seconds": "10" });
    const complete = (await ds(c, "stuck")).status?.conditions?.find((x) => x.type === "Progressing");
    assert.equal(complete?.reason, "RolloutComplete");
    await c.kubectlOk(["set", "image", "ds/stuck", "c=everynode.dev/not-ready"]);
    await until(async () => (await ds(c, "stuck")).status?.conditions?.some((x) => x.reason === "ProgressDeadlineExceeded") === true, "the deadline to pass", 60_000);
    const printed = parse(await c.kubectlOk(["get", "ds", "stuck", "-o", "yaml"])) as { status: { conditions: Array<Record<string, string>> } };
    const condition = printed.status.conditions.find((x) => x.type === "Progressing");
    assert.equal(condition?.status, "False");
    assert.equal(condition?.reason, "ProgressDeadlineExceeded");
    assert.match(condition?.lastUpdateTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(condition?.message ?? "", /^DaemonSet "stuck" has timed out progressing: revision 2 made no progress for 10s; 1 node stuck: node-1 \(pod stuck-\w+ not Ready: container c running, not Ready\)$/);
    const events = await c.kubectlOk(["get", "events", "--field-selector", "reason=ProgressDeadlineExceeded,involvedObject.name=stuck"]);
    assert.match(events, /Warning\s+ProgressDeadlineExceeded\s+daemonset\/stuck\s+DaemonSet "stuck" has timed out progressing: .*1 node stuck: node-1 \(pod stuck-\w+ not Ready/);
    const status = await pluginKubectl(["everynode", "rollout", "status", "ds/stuck"]);
    assert.equal(status.code, 1, status.stderr);
    assert.match(status.stdout, /^daemon set "stuck" rollout exceeded its progress deadline: 1 of 5 nodes updated, 4 available$/m);
    assert.match(status.stdout, /^Progressing=False \(ProgressDeadlineExceeded\): .*node-1/m);
  });

  test("auto-revert: past the deadline every node returns to the last revision that completed", async () => {
    const good = await created(c, "revert", { "rollout.everynode.dev/progress-deadline-seconds": "10", "rollout.everynode.dev/auto-revert": "true" });
    await until(async () => (await c.kubectlOk(["get", "controllerrevisions", "-l", "app=revert", "-o", "jsonpath={.items[*].metadata.annotations}"])).includes("rollout.everynode.dev/completed"), "revision 1 marked completed");
    await c.kubectlOk(["set", "image", "ds/revert", "c=everynode.dev/not-ready"]);
    await until(async () => (await updatedNodes(c, "revert", good)).length > 0, "the bad revision to start");
    await until(async () => {
      const d = await ds(c, "revert");
      return d.spec?.template?.spec?.containers[0]?.image === "img:1";
    }, "the template to be rolled back", 60_000);
    await c.kubectlOk(["rollout", "status", "ds/revert", "--timeout=60s"]);
    const hashes = await hashByNode(c, "revert");
    assert.deepEqual([...hashes.keys()].sort(), nodeNames);
    assert.ok([...hashes.values()].every((h) => h === good), "every node runs the first revision again");
    const events = await c.kubectlOk(["get", "events", "--field-selector", "reason=RolloutReverted,involvedObject.name=revert"]);
    assert.match(events, /rolling back from revision 2 to revision 1, the last revision that completed/);
  });

  test("an invalid annotation is refused with a 422 naming it; the DaemonSet is unchanged", async () => {
    await created(c, "invalid");
    const r = await c.kubectl(["annotate", "ds/invalid", "rollout.everynode.dev/partition=two"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'The DaemonSet "invalid" is invalid: metadata.annotations[rollout.everynode.dev/partition]: Invalid value: "two": must be a non-negative integer (at most 2147483647)');
    const create = await c.kubectl(["apply", "-f", "-"], daemonSet("invalid2", "img:1", { "rollout.everynode.dev/paused": "yes" }));
    assert.equal(create.code, 1);
    assert.match(create.stderr, /metadata\.annotations\[rollout\.everynode\.dev\/paused\]: Invalid value: "yes": must be "true" or "false"/);
    assert.equal((await ds(c, "invalid")).metadata?.annotations?.["rollout.everynode.dev/partition"], undefined);
    const others: [string, string, string][] = [
      ["rollout.everynode.dev/selector", "zone in a", "must be a label selector: "],
      ["rollout.everynode.dev/progress-deadline-seconds", "0", "must be an integer greater than or equal to 1"],
      ["rollout.everynode.dev/auto-revert", "1", 'must be "true" or "false"'],
      ["everynode.dev/node-readiness-gate", "yes", 'must be "true" or "false"'],
    ];
    for (const [name, value, why] of others) {
      const r = await c.kubectl(["annotate", "ds/invalid", `${name}=${value}`]);
      assert.equal(r.code, 1, name);
      assert.ok(r.stderr.startsWith(`The DaemonSet "invalid" is invalid: metadata.annotations[${name}]: Invalid value: "${value}": ${why}`), r.stderr);
    }
    assert.deepEqual(Object.keys((await ds(c, "invalid")).metadata?.annotations ?? {}).filter((k) => k.includes("everynode.dev/")), []);
  });

  test("the kubectl plugin: pause, status, promote", async () => {
    const old = await created(c, "plugin", { "rollout.everynode.dev/partition": "4" });
    const pause = await pluginKubectl(["everynode", "rollout", "pause", "ds/plugin"]);
    assert.equal(pause.stdout.trim(), "daemonset.apps/plugin paused", pause.stderr);
    await c.kubectlOk(["set", "image", "ds/plugin", "c=img:2"]);
    await until(async () => (await ds(c, "plugin")).status?.observedGeneration === 2, "generation 2 observed");
    const status = await pluginKubectl(["everynode", "rollout", "status", "ds/plugin", "-n", "default"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^daemon set "plugin" rollout is paused: 0 of 5 nodes updated, 5 available$/m);
    assert.match(status.stdout, /^controls: paused=true partition=4$/m);
    const promote = await pluginKubectl(["everynode", "rollout", "promote", "ds/plugin"]);
    assert.equal(promote.stdout.trim(), "daemonset.apps/plugin promoted", promote.stderr);
    await c.kubectlOk(["rollout", "status", "ds/plugin", "--timeout=60s"]);
    assert.deepEqual(await updatedNodes(c, "plugin", old), nodeNames);
    const done = await pluginKubectl(["everynode", "rollout", "status", "ds/plugin"]);
    assert.equal(done.stdout.trim(), 'daemon set "plugin" successfully rolled out');
    const version = await pluginKubectl(["everynode", "version"]);
    assert.match(version.stdout, /^everynode \S+ \(Kubernetes API v1\.32\)$/m);
  });
});
