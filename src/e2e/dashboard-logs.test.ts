import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { startAgent, stopAgents, type TestAgent } from "./agent-harness.js";
import { launchBrowser } from "./browser.js";
import { eventually, kubectlStream, startTestCluster } from "./harness.js";

/** Agents listen on loopback and report it as their address, so the API server reaches them there. */
const agentArgs = ["--listen", "127.0.0.1:0", "--node-ip", "127.0.0.1"];

const talk = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: talk, namespace: default}
spec:
  selector: {matchLabels: {app: talk}}
  template:
    metadata: {labels: {app: talk}}
    spec:
      containers:
      - name: talk
        image: busybox
        command: ["sh", "-c", "echo hello from $NODE; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.3; done"]
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`;

/** Opens the details of the pod in cell `index` of the DaemonSet's grid (16 px cells, 1 px apart, at this size). */
async function openCell(page: Page, index: number): Promise<void> {
  await page.locator('[data-ds="default/talk"] canvas').click({ position: { x: index * 17 + 8, y: 8 } });
}

function ticks(text: string): number {
  return Math.max(0, ...[...text.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));
}

test("dashboard pod logs: an agent's pod streams its lines, a simulated pod and an unreachable agent show what the API answers", { timeout: 180_000 }, async () => {
  const cluster = await startTestCluster({ nodes: 1 });
  const agents: TestAgent[] = [];
  const proxy = kubectlStream(cluster, ["proxy", "--port=0"]);
  const browser = await launchBrowser({ width: 1280, height: 900 });
  try {
    agents.push(await startAgent(cluster, "agent-a", { args: agentArgs }));
    await eventually(async () => assert.equal(await cluster.kubectlOk(["get", "node", "agent-a", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]), "True"), 30_000);
    await cluster.kubectlOk(["apply", "-f", "-"], talk);
    await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:\d+/);
    const port = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(proxy.output())?.[1] ?? "";
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${port}/ui/`);
    await page.locator('[data-ds="default/talk"] [data-revision="1"]', { hasText: "rev 1: 2 pods, 2 ready" }).waitFor({ timeout: 60_000 });

    // Nodes in natural order: agent-a is the first cell, node-1 (simulated) the second.
    await openCell(page, 0);
    const details = page.getByRole("dialog", { name: "pod details" });
    await details.getByText("agent-a", { exact: true }).waitFor();
    const logText = details.locator("[data-log-text]");
    await logText.getByText("hello from agent-a").waitFor({ timeout: 30_000 });
    await details.locator('[data-logs="streaming"]').waitFor();
    const first = ticks((await logText.textContent()) ?? "");
    await eventually(async () => assert.ok(ticks((await logText.textContent()) ?? "") >= first + 3, "later lines arrive while following"), 20_000);
    await details.getByRole("button", { name: "close" }).click();

    // A simulated node's pod: the page shows exactly what the API (and so kubectl logs) answers.
    const simulatedPod = (await cluster.kubectlOk(["get", "pods", "-l", "app=talk", "--field-selector", "spec.nodeName=node-1", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
    const expected = await cluster.kubectlOk(["logs", simulatedPod]);
    await openCell(page, 1);
    await details.getByRole("heading", { name: simulatedPod }).waitFor();
    await details.locator('[data-logs="ended"]').waitFor({ timeout: 15_000 });
    assert.equal(await logText.textContent(), expected);
    await details.getByRole("button", { name: "close" }).click();

    // The agent gone: its pod's log request fails, and the page shows the API's Status message.
    await stopAgents(agents);
    const agentPod = (await cluster.kubectlOk(["get", "pods", "-l", "app=talk", "--field-selector", "spec.nodeName=agent-a", "-o", "jsonpath={.items[0].metadata.name}"])).trim();
    const refused = await cluster.kubectl(["logs", agentPod, "--follow", "--tail=1000"]);
    assert.notEqual(refused.code, 0);
    const message = /^Error from server \(InternalError\): (.*)$/m.exec(refused.stderr)?.[1] ?? "";
    assert.match(message, /connect ECONNREFUSED/, refused.stderr);
    await openCell(page, 0);
    await details.getByRole("heading", { name: agentPod }).waitFor();
    const error = details.locator("[data-log-error]");
    await error.waitFor({ timeout: 15_000 });
    assert.equal(await error.textContent(), `500 InternalError: ${message}`);
  } finally {
    await browser.close();
    await proxy.stop();
    await stopAgents(agents);
    await cluster.stop();
  }
});
