/**
 * Takes the dashboard screenshot of the docs: a control plane with N simulated nodes (default 1,000), two
 * DaemonSets, one of them halfway through a rolling update, captured in headless Chromium.
 * Usage: node dist/bench/dashboard-shot.js [--nodes 1000] [--out docs/dashboard-rollout.png]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { readFile } from "node:fs/promises";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet, Node } from "../api/types.js";
import { launchBrowser } from "../e2e/browser.js";
import { ControlPlane } from "../server/control-plane.js";
import { benchFlags, numberFlag, runBench } from "./bench-args.js";

const dsResource = mustFindResource("apps", "daemonsets");

function daemonSet(name: string, image: string, maxUnavailable: string): DaemonSet {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: name } }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, ["nodes", "out"]);
  const nodes = numberFlag(flags, "nodes", 1000);
  const out = flags.out ?? "docs/dashboard-rollout.png";
  const dir = await mkdtemp(join(tmpdir(), "everynode-shot-"));
  const plane = await ControlPlane.start({ dataDir: join(dir, "data"), port: 0, listen: "127.0.0.1", insecureHttp: false, storage: "memory", nodes });
  const browser = await launchBrowser({ width: 1440, height: 1000 });
  try {
    const client = plane.client;
    const ds = (name: string): Promise<DaemonSet> => client.get<DaemonSet>(dsResource, "kube-system", name);
    await waitFor("nodes", async () => (await client.list<Node>(mustFindResource("", "nodes"), undefined)).items.length >= nodes);
    await client.create(dsResource, "kube-system", daemonSet("node-exporter", "prom/node-exporter:v1.8.2", "10%"));
    await client.create(dsResource, "kube-system", daemonSet("log-agent", "fluent/fluent-bit:3.1", "4%"));
    const available = async (name: string): Promise<boolean> => { const s = (await ds(name)).status; return (s?.numberAvailable ?? 0) >= nodes && s?.updatedNumberScheduled === nodes; };
    await waitFor("DaemonSets available", async () => (await available("node-exporter")) && (await available("log-agent")));
    const current = await ds("log-agent");
    const container = current.spec?.template.spec?.containers[0];
    if (container) container.image = "fluent/fluent-bit:3.2";
    await client.update(dsResource, "kube-system", current);
    const token = (parse(await readFile(plane.kubeconfigPath, "utf8")) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
    const page = await browser.context.newPage();
    await page.addInitScript(`sessionStorage.setItem("everynode-token", ${JSON.stringify(token)})`);
    await page.goto(`${plane.url}/ui/`);
    await page.locator("main[data-synced=yes]").waitFor({ timeout: 60_000 });
    await waitFor("rollout halfway", async () => ((await ds("log-agent")).status?.updatedNumberScheduled ?? 0) >= nodes * 0.45);
    await page.waitForTimeout(500);
    await page.screenshot({ path: out, fullPage: false });
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await browser.close();
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await runBench(() => main(process.argv.slice(2)));
