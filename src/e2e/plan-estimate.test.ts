import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { defaultStages, type StageConfig } from "../simulator/index.js";
import { everynodeBin } from "./cli.js";
import { startTestCluster, type TestCluster } from "./harness.js";

const readyMs = 4000;
const deleteMs = 500;

/** The shipped lifecycle with fixed delays: Ready 4 s after binding, gone 0.5 s after deletion. */
function knownDelays(): StageConfig {
  return {
    stages: defaultStages().stages.map((stage) => {
      if (stage.name === "pod-ready") return { ...stage, delay: { ms: readyMs, jitterMs: 0 } };
      if (stage.name === "pod-delete") return { ...stage, delay: { ms: deleteMs, jitterMs: 0 } };
      return stage;
    }),
  };
}

function agent(image: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {rollingUpdate: {maxUnavailable: 2}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 5
      containers: [{name: agent, image: "${image}"}]
`;
}

describe("the plan's estimate against a cluster with known pod start-up and stop times", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 5, stages: knownDelays() }); });
  after(async () => { await c.stop(); });

  const planJson = (manifest: string): Promise<{ waves: string[][]; estimatedSeconds: number }> => new Promise((ok, fail) => {
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: c.home, KUBECONFIG: c.kubeconfigPath };
    const child = execFile(process.execPath, [everynodeBin, "plan", "-f", "-", "-o", "json"], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`everynode plan: ${String(stderr)}`));
      else ok(JSON.parse(String(stdout)) as { waves: string[][]; estimatedSeconds: number });
    });
    child.stdin?.end(manifest);
  });

  test("3 in-place waves of a 4 s start-up: the estimate counts stopping and start-up per wave and is close to the rollout's duration", async (t) => {
    await c.kubectlOk(["apply", "-f", "-"], agent("registry.k8s.io/pause:3.9"));
    await c.kubectlOk(["rollout", "status", "ds/agent", "--timeout=120s"]);
    const plan = await planJson(agent("registry.k8s.io/pause:3.10"));
    assert.equal(plan.waves.length, 3);
    // Per wave: old pods stop (assumed 1 s) + creation to Ready (4 s, or 5 s read from whole-second timestamps).
    assert.ok(plan.estimatedSeconds >= 15 && plan.estimatedSeconds <= 18, `estimated ${plan.estimatedSeconds}s`);

    const start = Date.now();
    await c.kubectlOk(["apply", "-f", "-"], agent("registry.k8s.io/pause:3.10"));
    await c.kubectlOk(["rollout", "status", "ds/agent", "--timeout=120s"]);
    const took = (Date.now() - start) / 1000;
    t.diagnostic(`estimated ${plan.estimatedSeconds}s, took ${took.toFixed(1)}s`);
    // The start-up alone is 3 × 4 s: the rollout cannot be faster, and the estimate must not be far off it.
    assert.ok(took >= (3 * (readyMs + deleteMs)) / 1000, `took ${took}s`);
    assert.ok(plan.estimatedSeconds >= took * 0.7 && plan.estimatedSeconds <= took * 1.5, `estimated ${plan.estimatedSeconds}s, took ${took.toFixed(1)}s`);
  });
});
