import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findResource } from "../api/resources.js";
import type { ControllerRevision, DaemonSet, Pod } from "../api/types.js";
import { startTestCluster, until, type TestCluster } from "./harness.js";

const pods = findResource("", "pods")!;
const daemonSets = findResource("apps", "daemonsets")!;
const controllerRevisions = findResource("apps", "controllerrevisions")!;
const hashLabel = "controller-revision-hash";

/** A DaemonSet manifest labelled app=<name> with one container `c`. */
function daemonSet(name: string, image: string, extraSpec = "", annotations = "{}"): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  annotations: ${annotations}
spec:
  selector: {matchLabels: {app: ${name}}}
${extraSpec}  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: "${image}"}]
`;
}

/** The DaemonSet's pods that are not being deleted. */
async function activePods(c: TestCluster, name: string): Promise<Pod[]> {
  const list = await c.plane.client.list<Pod>(pods, "default", { labelSelector: `app=${name}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Revision number by hash of the DaemonSet's ControllerRevisions. */
async function revisions(c: TestCluster, name: string): Promise<Map<string, number>> {
  const list = await c.plane.client.list<ControllerRevision>(controllerRevisions, "default", { labelSelector: `app=${name}` });
  return new Map(list.items.map((r) => [r.metadata?.labels?.[hashLabel] ?? "", r.revision]));
}

/** Waits until the controller observed the latest generation and 3 available pods all run `image`; returns them. */
async function settled(c: TestCluster, name: string, image: string): Promise<Pod[]> {
  let result: Pod[] = [];
  await until(async () => {
    const ds = await c.plane.client.get<DaemonSet>(daemonSets, "default", name);
    if ((ds.status?.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0) || ds.status?.numberAvailable !== 3) return false;
    const all = await c.plane.client.list<Pod>(pods, "default", { labelSelector: `app=${name}` });
    result = all.items;
    return result.length === 3 && result.every((p) => p.spec?.containers[0]?.image === image && !p.metadata?.deletionTimestamp);
  }, `${name} settled on ${image}`);
  return result;
}

const uidByNode = (list: readonly Pod[]): Map<string, string> => new Map(list.map((p) => [p.spec?.nodeName ?? "", p.metadata?.uid ?? ""]));

/** The REVISION column of `kubectl rollout history` with each revision's CHANGE-CAUSE. */
function historyRows(out: string, name: string): string[] {
  const lines = out.trimEnd().split("\n");
  assert.equal(lines[0]?.trimEnd(), `daemonset.apps/${name}`);
  assert.match(lines[1] ?? "", /^REVISION\s+CHANGE-CAUSE$/);
  return lines.slice(2).map((l) => l.trimEnd().replace(/\s+/, " "));
}

/** Replaces every node at once: these tests are about history, not pacing. */
const allAtOnce = "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 3}}\n";

describe("revision history and kubectl rollout on 3 nodes", { concurrency: true }, () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  test("OnDelete: a template change restarts nothing; a deleted pod comes back on the new template", async () => {
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("od", "img:1", "  updateStrategy: {type: OnDelete}\n"));
    const original = await settled(c, "od", "img:1");
    const oldHash = original[0]?.metadata?.labels?.[hashLabel];
    const status = await c.kubectl(["rollout", "status", "ds/od"]);
    assert.equal(status.code, 1);
    assert.equal(status.stderr.trim(), "error: rollout status is only available for RollingUpdate strategy type");

    assert.equal((await c.kubectlOk(["set", "image", "ds/od", "c=img:2"])).trim(), "daemonset.apps/od image updated");
    await until(async () => {
      const ds = await c.plane.client.get<DaemonSet>(daemonSets, "default", "od");
      return ds.status?.observedGeneration === 2;
    }, "generation 2 observed");
    // The sync that observed generation 2 is done: it replaced nothing.
    const kept = await activePods(c, "od");
    assert.deepEqual(uidByNode(kept), uidByNode(original));
    assert.ok(kept.every((p) => p.metadata?.labels?.[hashLabel] === oldHash));
    const ds = await c.plane.client.get<DaemonSet>(daemonSets, "default", "od");
    assert.equal(ds.status?.updatedNumberScheduled ?? 0, 0);

    const victim = kept.find((p) => p.spec?.nodeName === "node-2")!;
    assert.equal((await c.kubectlOk(["delete", "pod", victim.metadata!.name!])).trim(), `pod "${victim.metadata!.name!}" deleted`);
    let replacement: Pod | undefined;
    await until(async () => {
      replacement = (await activePods(c, "od")).find((p) => p.spec?.nodeName === "node-2" && p.status?.phase === "Running");
      return replacement !== undefined && replacement.metadata?.uid !== victim.metadata?.uid;
    }, "a replacement pod on node-2");
    assert.equal(replacement?.spec?.containers[0]?.image, "img:2");
    const newHash = replacement?.metadata?.labels?.[hashLabel];
    assert.notEqual(newHash, oldHash);
    const now = uidByNode(await activePods(c, "od"));
    assert.equal(now.get("node-1"), uidByNode(original).get("node-1"));
    assert.equal(now.get("node-3"), uidByNode(original).get("node-3"));

    const revs = await revisions(c, "od");
    assert.equal(revs.size, 2);
    assert.equal(revs.get(oldHash ?? ""), 1);
    assert.equal(revs.get(newHash ?? ""), 2);
  });

  test("rollout history, history --revision, undo (renumbering), undo --to-revision, a missing revision, restart", async () => {
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("hist", "img:1", allAtOnce));
    const rev1Pods = await settled(c, "hist", "img:1");
    const nothing = await c.kubectl(["rollout", "undo", "ds/hist"]);
    assert.equal(nothing.code, 1);
    assert.equal(nothing.stderr.trim(), "error: no last revision to roll back to");
    const hash1 = rev1Pods[0]?.metadata?.labels?.[hashLabel] ?? "";
    // The change-cause annotation is copied from the DaemonSet into the revision the change creates.
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("hist", "img:2", allAtOnce, "{kubernetes.io/change-cause: \"image 2\"}"));
    const rev2Pods = await settled(c, "hist", "img:2");
    const hash2 = rev2Pods[0]?.metadata?.labels?.[hashLabel] ?? "";

    assert.deepEqual(historyRows(await c.kubectlOk(["rollout", "history", "ds/hist"]), "hist"), ["1 <none>", "2 image 2"]);
    const one = await c.kubectlOk(["rollout", "history", "ds/hist", "--revision=1"]);
    assert.match(one, /^daemonset\.apps\/hist with revision #1$/m);
    assert.match(one, /^Pod Template:$/m);
    assert.match(one, /^\s+Labels:\s+app=hist$/m);
    assert.match(one, /^\s+Image:\s+img:1$/m);
    assert.match(await c.kubectlOk(["rollout", "history", "ds/hist", "--revision=2"]), /^\s+Image:\s+img:2$/m);
    const noSuch = await c.kubectl(["rollout", "history", "ds/hist", "--revision=9"]);
    assert.equal(noSuch.code, 1);
    assert.equal(noSuch.stderr.trim(), "error: unable to find the specified revision");

    // Undo goes back to the previous revision, which becomes revision 3.
    assert.equal((await c.kubectlOk(["rollout", "undo", "ds/hist"])).trim(), "daemonset.apps/hist rolled back");
    const back = await settled(c, "hist", "img:1");
    assert.ok(back.every((p) => p.metadata?.labels?.[hashLabel] === hash1), "the rollback reuses revision 1's hash");
    assert.deepEqual([...(await revisions(c, "hist"))].sort(), [[hash1, 3], [hash2, 2]].sort());
    assert.deepEqual(historyRows(await c.kubectlOk(["rollout", "history", "ds/hist"]), "hist"), ["2 image 2", "3 <none>"]);

    assert.equal((await c.kubectlOk(["rollout", "undo", "ds/hist", "--to-revision=2"])).trim(), "daemonset.apps/hist rolled back");
    await settled(c, "hist", "img:2");
    await until(async () => (await revisions(c, "hist")).get(hash2) === 4, "revision 2 renumbered to 4");
    assert.deepEqual(historyRows(await c.kubectlOk(["rollout", "history", "ds/hist"]), "hist"), ["3 <none>", "4 image 2"]);
    // kubectl compares the revision's data byte for byte with the current template and skips an equal one.
    assert.equal((await c.kubectlOk(["rollout", "undo", "ds/hist", "--to-revision=4"])).trim(),
      "daemonset.apps/hist skipped rollback (current template already matches revision 4)");

    const missing = await c.kubectl(["rollout", "undo", "ds/hist", "--to-revision=9"]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), "error: unable to find specified revision 9 in history");

    const beforeRestart = await activePods(c, "hist");
    assert.equal((await c.kubectlOk(["rollout", "restart", "ds/hist"])).trim(), "daemonset.apps/hist restarted");
    const status = await c.kubectl(["rollout", "status", "ds/hist", "--timeout=60s"]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /daemon set "hist" successfully rolled out\n$/);
    const restarted = await settled(c, "hist", "img:2");
    const oldUids = new Set(beforeRestart.map((p) => p.metadata?.uid));
    assert.ok(restarted.every((p) => !oldUids.has(p.metadata?.uid)), "every pod was replaced");
    const ds = await c.plane.client.get<DaemonSet>(daemonSets, "default", "hist");
    assert.ok(ds.spec?.template?.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]);
    const revs = await revisions(c, "hist");
    assert.equal(revs.size, 3);
    assert.equal(revs.get(restarted[0]?.metadata?.labels?.[hashLabel] ?? ""), 5);
  });

  test("a rollback in the middle of a stalled rollout restarts no pod that never changed", async () => {
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("rb", "img:1"));
    const original = await settled(c, "rb", "img:1");
    const hash1 = original[0]?.metadata?.labels?.[hashLabel];
    await c.kubectlOk(["set", "image", "ds/rb", "c=everynode.dev/not-ready:2"]);
    // The first replaced node gets a pod that never becomes ready: the rollout stalls there.
    let stuck: Pod | undefined;
    await until(async () => {
      stuck = (await activePods(c, "rb")).find((p) => p.spec?.containers[0]?.image === "everynode.dev/not-ready:2" && p.status?.phase === "Running");
      return stuck !== undefined;
    }, "a never-ready pod running");
    const untouched = (await activePods(c, "rb")).filter((p) => p.metadata?.labels?.[hashLabel] === hash1);
    assert.equal(untouched.length, 2, "maxUnavailable 1 replaced a single node");
    const stalled = await c.kubectl(["rollout", "status", "ds/rb", "--timeout=1s"]);
    assert.equal(stalled.code, 1);
    assert.match(stalled.stdout, /^Waiting for daemon set "rb" rollout to finish: 1 out of 3 new pods have been updated\.\.\.$/m);
    assert.equal(stalled.stderr.trim(), "error: timed out waiting for the condition");

    assert.equal((await c.kubectlOk(["rollout", "undo", "ds/rb"])).trim(), "daemonset.apps/rb rolled back");
    const final = await settled(c, "rb", "img:1");
    assert.ok(final.every((p) => p.metadata?.labels?.[hashLabel] === hash1));
    const finalUids = new Set(final.map((p) => p.metadata?.uid));
    for (const p of untouched) assert.ok(finalUids.has(p.metadata?.uid), `pod ${p.metadata?.name ?? ""} was restarted`);
    assert.ok(!finalUids.has(stuck?.metadata?.uid), "the never-ready pod was replaced");
    const revs = await revisions(c, "rb");
    assert.equal(revs.size, 2);
    assert.equal(revs.get(hash1 ?? ""), 3);
  });

  test("revisionHistoryLimit: old revisions beyond the limit go, never one a live pod uses", async () => {
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("lim", "img:1", `  revisionHistoryLimit: 2\n${allAtOnce}`));
    await settled(c, "lim", "img:1");
    for (const i of [2, 3, 4, 5, 6]) await c.kubectlOk(["set", "image", "ds/lim", `c=img:${i}`]);
    const final = await settled(c, "lim", "img:6");
    const current = final[0]?.metadata?.labels?.[hashLabel] ?? "";
    await until(async () => (await revisions(c, "lim")).size === 3, "history trimmed to limit + current");
    const revs = await revisions(c, "lim");
    // Which two old revisions survive depends on which ones pods still carried at each cleanup.
    assert.equal(revs.get(current), 6);
    assert.ok([...revs.values()].every((r) => r !== undefined && r <= 6));

    // OnDelete keeps the pods on revision 1: that revision stays however many changes follow.
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("keep", "img:1", "  revisionHistoryLimit: 1\n  updateStrategy: {type: OnDelete}\n"));
    const kept = await settled(c, "keep", "img:1");
    const hash1 = kept[0]?.metadata?.labels?.[hashLabel] ?? "";
    for (const i of [2, 3, 4]) {
      await c.kubectlOk(["set", "image", "ds/keep", `c=img:${i}`]);
      await until(async () => (await c.plane.client.get<DaemonSet>(daemonSets, "default", "keep")).status?.observedGeneration === i, `generation ${i} observed`);
    }
    await until(async () => (await revisions(c, "keep")).size === 2, "revisions 2 and 3 cleaned up");
    const keepRevs = await revisions(c, "keep");
    assert.equal(keepRevs.get(hash1), 1, "the revision live pods carry is kept");
    assert.deepEqual([...keepRevs.values()].sort(), [1, 4]);
    assert.deepEqual(uidByNode(await activePods(c, "keep")), uidByNode(kept));
  });
});
