/**
 * The dashboard in a real browser at fleet size: starts `everynode up --nodes N`, opens /ui/ in headless Chromium
 * and measures, per phase (first load, a DaemonSet created, the DaemonSet rolled, a reload with everything in
 * place): frame intervals (requestAnimationFrame) and long tasks, the time until the page shows everything, how
 * long after the API the grid reflects a change, and the page's JS heap.
 * Usage: node dist/bench/dashboard-bench.js [--nodes 10000] [--idle-seconds 10] [--cpu-prof DIR]. Prints one JSON
 * line and a table; progress goes to stderr on a terminal only.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CDPSession, Page } from "playwright-core";
import { parse } from "yaml";
import { mustFindResource } from "../api/resources.js";
import type { DaemonSet } from "../api/types.js";
import { Progress } from "../cli/progress.js";
import type { Client } from "../client/client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { launchBrowser } from "../e2e/browser.js";
import { benchFlags, numberFlag, runBench } from "./bench-args.js";
import { formatTable } from "./bench-stats.js";
import { frameStats, jsHeapBytes, mainThreadTimes, pageNow, pageTimeWhen, probeScript, openPerformance, type FrameStats, type MainThreadTimes } from "./dashboard-probe.js";
import { UpProcess } from "./up-process.js";

const dsResource = mustFindResource("apps", "daemonsets");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One measured phase. */
interface Phase {
  name: string;
  frames: FrameStats;
  /** ms from the phase's start until the page showed its end state. */
  pageMs: number;
  /** ms from the phase's start until the API reported its end state (absent for page loads). */
  apiMs?: number;
  heapBytes: number;
  /** Main-thread time spent during the phase (ms; tasks include the rest). */
  busy?: MainThreadTimes;
}

function daemonSet(name: string): DaemonSet {
  return {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system" },
    spec: {
      selector: { matchLabels: { app: name } }, updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1` }] } },
    },
  };
}

/** Resolves with Date.now() once the DaemonSet's status reports generation `generation` on all `n` nodes. */
async function apiRolledOut(client: Client, name: string, generation: number, n: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await client.get<DaemonSet>(dsResource, "kube-system", name)).status;
    if ((s?.observedGeneration ?? 0) >= generation && s?.updatedNumberScheduled === n && s.numberAvailable === n && s.desiredNumberScheduled === n) return Date.now();
    if (Date.now() > deadline) throw new Error(`DaemonSet ${name} not rolled out within ${timeoutMs} ms: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

/** The page shows revision `revision` of the DaemonSet on all `n` nodes, Ready, and no other revision. */
function gridShows(name: string, revision: number, n: number): string {
  return `(() => {
    const items = [...document.querySelectorAll('[data-ds="kube-system/${name}"] .legend li')].map((li) => li.textContent);
    return items.length === 1 && items[0] === "rev ${revision}: ${n} pods, ${n} ready";
  })()`;
}

/** Date.now() in the page once `condition` holds (checked every frame); a timeout says what the page showed. */
async function pageClockWhen(page: Page, condition: string, timeoutMs: number): Promise<number> {
  try {
    const handle = await page.waitForFunction(`(${condition}) ? Date.now() : false`, undefined, { polling: "raf", timeout: timeoutMs });
    return Number(await handle.jsonValue());
  } catch (error) {
    const shown = await page.evaluate(`[...document.querySelectorAll(".summary, .legend li")].map((e) => e.textContent).join(" | ")`).catch(() => "");
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the page showed: ${String(shown)}`);
  }
}

/** Runs one phase; a phase that loads the page (`navigates`) is measured from the navigation on. */
async function measure(page: Page, cdp: CDPSession, name: string, navigates: boolean, run: () => Promise<{ pageMs: number; apiMs?: number }>): Promise<Phase> {
  const from = navigates ? 0 : await pageNow(page);
  const before = navigates ? undefined : await mainThreadTimes(cdp);
  const { pageMs, apiMs } = await run();
  const frames = await frameStats(page, from, await pageNow(page));
  const after = await mainThreadTimes(cdp);
  const busy = before ? { task: after.task - before.task, script: after.script - before.script, style: after.style - before.style, layout: after.layout - before.layout } : after;
  return { name, frames, pageMs, apiMs, heapBytes: await jsHeapBytes(page), busy };
}

/** Profiles the page's JS while `work` runs, writing DIR/<name>.cpuprofile (open it in Chrome DevTools). */
async function profiled<T>(page: Page, dir: string | undefined, name: string, work: () => Promise<T>): Promise<T> {
  if (dir === undefined) return work();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await cdp.send("Profiler.stop");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
}

async function main(argv: string[]): Promise<void> {
  const flags = benchFlags(argv, ["nodes", "idle-seconds", "cpu-prof", "timeout-seconds"]);
  const n = numberFlag(flags, "nodes", 10_000);
  const idleMs = numberFlag(flags, "idle-seconds", 10) * 1000;
  const timeoutMs = numberFlag(flags, "timeout-seconds", 600) * 1000;
  const profileDir = flags["cpu-prof"];
  const progress = new Progress(process.stderr, { quietUnlessTty: true });
  const dir = await mkdtemp(join(tmpdir(), "everynode-dashboard-bench-"));
  const dataDir = join(dir, "data");
  progress.update(`starting everynode up --nodes ${n}`);
  const up = await UpProcess.start(dataDir, ["--nodes", String(n)], 120_000);
  const browser = await launchBrowser({ width: 1440, height: 1000 });
  const kubeconfig = join(dataDir, "kubeconfig");
  const client = new RestClient(await loadKubeconfig(kubeconfig));
  const phases: Phase[] = [];
  try {
    const deadline = Date.now() + timeoutMs;
    while (!/^cluster ready: /m.test(up.output())) {
      if (Date.now() > deadline) throw new Error(`the cluster was not ready within ${timeoutMs} ms:\n${up.output()}`);
      progress.update(`waiting for ${n} nodes Ready`);
      await sleep(500);
    }
    const url = /^everynode API server listening on (\S+)$/m.exec(up.output())?.[1] ?? "";
    const token = (parse(await readFile(kubeconfig, "utf8")) as { users: { user: { token: string } }[] }).users[0]?.user.token ?? "";
    const page = await browser.context.newPage();
    const cdp = await openPerformance(page);
    await page.addInitScript(`sessionStorage.setItem("everynode-token", ${JSON.stringify(token)}); ${probeScript}`);

    progress.update("phase load: opening /ui/");
    phases.push(await profiled(page, profileDir, "load", () => measure(page, cdp, "first load (nodes only)", true, async () => {
      await page.goto(`${url}/ui/`);
      const shown = await pageTimeWhen(page, `document.querySelector("main[data-synced=yes] [data-summary]")?.textContent?.startsWith("${n} nodes · 0 DaemonSets")`, timeoutMs);
      return { pageMs: Math.round(shown) };
    })));
    await sleep(idleMs);
    const idleFrom = await pageNow(page) - idleMs;
    phases.push({ name: `idle ${idleMs / 1000} s`, frames: await frameStats(page, idleFrom, await pageNow(page)), pageMs: 0, heapBytes: await jsHeapBytes(page) });

    progress.update("phase create: DaemonSet bench-agent on every node");
    phases.push(await profiled(page, profileDir, "create", () => measure(page, cdp, "DaemonSet created", false, async () => {
      const start = Date.now();
      await client.create(dsResource, "kube-system", daemonSet("bench-agent"));
      const [api, shown] = await Promise.all([
        apiRolledOut(client, "bench-agent", 1, n, timeoutMs),
        pageClockWhen(page, gridShows("bench-agent", 1, n), timeoutMs),
      ]);
      return { pageMs: shown - start, apiMs: api - start };
    })));

    progress.update("phase rollout: new image on every node");
    phases.push(await profiled(page, profileDir, "rollout", () => measure(page, cdp, "DaemonSet rolled (maxUnavailable 10%)", false, async () => {
      const current = await client.get<DaemonSet>(dsResource, "kube-system", "bench-agent");
      const container = current.spec?.template.spec?.containers[0];
      if (container) container.image = "bench-agent:2";
      const start = Date.now();
      const updated = await client.update<DaemonSet>(dsResource, "kube-system", current);
      const [api, shown] = await Promise.all([
        apiRolledOut(client, "bench-agent", updated.metadata?.generation ?? 2, n, timeoutMs),
        pageClockWhen(page, gridShows("bench-agent", 2, n), timeoutMs),
      ]);
      return { pageMs: shown - start, apiMs: api - start };
    })));

    progress.update("phase reload: the page opened on the whole fleet");
    phases.push(await profiled(page, profileDir, "reload", () => measure(page, cdp, "reload (nodes, pods, DaemonSet)", true, async () => {
      await page.reload();
      const shown = await pageTimeWhen(page, gridShows("bench-agent", 2, n), timeoutMs);
      return { pageMs: Math.round(shown) };
    })));
    progress.finish();
    report(n, phases);
  } catch (error) {
    progress.finish();
    report(n, phases);
    throw error;
  } finally {
    progress.finish();
    client.close();
    await browser.close();
    await up.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function report(n: number, phases: Phase[]): void {
  process.stdout.write(`${JSON.stringify({ nodes: n, phases })}\n\n`);
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;
  process.stdout.write(`${formatTable(
    ["phase", "page shows it", "API", "frames p50/p95/p99/max ms", ">50 ms", "long tasks (total, longest)", "main thread busy (script)", "JS heap"],
    phases.map((p) => [
      p.name, p.pageMs > 0 ? `${(p.pageMs / 1000).toFixed(2)} s` : "", p.apiMs !== undefined ? `${(p.apiMs / 1000).toFixed(2)} s` : "",
      `${p.frames.p50}/${p.frames.p95}/${p.frames.p99}/${p.frames.max}`, `${p.frames.over50} of ${p.frames.frames}`,
      `${p.frames.longTasks} (${p.frames.longTaskMs} ms, ${p.frames.longestTaskMs} ms)`,
      p.busy ? `${p.busy.task} ms (${p.busy.script} ms)` : "", mib(p.heapBytes),
    ]),
  )}\n`);
}

await runBench(() => main(process.argv.slice(2)));
