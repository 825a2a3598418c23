import assert from "node:assert/strict";
import { test } from "node:test";
import { ServerMetrics } from "../metrics/server-metrics.js";
import { serveMetrics } from "./metrics-server.js";

test("the metrics listener serves /metrics (leader status included) and /healthz on loopback, 404 elsewhere", async () => {
  const metrics = new ServerMetrics();
  metrics.setLeader("everynode-controller-manager", true);
  metrics.workQueue("daemonset").added();
  const server = await serveMetrics(metrics, 0);
  try {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /^leader_election_master_status\{name="everynode-controller-manager"\} 1$/m);
    assert.match(text, /^workqueue_adds_total\{name="daemonset"\} 1$/m);
    assert.equal(await (await fetch(`${server.url}/healthz`)).text(), "ok");
    assert.equal((await fetch(`${server.url}/other`)).status, 404);
  } finally {
    await server.close();
  }
});
