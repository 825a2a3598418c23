import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { findResource } from "../api/resources.js";
import type { DaemonSetCondition } from "kubernetes-types/apps/v1.js";
import type { DaemonSet, Pod } from "../api/types.js";
import { kubectlStream, startTestCluster, until, type TestCluster } from "./harness.js";

const pods = findResource("", "pods")!;
const daemonSets = findResource("apps", "daemonsets")!;
const controllerRevisions = findResource("apps", "controllerrevisions")!;

/** A DaemonSet manifest with the given labels, selecting app=<name>, with one container `c`. */
function daemonSet(name: string, labels = "{}"): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  labels: ${labels}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: c, image: "img:1"}]
`;
}

async function available(c: TestCluster, name: string): Promise<boolean> {
  const ds = await c.plane.client.get<DaemonSet>(daemonSets, "default", name);
  return (ds.status?.observedGeneration ?? 0) >= (ds.metadata?.generation ?? 1) && ds.status?.numberAvailable === 3;
}

async function count(c: TestCluster, resource: typeof pods, labelSelector: string): Promise<number> {
  return (await c.plane.client.list(resource, "default", { labelSelector })).items.length;
}

const conditionTypes = (ds: DaemonSet): string[] => (ds.status?.conditions ?? []).map((x) => x.type);

describe("DaemonSet /status and collections on 3 nodes", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 3 }); });
  after(async () => { await c.stop(); });

  test("conditions written through /status survive the controller and are seen by watches", async () => {
    await c.kubectlOk(["apply", "-f", "-"], daemonSet("st"));
    await until(() => available(c, "st"), "st available");
    const list = await c.plane.client.list<DaemonSet>(daemonSets, "default", { fieldSelector: "metadata.name=st" });
    const abort = new AbortController();
    const seen: string[][] = [];
    const watching = (async () => {
      const watch = c.plane.client.watch<DaemonSet>(daemonSets, "default", { fieldSelector: "metadata.name=st", resourceVersion: list.metadata.resourceVersion }, abort.signal);
      try {
        for await (const ev of watch) if (ev.type === "MODIFIED") seen.push(conditionTypes(ev.object as DaemonSet));
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    })();
    // A list watch (field selector, not a name): kubectl watches from the list's resourceVersion, so a change made
    // before its watch is open is still delivered. `get ds st -w` would watch from "0" and drop the first event
    // (the synthetic ADDED of the current state): a patch landing between its GET and its watch went unprinted.
    const kubectlWatch = kubectlStream(c, ["get", "ds", "--field-selector", "metadata.name=st", "-w", "-o", "jsonpath={.status.conditions[*].type}{\"\\n\"}"]);
    try {
      const patched = await c.kubectl(["patch", "ds", "st", "--subresource=status", "--type=merge", "-p",
        '{"status":{"conditions":[{"type":"StatusUpdate","status":"True","reason":"E2E","message":"Set from e2e test"}]}}']);
      assert.equal(patched.code, 0, patched.stderr);
      assert.equal(patched.stdout.trim(), "daemonset.apps/st patched");
      await kubectlWatch.waitFor(/^StatusUpdate$/m);
      await until(() => seen.some((types) => types.includes("StatusUpdate")), "the client watch to see StatusUpdate");

      // The controller rewrites the counters during a rollout; the condition stays.
      await c.kubectlOk(["set", "image", "ds/st", "c=img:2"]);
      await c.kubectlOk(["rollout", "status", "ds/st", "--timeout=60s"]);
      const rolled = await c.plane.client.get<DaemonSet>(daemonSets, "default", "st");
      assert.equal(rolled.status?.observedGeneration, 2);
      assert.equal(rolled.status?.updatedNumberScheduled, 3);
      assert.equal(rolled.spec?.template?.spec?.containers[0]?.image, "img:2", "a status write leaves the spec alone");
      const kept = rolled.status?.conditions?.find((x) => x.type === "StatusUpdate");
      assert.deepEqual({ status: kept?.status, reason: kept?.reason, message: kept?.message }, { status: "True", reason: "E2E", message: "Set from e2e test" });

      const patchedCondition: DaemonSetCondition = { type: "StatusPatched", status: "True", reason: "E2E", message: "Updated from e2e test" };
      for (let attempt = 0; ; attempt++) {
        const fresh = await c.plane.client.get<DaemonSet>(daemonSets, "default", "st");
        const status = { ...fresh.status!, conditions: [...(fresh.status?.conditions ?? []), patchedCondition] };
        try {
          const updated = await c.plane.client.updateStatus<DaemonSet>(daemonSets, "default", { ...fresh, status });
          assert.deepEqual(conditionTypes(updated), ["StatusUpdate", "StatusPatched"]);
          break;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
      await kubectlWatch.waitFor(/^StatusUpdate StatusPatched$/m);
      await until(() => seen.some((types) => types.join() === "StatusUpdate,StatusPatched"), "the client watch to see both conditions");
      assert.deepEqual(conditionTypes(await c.plane.client.get<DaemonSet>(daemonSets, "default", "st")), ["StatusUpdate", "StatusPatched"]);
    } finally {
      await kubectlWatch.stop();
      abort.abort();
      await watching;
    }
  });

  test("kubectl delete ds -l removes the labelled DaemonSets, their pods and revisions", async () => {
    await c.kubectlOk(["apply", "-f", "-"], [daemonSet("coll-a", "{group: coll}"), daemonSet("coll-b", "{group: coll}"), daemonSet("other")].join("---\n"));
    await until(async () => await available(c, "coll-a") && await available(c, "coll-b") && await available(c, "other"), "the DaemonSets available");
    const out = await c.kubectlOk(["delete", "ds", "-l", "group=coll"]);
    assert.deepEqual(out.trim().split("\n").sort(), ['daemonset.apps "coll-a" deleted', 'daemonset.apps "coll-b" deleted']);
    const left = await c.kubectl(["get", "ds", "-l", "group=coll"]);
    assert.equal(left.stdout, "");
    assert.match(left.stderr, /No resources found in default namespace\./);
    for (const name of ["coll-a", "coll-b"]) {
      await until(async () => await count(c, pods, `app=${name}`) === 0 && await count(c, controllerRevisions, `app=${name}`) === 0, `${name} dependents collected`);
    }
    assert.match(await c.kubectlOk(["get", "ds"]), /^other\s+3\s+3\s+3\s+3\s+3\s/m);
    assert.equal(await count(c, pods, "app=other"), 3);
  });

  test("list and delete a collection of DaemonSets through the API", async () => {
    const labelSelector = "daemonset-static=true";
    for (const name of ["static-a", "static-b"]) {
      const ds = await c.plane.client.create<DaemonSet>(daemonSets, "default", {
        apiVersion: "apps/v1", kind: "DaemonSet",
        metadata: { name, labels: { "daemonset-static": "true" } },
        spec: {
          selector: { matchLabels: { app: name } },
          template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "img:1" }] } },
        },
      });
      assert.equal(ds.metadata?.generation, 1);
    }
    await until(async () => await available(c, "static-a") && await available(c, "static-b"), "static DaemonSets available");
    const listed = await c.plane.client.list<DaemonSet>(daemonSets, undefined, { labelSelector });
    assert.deepEqual(listed.items.map((d) => d.metadata?.name).sort(), ["static-a", "static-b"]);

    await c.plane.client.deleteCollection(daemonSets, "default", { labelSelector });
    await until(async () => (await c.plane.client.list(daemonSets, undefined, { labelSelector })).items.length === 0, "the collection deleted");
    for (const name of ["static-a", "static-b"]) {
      await until(async () => await count(c, pods, `app=${name}`) === 0 && await count(c, controllerRevisions, `app=${name}`) === 0, `${name} dependents collected`);
    }
    assert.ok((await c.plane.client.list<Pod>(pods, "default", { labelSelector: "app=other" })).items.length === 3, "other DaemonSets untouched");
  });
});
