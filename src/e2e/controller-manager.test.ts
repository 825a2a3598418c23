import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, type TestCluster } from "./harness.js";

const bin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

describe("everynode controller-manager runs the control loops out of process", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ controllers: false }); });
  after(async () => { await c.stop(); });

  test("over HTTPS with the kubeconfig, holding the leader Lease, it creates nodes and converges a DaemonSet", async () => {
    const child = spawn(process.execPath, [bin, "controller-manager", "--kubeconfig", c.plane.kubeconfigPath, "--simulate", "--nodes", "2"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
    try {
      await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
      const deadline = Date.now() + 30_000;
      let row = "";
      while (!/^demo\s+2\s+2\s+2\s+2\s+2\s/m.test(row)) {
        if (Date.now() > deadline) throw new Error(`not converged: ${row}\ncontroller-manager output:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
        row = await c.kubectlOk(["get", "ds", "demo"]);
      }
      const lease = JSON.parse(await c.kubectlOk(["get", "lease", "everynode-controller-manager", "-n", "kube-system", "-o", "json"])) as { spec: { holderIdentity: string } };
      assert.match(lease.spec.holderIdentity, /_/);
      assert.match(out, /controllers started/);
    } finally {
      child.kill("SIGTERM");
      assert.equal(await exited, 0, out);
    }
  });
});
