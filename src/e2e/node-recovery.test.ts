import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

const manifest = join(import.meta.dirname, "../../src/e2e/fixtures/daemon-set-definition.yaml");

/** `kubectl get ds monitoring-daemon`'s DESIRED CURRENT READY UP-TO-DATE AVAILABLE. */
async function dsCounts(c: TestCluster): Promise<string> {
  const row = (await c.kubectlOk(["get", "ds", "monitoring-daemon", "--no-headers"])).trim().split(/\s+/);
  return row.slice(1, 6).join(" ");
}

/** Each daemon pod's node, READY column and Ready condition, as kubectl prints them. */
async function podReadiness(c: TestCluster): Promise<{ node: string; column: string; condition: string }[]> {
  const table = await c.kubectlOk(["get", "pods", "-l", "app=monitoring-agent", "-o", "wide", "--no-headers"]);
  const columns = new Map(table.trim().split("\n").map((l) => l.split(/\s+/)).map((cells) => [cells[0] ?? "", cells[1] ?? ""]));
  const conditions = await c.kubectlOk(["get", "pods", "-l", "app=monitoring-agent", "-o",
    "jsonpath={range .items[*]}{.metadata.name} {.spec.nodeName} {.status.conditions[?(@.type==\"Ready\")].status}{\"\\n\"}{end}"]);
  return conditions.trim().split("\n").map((l) => l.split(" ")).map(([name = "", node = "", condition = ""]) => ({ node, column: columns.get(name) ?? "", condition }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

const timing = { nodes: 3, nodeMonitorGracePeriodMs: 3_000, leaseRenewIntervalMs: 500 };

describe("a node that goes away and comes back", () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test("its daemon pod is Ready again within seconds, also after a restart, and the READY column agrees", async () => {
    const dir = await mkdtemp(join(tmpdir(), "everynode-recovery-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    let c = await startTestCluster({ ...timing, storage: "sqlite", dataDir });
    try {
      await c.kubectlOk(["create", "-f", "-"], await readFile(manifest, "utf8"));
      await eventually(async () => assert.equal(await dsCounts(c), "3 3 3 3 3"));
      await c.kubectlOk(["annotate", "node", "node-2", "everynode.dev/simulated-"]);
      await eventually(async () => {
        assert.match(await c.kubectlOk(["get", "node", "node-2", "--no-headers"]), /^node-2\s+NotReady\s/);
        const taints = await c.kubectlOk(["get", "node", "node-2", "-o", "jsonpath={.spec.taints[*].key}"]);
        assert.match(taints, /node\.kubernetes\.io\/unreachable/);
        // The READY column follows the Ready condition: the unreachable node's pod reads 0/1 and False.
        assert.deepEqual((await podReadiness(c)).find((p) => p.node === "node-2"), { node: "node-2", column: "0/1", condition: "False" });
        // As upstream: the unreachable NoSchedule taint takes the node out of DESIRED; its pod keeps running.
        assert.equal(await dsCounts(c), "2 2 2 2 2");
      }, 30_000);
      // The node stays away across a restart of the control plane; then its kubelet comes back.
      await c.stop();
      c = await startTestCluster({ ...timing, storage: "sqlite", dataDir });
      await c.kubectlOk(["annotate", "node", "node-2", "everynode.dev/simulated=true"]);
      const back = Date.now();
      await eventually(async () => assert.equal(await dsCounts(c), "3 3 3 3 3"), 10_000);
      assert.ok(Date.now() - back < 10_000);
      assert.deepEqual(await podReadiness(c), ["node-1", "node-2", "node-3"].map((node) => ({ node, column: "1/1", condition: "True" })));
      await eventually(async () => assert.match(await c.kubectlOk(["get", "node", "node-2", "--no-headers"]), /^node-2\s+Ready\s/));
      // And once more without a restart.
      await c.kubectlOk(["annotate", "node", "node-3", "everynode.dev/simulated-"]);
      await eventually(async () => assert.deepEqual((await podReadiness(c)).find((p) => p.node === "node-3"), { node: "node-3", column: "0/1", condition: "False" }), 30_000);
      await c.kubectlOk(["annotate", "node", "node-3", "everynode.dev/simulated=true"]);
      await eventually(async () => assert.equal(await dsCounts(c), "3 3 3 3 3"), 10_000);
      assert.deepEqual(await podReadiness(c), ["node-1", "node-2", "node-3"].map((node) => ({ node, column: "1/1", condition: "True" })));
    } finally {
      await c.stop();
    }
  });
});

describe("a node that is removed", () => {
  let c: TestCluster;
  after(async () => { await c.stop(); });

  test("its daemon pod is gone within 5 s of kubectl delete node", async () => {
    c = await startTestCluster({ nodes: 3 });
    await c.kubectlOk(["create", "-f", "-"], await readFile(manifest, "utf8"));
    await eventually(async () => assert.equal(await dsCounts(c), "3 3 3 3 3"));
    await c.kubectlOk(["delete", "node", "node-3"]);
    const deleted = Date.now();
    await eventually(async () => {
      const nodes = (await c.kubectlOk(["get", "pods", "-l", "app=monitoring-agent", "-o", "jsonpath={.items[*].spec.nodeName}"])).split(" ").sort();
      assert.deepEqual(nodes, ["node-1", "node-2"]);
    }, 5_000);
    const took = Date.now() - deleted;
    assert.ok(took <= 5_000, `took ${took} ms`);
    await eventually(async () => assert.equal(await dsCounts(c), "2 2 2 2 2"));
  });
});
