/**
 * Watch soak: many HTTP watches held open on a real `everynode up` process while writes stream through them.
 * Every watcher must see every write exactly once and in order (gaps, duplicates and reorderings are counted), and
 * the server's resident memory must stay bounded while the watches stay open (sampled from /proc).
 */
import { setMaxListeners } from "node:events";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { findResource, type ResourceInfo } from "../api/resources.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { UpProcess } from "./up-process.js";

/** How to run the watch soak. */
export interface WatchSoakOptions {
  workDir: string;
  watchers: number;
  /** Events to deliver in all: each write reaches every watcher, so writes = events / watchers. */
  events: number;
  /** Concurrent writers. */
  writers: number;
  timeoutMs: number;
  log?: (line: string) => void;
}

/** What the watch soak measured. */
export interface WatchSoakReport {
  watchers: number;
  writes: number;
  /** Events the watchers received in all. */
  delivered: number;
  /** Writes some watcher never received, summed over watchers. */
  gaps: number;
  /** Events received twice or out of revision order, summed over watchers. */
  disorder: number;
  /** Server RSS in MiB: started and idle, with every watch open, highest seen, after the last event with the watches still open. */
  rssMiB: { start: number; connected: number; peak: number; end: number };
  durationMs: number;
  writesPerSecond: number;
}

const leases = findResource("coordination.k8s.io", "leases") as ResourceInfo;
const namespaces = findResource("", "namespaces") as ResourceInfo;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const leaseCount = 10;
const namespace = "watch-soak";

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

interface Watcher { received: number; lastRevision: number; disorder: number; sum: number }

/** Runs the soak; the server process is always stopped at the end. */
export async function runWatchSoak(o: WatchSoakOptions): Promise<WatchSoakReport> {
  const log = o.log ?? (() => undefined);
  const writes = Math.ceil(o.events / o.watchers);
  const dataDir = join(o.workDir, "data");
  const up = await UpProcess.start(dataDir, ["--nodes", "0"], o.timeoutMs);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const config = await loadKubeconfig(join(dataDir, "kubeconfig"));
  // One connection pool per 50 watchers (a pool holds at most 64 sockets).
  const pools = Array.from({ length: Math.ceil(o.watchers / 50) + 1 }, () => new RestClient(config));
  const writer = pools[pools.length - 1] as RestClient;
  let peak = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssMiB(up.pid));
      await sleep(250);
    }
  })();
  try {
    await writer.create(namespaces, undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    for (let i = 0; i < leaseCount; i++) {
      await writer.create(leases, namespace, { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: `lease-${i}` }, spec: { holderIdentity: "soak", leaseTransitions: 0 } });
    }
    const from = (await writer.list(leases, namespace)).metadata?.resourceVersion ?? "0";
    await sleep(2_000);
    const start = await rssMiB(up.pid);
    log(`server RSS ${start} MiB; opening ${o.watchers} watches from resourceVersion ${from}`);

    const watchers: Watcher[] = Array.from({ length: o.watchers }, () => ({ received: 0, lastRevision: Number(from), disorder: 0, sum: 0 }));
    const streams = watchers.map(async (w, i) => {
      const client = pools[Math.floor(i / 50)] as RestClient;
      try {
        for await (const event of client.watch(leases, namespace, { resourceVersion: from, timeoutSeconds: 3600 }, abort.signal)) {
          if (event.type === "ERROR") throw new Error(`watch ${i} got an ERROR event: ${JSON.stringify(event.object)}`);
          if (event.type !== "MODIFIED") continue;
          const revision = Number(event.object.metadata?.resourceVersion);
          if (revision <= w.lastRevision) w.disorder++;
          w.lastRevision = revision;
          w.received++;
          w.sum += revision;
        }
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    });
    const streaming = Promise.all(streams);
    streaming.catch(() => undefined);
    await sleep(3_000);
    const connected = await rssMiB(up.pid);
    log(`server RSS ${connected} MiB with ${o.watchers} watches open; writing ${writes} times (${writes * o.watchers} events to deliver)`);

    const started = Date.now();
    let next = 0;
    let expectedSum = 0;
    await Promise.all(Array.from({ length: o.writers }, async () => {
      while (next < writes) {
        const i = next++;
        const lease = await writer.patch(leases, namespace, `lease-${i % leaseCount}`, "merge", { spec: { leaseTransitions: i + 1 } });
        expectedSum += Number(lease.metadata?.resourceVersion);
        if ((i + 1) % Math.max(1, Math.floor(writes / 10)) === 0) log(`${i + 1}/${writes} writes; server RSS ${await rssMiB(up.pid)} MiB`);
      }
    }));
    const writeMs = Date.now() - started;
    const deadline = Date.now() + o.timeoutMs;
    let failure: unknown;
    void streaming.catch((err: unknown) => { failure = err; });
    while (watchers.some((w) => w.received < writes) && Date.now() < deadline && failure === undefined) await sleep(200);
    if (failure !== undefined) throw failure;
    const durationMs = Date.now() - started;
    await sleep(2_000);
    const end = await rssMiB(up.pid);
    const delivered = watchers.reduce((n, w) => n + w.received, 0);
    const gaps = watchers.reduce((n, w) => n + Math.max(0, writes - w.received), 0);
    const disorder = watchers.reduce((n, w) => n + w.disorder + (w.received === writes && w.sum !== expectedSum ? 1 : 0), 0);
    return { watchers: o.watchers, writes, delivered, gaps, disorder, rssMiB: { start, connected, peak: Math.max(peak, end), end }, durationMs, writesPerSecond: Math.round((writes * 1000) / writeMs) };
  } finally {
    abort.abort();
    sampling = false;
    await sampler;
    for (const pool of pools) pool.close();
    await up.stop();
  }
}
