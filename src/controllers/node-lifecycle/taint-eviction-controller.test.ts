import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreEvent, KubeObject, Pod, Taint, Toleration } from "../../api/types.js";
import { node, pod } from "../../apiserver/registry/testing/fixtures.js";
import { R, settle, until, withControlLoop, type TestCluster } from "../../controller/testing/cluster.js";
import { rfc3339 } from "../../client/event-recorder.js";
import { TaintEvictionController } from "./taint-eviction-controller.js";

function withController(fn: (c: TestCluster, tec: TaintEvictionController) => Promise<void>): Promise<void> {
  return withControlLoop((base) => new TaintEvictionController(base), fn);
}

const dedicated = (c: TestCluster): Taint => ({ key: "dedicated", value: "db", effect: "NoExecute", timeAdded: rfc3339(c.clock.now()) });

async function setTaints(c: TestCluster, name: string, taints: Taint[] | null): Promise<void> {
  await c.client.patch(R.nodes, undefined, name, "merge", { spec: { taints } });
}

async function createPod(c: TestCluster, name: string, tolerations: Toleration[] = []): Promise<void> {
  const p = pod(name, { nodeName: "n1" });
  (p.spec as Record<string, unknown>).tolerations = tolerations;
  await c.client.create<KubeObject>(R.pods, "default", p);
}

async function terminating(c: TestCluster, name: string): Promise<boolean> {
  return !!(await c.client.get<Pod>(R.pods, "default", name)).metadata?.deletionTimestamp;
}

async function evictionEvents(c: TestCluster): Promise<string[]> {
  return (await c.client.list<CoreEvent>(R.events, "default")).items.filter((e) => e.reason === "TaintManagerEviction").map((e) => e.message ?? "").sort();
}

/** Moves the fake clock by `seconds`, one second at a time, letting the controller work. */
async function pass(c: TestCluster, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    c.clock.advance(1000);
    await settle(10);
  }
}

describe("TaintEvictionController", () => {
  test("a pod not tolerating a NoExecute taint is deleted at once (gracefully), with event and DisruptionTarget", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await createPod(c, "victim");
    await createPod(c, "tolerant", [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoExecute" }]);
    await settle();
    await setTaints(c, "n1", [dedicated(c)]);
    await until(c.clock, () => terminating(c, "victim"), "victim terminating", 0);
    const victim = await c.client.get<Pod>(R.pods, "default", "victim");
    const condition = victim.status?.conditions?.find((x) => x.type === "DisruptionTarget");
    assert.equal(condition?.reason, "DeletionByTaintManager");
    assert.equal(condition?.message, "Taint manager: deleting due to NoExecute taint");
    await c.client.delete(R.pods, "default", "victim", { gracePeriodSeconds: 0 });
    await pass(c, 600);
    assert.equal(await terminating(c, "tolerant"), false, "tolerated forever");
    await until(c.clock, async () => (await evictionEvents(c)).length === 1, "event", 0);
    assert.deepEqual(await evictionEvents(c), ["Marking for deletion Pod default/victim"]);
  }));

  test("tolerationSeconds: deleted that long after the taint's timeAdded", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await createPod(c, "short", [{ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }]);
    await createPod(c, "long", [{ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 120 }]);
    await settle();
    await setTaints(c, "n1", [dedicated(c)]);
    await pass(c, 29);
    assert.equal(await terminating(c, "short"), false, "29 s: still tolerated");
    await pass(c, 2);
    await until(c.clock, () => terminating(c, "short"), "short evicted after 30 s", 0);
    assert.equal(await terminating(c, "long"), false);
    await pass(c, 90);
    await until(c.clock, () => terminating(c, "long"), "long evicted after 120 s", 0);
  }));

  test("a pending eviction is cancelled (with an event) when the taint goes away", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await createPod(c, "spared", [{ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }]);
    await settle();
    await setTaints(c, "n1", [dedicated(c)]);
    await pass(c, 10);
    await setTaints(c, "n1", null);
    await pass(c, 120);
    assert.equal(await terminating(c, "spared"), false);
    await until(c.clock, async () => (await evictionEvents(c)).length === 1, "cancel event", 0);
    assert.deepEqual(await evictionEvents(c), ["Cancelling deletion of Pod default/spared"]);
  }));

  test("a pod bound to an already tainted node, created after the taint, gets its full toleration", () => withController(async (c) => {
    await c.client.create(R.nodes, undefined, node("n1"));
    await setTaints(c, "n1", [dedicated(c)]);
    await pass(c, 100);
    await createPod(c, "late", [{ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 }]);
    await pass(c, 15);
    assert.equal(await terminating(c, "late"), false);
    await pass(c, 10);
    await until(c.clock, () => terminating(c, "late"), "late evicted", 0);
  }));
});
