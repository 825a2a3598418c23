import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findResource } from "../api/resources.js";
import type { ControllerRevision, Pod } from "../api/types.js";
import { startTestCluster, until, type TestCluster } from "./harness.js";

const pods = findResource("", "pods")!;
const nodeNames = ["node-1", "node-2", "node-3"];
const hashLabel = "controller-revision-hash";

/** A DaemonSet manifest labelled app=<name> with one container `c`. */
function daemonSet(name: string, image: string, extraSpec = ""): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: ${name}}}
${extraSpec}  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: "${image}"}]
`;
}

/** Ready (for more than minReadySeconds at `now`) and not being deleted: what the upstream e2e checks count as available. */
function available(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  if (!ready) return false;
  return minReadySeconds === 0 || Date.parse(ready.lastTransitionTime ?? "") + minReadySeconds * 1000 <= now;
}

/** What one state of a DaemonSet's pods looked like. */
interface Sample {
  /** Nodes without an available pod. */
  unavailableNodes: number;
  /** The most active (not deleting) pods one node had. */
  maxPodsOnNode: number;
  /** The most active pods of one hash one node had. */
  maxSameHashOnNode: number;
  /** Nodes with more than one active pod. */
  surgingNodes: number;
  /** Distinct hashes among active pods. */
  versions: number;
}

/**
 * Lists the pods labelled app=<name>, then watches from the list's resourceVersion and evaluates every state the
 * watch goes through (each event applied in resourceVersion order), so no intermediate state escapes the checks.
 */
class PodSampler {
  readonly samples: Sample[] = [];
  private readonly state = new Map<string, Pod>();
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private error: unknown;

  private constructor(private readonly minReadySeconds: number) {}

  /** Starts sampling; the listed state is the first sample. */
  static async start(c: TestCluster, name: string, minReadySeconds: number): Promise<PodSampler> {
    const s = new PodSampler(minReadySeconds);
    const list = await c.plane.client.list<Pod>(pods, "default", { labelSelector: `app=${name}` });
    for (const pod of list.items) s.state.set(pod.metadata?.uid ?? "", pod);
    s.samples.push(s.sample());
    const watch = c.plane.client.watch<Pod>(pods, "default", { labelSelector: `app=${name}`, resourceVersion: list.metadata.resourceVersion }, s.abort.signal);
    s.done = (async () => {
      try {
        for await (const ev of watch) {
          if (ev.type === "ERROR") throw new Error(`watch failed: ${JSON.stringify(ev.object)}`);
          if (ev.type === "BOOKMARK") continue;
          const pod = ev.object as Pod;
          const uid = pod.metadata?.uid ?? "";
          if (ev.type === "DELETED") s.state.delete(uid);
          else s.state.set(uid, pod);
          s.samples.push(s.sample());
        }
      } catch (error) {
        if (!s.abort.signal.aborted) s.error = error;
      }
    })();
    return s;
  }

  private sample(): Sample {
    const now = Date.now();
    const active = [...this.state.values()].filter((p) => !p.metadata?.deletionTimestamp);
    let unavailableNodes = 0;
    let maxPodsOnNode = 0;
    let maxSameHashOnNode = 0;
    let surgingNodes = 0;
    for (const node of nodeNames) {
      const onNode = active.filter((p) => p.spec?.nodeName === node);
      if (!onNode.some((p) => available(p, this.minReadySeconds, now))) unavailableNodes++;
      maxPodsOnNode = Math.max(maxPodsOnNode, onNode.length);
      if (onNode.length > 1) surgingNodes++;
      const perHash = new Map<string, number>();
      for (const p of onNode) {
        const h = p.metadata?.labels?.[hashLabel] ?? "";
        perHash.set(h, (perHash.get(h) ?? 0) + 1);
      }
      maxSameHashOnNode = Math.max(maxSameHashOnNode, ...perHash.values());
    }
    const versions = new Set(active.map((p) => p.metadata?.labels?.[hashLabel] ?? "")).size;
    return { unavailableNodes, maxPodsOnNode, maxSameHashOnNode, surgingNodes, versions };
  }

  /** Stops watching; rethrows a watch failure. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
    if (this.error !== undefined) throw this.error;
  }

  /** The maximum of one field over all samples. */
  max(field: keyof Sample): number {
    return Math.max(0, ...this.samples.map((s) => s[field]));
  }
}

async function listPods(c: TestCluster, name: string): Promise<Pod[]> {
  return (await c.plane.client.list<Pod>(pods, "default", { labelSelector: `app=${name}` })).items;
}

/** Asserts the lines `kubectl rollout status` printed are upstream's messages and that it ended rolled out. */
function assertRolloutStatus(out: string, name: string, progress: { updated?: boolean; available?: boolean } = {}): void {
  const lines = out.trim().split("\n");
  const known = [
    new RegExp(`^Waiting for daemon set "${name}" rollout to finish: \\d out of 3 new pods have been updated\\.\\.\\.$`),
    new RegExp(`^Waiting for daemon set "${name}" rollout to finish: \\d of 3 updated pods are available\\.\\.\\.$`),
    /^Waiting for daemon set spec update to be observed\.\.\.$/,
  ];
  for (const line of lines.slice(0, -1)) assert.ok(known.some((re) => re.test(line)), `unexpected rollout status line: ${line}`);
  assert.equal(lines.at(-1), `daemon set "${name}" successfully rolled out`);
  if (progress.updated) assert.ok(lines.some((l) => known[0]!.test(l)), `no "new pods have been updated" progress in:\n${out}`);
  if (progress.available) assert.ok(lines.some((l) => known[1]!.test(l)), `no "updated pods are available" progress in:\n${out}`);
}

describe("rolling updates with kubectl on 3 nodes", { concurrency: true }, () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  /** Creates the DaemonSet, waits until it is rolled out and returns a sampler already holding its 3 pods. */
  async function createRolledOut(name: string, image: string, extraSpec: string, minReadySeconds = 0): Promise<PodSampler> {
    assert.equal((await c.kubectlOk(["apply", "-f", "-"], daemonSet(name, image, extraSpec))).trim(), `daemonset.apps/${name} created`);
    assertRolloutStatus(await c.kubectlOk(["rollout", "status", `ds/${name}`, "--timeout=30s"]), name);
    const sampler = await PodSampler.start(c, name, minReadySeconds);
    assert.equal(sampler.samples[0]?.unavailableNodes, 0);
    return sampler;
  }

  test("set image, rollout status, revisions: all pods on the new hash, never more than 1 unavailable", async () => {
    const sampler = await createRolledOut("ru", "img:1", "");
    const before = await listPods(c, "ru");
    assert.equal(before.length, 3);
    assert.equal((await c.kubectlOk(["set", "image", "ds/ru", "c=img:2"])).trim(), "daemonset.apps/ru image updated");
    const status = await c.kubectl(["rollout", "status", "ds/ru", "--timeout=60s"]);
    assert.equal(status.code, 0, status.stderr);
    assertRolloutStatus(status.stdout, "ru", { updated: true, available: true });
    await sampler.stop();
    assert.equal(sampler.max("unavailableNodes"), 1, "the budget of 1 was used but never exceeded");
    assert.equal(sampler.max("maxPodsOnNode"), 1, "without surge a node never runs two active pods");

    const after = await listPods(c, "ru");
    const active = after.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(active.length, 3);
    const hashes = new Set(active.map((p) => p.metadata?.labels?.[hashLabel]));
    assert.equal(hashes.size, 1);
    const [hash] = [...hashes];
    assert.notEqual(hash, before[0]?.metadata?.labels?.[hashLabel]);
    assert.deepEqual(active.map((p) => p.spec?.containers[0]?.image), ["img:2", "img:2", "img:2"]);
    assert.deepEqual(active.map((p) => p.spec?.nodeName).sort(), nodeNames);
    assert.ok(active.every((p) => p.metadata?.labels?.["pod-template-generation"] === "2"));

    const table = (await c.kubectlOk(["get", "controllerrevisions", "-l", "app=ru"])).trim().split("\n");
    assert.match(table[0] ?? "", /^NAME\s+CONTROLLER\s+REVISION\s+AGE$/);
    assert.equal(table.length, 3);
    assert.match(table.join("\n"), new RegExp(`^ru-${hash}\\s+daemonset\\.apps/ru\\s+2\\s+\\d+s$`, "m"));
    assert.match(table.join("\n"), /^ru-\w+\s+daemonset\.apps\/ru\s+1\s+\d+s$/m);
    const revisions = JSON.parse(await c.kubectlOk(["get", "controllerrevisions", "-l", "app=ru", "-o", "json"])) as { items: ControllerRevision[] };
    const current = revisions.items.find((r) => r.metadata?.labels?.[hashLabel] === hash);
    assert.equal(current?.revision, 2);
  });

  test("maxUnavailable 2 and 40% (rounded up to 2 of 3) are used but never exceeded", async () => {
    const cases = [
      { name: "ru-two", strategy: "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}\n" },
      { name: "ru-pct", strategy: "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: \"40%\"}}\n" },
    ];
    await Promise.all(cases.map(async ({ name, strategy }) => {
      const sampler = await createRolledOut(name, "img:1", strategy);
      await c.kubectlOk(["set", "image", `ds/${name}`, "c=img:2"]);
      const status = await c.kubectl(["rollout", "status", `ds/${name}`, "--timeout=60s"]);
      assert.equal(status.code, 0, status.stderr);
      assertRolloutStatus(status.stdout, name, { updated: true, available: true });
      await sampler.stop();
      assert.equal(sampler.max("unavailableNodes"), 2, `${name}: unavailable nodes over the rollout`);
      const images = (await listPods(c, name)).filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec?.containers[0]?.image);
      assert.deepEqual(images, ["img:2", "img:2", "img:2"]);
    }));
  });

  test("surge: maxUnavailable 0, maxSurge 20%, minReadySeconds 2", async () => {
    const strategy = "  minReadySeconds: 2\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: \"20%\"}}\n";
    const sampler = await createRolledOut("surge", "img:1", strategy, 2);
    const original = await listPods(c, "surge");
    await c.kubectlOk(["set", "image", "ds/surge", "c=img:2"]);
    const status = await c.kubectl(["rollout", "status", "ds/surge", "--timeout=60s"]);
    assert.equal(status.code, 0, status.stderr);
    // The oldest pod of a node is the one counted, so with surge the old pod stays "available" until it goes.
    assertRolloutStatus(status.stdout, "surge", { updated: true });
    await until(async () => (await listPods(c, "surge")).length === 3, "the old pods to be gone");
    await sampler.stop();
    assert.equal(sampler.max("unavailableNodes"), 0, "a node was left without an available pod");
    assert.equal(sampler.max("maxSameHashOnNode"), 1, "more than one pod of one version on a node");
    assert.equal(sampler.max("maxPodsOnNode"), 2, "the new pod surges next to the old one");
    assert.equal(sampler.max("versions"), 2);
    assert.equal(sampler.max("surgingNodes"), 1, "maxSurge 20% of 3 rounds up to 1: never two nodes surging at once");
    const final = await listPods(c, "surge");
    assert.deepEqual(final.map((p) => p.spec?.containers[0]?.image), ["img:2", "img:2", "img:2"]);
    const originalUids = new Set(original.map((p) => p.metadata?.uid));
    assert.ok(final.every((p) => !originalUids.has(p.metadata?.uid)));
  });
});
