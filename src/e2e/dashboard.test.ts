import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { launchBrowser } from "./browser.js";
import { kubectlStream, startTestCluster } from "./harness.js";

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 3}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: "agent:1"}]}
`;

/** The colour of the first cell of a DaemonSet's grid, as `#rrggbb`. */
async function firstCellColour(page: Page, ds: string): Promise<string> {
  // Runs in the page (this project compiles without DOM types, hence a string).
  const colour = await page.evaluate(`(() => {
    const canvas = document.querySelector('[data-ds="${ds}"] canvas');
    const ctx = canvas && canvas.getContext("2d");
    if (!ctx) return "";
    const ratio = window.devicePixelRatio || 1;
    const d = ctx.getImageData(Math.floor(3 * ratio), Math.floor(3 * ratio), 1, 1).data;
    return "#" + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, "0")).join("");
  })()`);
  return String(colour);
}

test("dashboard through kubectl proxy: nodes and DaemonSets, cells change revision as an image rolls out, pod details, phone width", { timeout: 180_000 }, async () => {
  const cluster = await startTestCluster({ nodes: 3 });
  const proxy = kubectlStream(cluster, ["proxy", "--port=0"]);
  const browser = await launchBrowser({ width: 1280, height: 900 });
  try {
    await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:\d+/);
    const port = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(proxy.output())?.[1] ?? "";
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${port}/ui/`);
    await page.locator("main[data-synced=yes]").waitFor();
    await page.getByText("3 nodes · 0 DaemonSets").waitFor();
    for (const n of ["node-1", "node-2", "node-3"]) await page.locator(`tr[data-node="${n}"]`).waitFor();

    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet);
    const card = page.locator('[data-ds="default/agent"]');
    await card.locator('[data-revision="1"]', { hasText: "rev 1: 3 pods, 3 ready" }).waitFor({ timeout: 30_000 });
    assert.equal(await card.locator("[data-current-revision]").textContent(), "1");
    assert.equal(await firstCellColour(page, "default/agent"), "#4e79a7", "ready pods of revision 1 are drawn in its colour");

    await cluster.kubectlOk(["set", "image", "ds/agent", "agent=agent:2"]);
    await card.locator('[data-revision="2"]', { hasText: "rev 2: 3 pods, 3 ready" }).waitFor({ timeout: 60_000 });
    await card.locator('[data-revision="1"]').waitFor({ state: "detached", timeout: 30_000 });
    assert.equal(await card.locator("[data-current-revision]").textContent(), "2");
    assert.equal(await firstCellColour(page, "default/agent"), "#f28e2b", "the same cell now shows revision 2's colour");
    await page.getByText("agent:2").first().waitFor();
    await page.locator(".events li", { hasText: "SuccessfulCreate" }).first().waitFor();

    const shot = join(cluster.home, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await stat(shot)).size > 10_000, "a screenshot was written");

    await card.locator("canvas").click({ position: { x: 3, y: 3 } });
    const details = page.getByRole("dialog", { name: "pod details" });
    await details.getByText("node-1", { exact: true }).waitFor();
    await details.locator("[data-phase]", { hasText: "Running" }).waitFor();
    await details.getByText("agent:2", { exact: true }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const overflow = Number(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"));
    assert.ok(overflow <= 0, `no horizontal scrolling at phone width (overflow ${overflow}px)`);
    const mainWidth = Number(await page.evaluate("document.querySelector('main').scrollWidth"));
    assert.ok(mainWidth <= 390, `the main layout fits the phone's width (${mainWidth}px)`);
    await details.getByRole("button", { name: "close" }).click();
    await details.waitFor({ state: "detached" });
    const grid = card.locator("canvas");
    await grid.scrollIntoViewIfNeeded();
    const box = await grid.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.width > 0, `the grid lies within the phone's width (${JSON.stringify(box)})`);
    await grid.click({ position: { x: 3, y: 3 } });
    await details.getByText("node-1", { exact: true }).waitFor();
  } finally {
    await browser.close();
    await proxy.stop();
    await cluster.stop();
  }
});

test("dashboard served directly asks for the kubeconfig's token, then shows the cluster", { timeout: 120_000 }, async () => {
  const cluster = await startTestCluster({ nodes: 2 });
  const browser = await launchBrowser({ width: 1024, height: 768 });
  try {
    const token = (parse(await readFile(cluster.plane.kubeconfigPath, "utf8")) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
    const page = await browser.context.newPage();
    await page.goto(`${cluster.plane.url}/ui/`);
    const form = page.locator("form.login");
    await form.waitFor();
    await form.locator("input[type=password]").fill("not-a-token");
    await form.getByRole("button", { name: "Sign in" }).click();
    await form.waitFor();
    await form.locator("input[type=password]").fill(token);
    await form.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("2 nodes · 0 DaemonSets").waitFor({ timeout: 30_000 });
  } finally {
    await browser.close();
    await cluster.stop();
  }
});
