/**
 * Crash rounds against a real `everynode up` process: start it on a data directory, roll a DaemonSet out while
 * kubectl writes, `kill -9` the process at a seeded random moment, restart it on the same directory, then check
 * that every write kubectl saw acknowledged survived, that no node ever runs two live pods of the DaemonSet
 * (maxSurge is 0), and that the rollout completes. Used by the crash test and by `npm run soak`.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { findResource, type ResourceInfo } from "../api/resources.js";
import type { KubeObject } from "../api/types.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { UpProcess } from "./up-process.js";

/** How to run the rounds. */
export interface CrashRoundOptions {
  /** Directory for the data dir, kubectl's HOME and the stage file. */
  workDir: string;
  /** Simulated nodes. */
  nodes: number;
  rounds: number;
  /** Seed of the kill moments. */
  seed: number;
  /** The DaemonSet's rolling update maxUnavailable. */
  maxUnavailable: number | string;
  /** The kill comes a random 0..killWithinMs after the rollout was acknowledged. */
  killWithinMs: number;
  /** Longest wait for the process to start and for the rollout to converge. */
  timeoutMs: number;
  /** kubectl to drive the cluster with. */
  kubectl: string;
  log?: (line: string) => void;
}

/** What one round did and found. */
export interface RoundReport {
  round: number;
  /** Delay between the acknowledged rollout and the kill. */
  killAfterMs: number;
  /** Live pods already running the new template just before the kill (between 0 and `nodes`: mid-rollout). */
  updatedAtKill: number;
  /** Writes kubectl saw acknowledged before the kill (namespace creates, DaemonSet labels, the image change). */
  acknowledged: number;
  /** Acknowledged writes found after the restart. */
  verified: number;
  /** Acknowledged writes missing after the restart (must be empty). */
  lost: string[];
  /** Most nodes seen at once with two live (not terminating) pods of the DaemonSet (must be 0). */
  duplicates: number;
  /** From the kill to the restarted API answering. */
  restartMs: number;
  /** From the restarted API answering to every node running one ready pod of the new template. */
  convergeMs: number;
  /** Whether `kubectl rollout status` succeeded after the restart. */
  rolloutStatusOk: boolean;
}

const pods = findResource("", "pods") as ResourceInfo;
const daemonsets = findResource("apps", "daemonsets") as ResourceInfo;
const namespaces = findResource("", "namespaces") as ResourceInfo;

/** Fast pod stages: ready ~0.2 s after binding, gone ~0.1 s after deletion (the shipped ones take 1 s and 0.5 s). */
export const fastStages = {
  stages: [
    { name: "pod-delete", selector: { deleting: true }, delay: { ms: 100, jitterMs: 50 }, next: { delete: true } },
    { name: "pod-ready", selector: { phases: ["Pending"], deleting: false }, delay: { ms: 200, jitterMs: 100 }, next: { phase: "Running", ready: true, containers: { state: "running" } } },
  ],
};

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface KubectlResult { code: number; stdout: string; stderr: string }

/** Runs kubectl at `path` with `env`; resolves with its exit code and output (never rejects). */
export function kubectlRunner(path: string, env: NodeJS.ProcessEnv): (args: string[], input?: string) => Promise<KubectlResult> {
  return (args, input) => new Promise((resolve) => {
    const child = execFile(path, args, { env, timeout: 120_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(input ?? "");
  });
}

/** The DaemonSet the rounds roll out (maxSurge 0, so a node never should run two live pods). */
export function daemonSetManifest(maxUnavailable: number | string): string {
  return JSON.stringify({
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "agent" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable, maxSurge: 0 } },
      template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "main", image: "registry.example/agent:r0" }], tolerations: [{ operator: "Exists" }] } },
    },
  });
}

function isReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** The first container image of a pod (or, `templated`, of a DaemonSet's pod template). */
export function imageOf(obj: KubeObject, templated: boolean): string | undefined {
  const spec = (templated ? (obj.spec as { template?: { spec?: unknown } } | undefined)?.template?.spec : obj.spec) as { containers?: { image?: string }[] } | undefined;
  return spec?.containers?.[0]?.image;
}

/**
 * Polls the DaemonSet's pods until every one of `nodes` nodes runs exactly one ready, live pod with `image`.
 * Returns how long that took and the most nodes seen at once with two or more live pods.
 */
export async function settle(client: RestClient, nodes: number, image: string, timeoutMs: number): Promise<{ ms: number; duplicates: number; settled: boolean }> {
  const started = Date.now();
  let duplicates = 0;
  for (;;) {
    const list = await client.list(pods, "default", { labelSelector: "app=agent" });
    const live = new Map<string, KubeObject[]>();
    for (const pod of list.items) {
      if (pod.metadata?.deletionTimestamp) continue;
      const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? "";
      live.set(node, [...(live.get(node) ?? []), pod]);
    }
    duplicates = Math.max(duplicates, [...live.entries()].filter(([node, ps]) => node !== "" && ps.length > 1).length);
    const good = [...live.entries()].filter(([node, ps]) => node !== "" && ps.length === 1 && ps[0] !== undefined && imageOf(ps[0], false) === image && isReady(ps[0])).length;
    if (good === nodes) return { ms: Date.now() - started, duplicates, settled: true };
    if (Date.now() - started > timeoutMs) return { ms: Date.now() - started, duplicates, settled: false };
    await sleep(nodes > 100 ? 500 : 100);
  }
}

/**
 * The acknowledged writes (`namespace/NAME`, `label/KEY` on the DaemonSet, `image/IMAGE` of its template)
 * that `client` does not find.
 */
export async function lostWrites(client: RestClient, acked: string[]): Promise<string[]> {
  const names = new Set((await client.list(namespaces, undefined)).items.map((n) => n.metadata?.name ?? ""));
  const ds = await client.get(daemonsets, "default", "agent");
  const labels = ds.metadata?.labels ?? {};
  return acked.filter((w) => {
    const [kind, name = ""] = w.split("/", 2) as [string, string];
    if (kind === "namespace") return !names.has(name);
    if (kind === "label") return labels[name] !== "v";
    return imageOf(ds, true) !== w.slice("image/".length);
  });
}

/** The work dir of crash rounds: data dir, the fast stages file, and kubectl with its own HOME on the data dir's kubeconfig. */
export async function prepareWorkDir(o: CrashRoundOptions): Promise<{ dataDir: string; stagesPath: string; kubeconfig: string; kubectl: ReturnType<typeof kubectlRunner> }> {
  const dataDir = join(o.workDir, "data");
  const home = join(o.workDir, "home");
  await mkdir(home, { recursive: true });
  const stagesPath = join(o.workDir, "stages.json");
  await writeFile(stagesPath, JSON.stringify(fastStages));
  const kubeconfig = join(dataDir, "kubeconfig");
  const kubectl = kubectlRunner(o.kubectl, { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(home, "cache") });
  return { dataDir, stagesPath, kubeconfig, kubectl };
}

/** Runs the rounds; see the file comment. Never leaves the process running. */
export async function runCrashRounds(o: CrashRoundOptions): Promise<RoundReport[]> {
  const log = o.log ?? (() => undefined);
  const { dataDir, stagesPath, kubeconfig, kubectl } = await prepareWorkDir(o);
  const kubectlOk = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  const random = prng(o.seed);
  const reports: RoundReport[] = [];

  let up = await UpProcess.start(dataDir, ["--nodes", String(o.nodes), "--stages", stagesPath], o.timeoutMs);
  try {
    let client = new RestClient(await loadKubeconfig(kubeconfig));
    await kubectlOk(["apply", "-f", "-"], daemonSetManifest(o.maxUnavailable));
    const initial = await settle(client, o.nodes, "registry.example/agent:r0", o.timeoutMs);
    if (!initial.settled) throw new Error(`the DaemonSet never ran on all ${o.nodes} nodes`);
    log(`DaemonSet running on ${o.nodes} nodes after ${initial.ms} ms`);

    for (let round = 1; round <= o.rounds; round++) {
      const acked: string[] = [];
      const writer = { stopped: false };
      // kubectl writes all along: namespace creates and DaemonSet labels, each recorded once acknowledged.
      const writes = (async () => {
        for (let i = 0; !writer.stopped; i++) {
          const ns = `ack-r${round}-${i}`;
          const label = `w-r${round}-${i}`;
          const r = i % 2 === 0 ? await kubectl(["create", "namespace", ns]) : await kubectl(["label", "ds", "agent", `${label}=v`]);
          if (r.code === 0) acked.push(i % 2 === 0 ? `namespace/${ns}` : `label/${label}`);
        }
      })();
      await sleep(Math.floor(random() * 300));
      const image = `registry.example/agent:r${round}`;
      await kubectlOk(["set", "image", "ds/agent", `main=${image}`]);
      acked.push(`image/${image}`);
      const killAfterMs = Math.floor(random() * o.killWithinMs);
      await sleep(killAfterMs);
      const updatedAtKill = (await client.list(pods, "default", { labelSelector: "app=agent" })).items
        .filter((p) => !p.metadata?.deletionTimestamp && imageOf(p, false) === image).length;
      const killedAt = Date.now();
      await up.kill();
      writer.stopped = true;
      await writes;
      client.close();

      up = await UpProcess.start(dataDir, ["--nodes", String(o.nodes), "--stages", stagesPath], o.timeoutMs);
      client = new RestClient(await loadKubeconfig(kubeconfig));
      const restartMs = Date.now() - killedAt;
      const readyAt = Date.now();

      const lost = await lostWrites(client, acked);
      const status = await kubectl(["rollout", "status", "ds/agent", `--timeout=${Math.ceil(o.timeoutMs / 1000)}s`]);
      const converged = await settle(client, o.nodes, image, o.timeoutMs);
      const report: RoundReport = {
        round, killAfterMs, updatedAtKill, acknowledged: acked.length, verified: acked.length - lost.length, lost,
        duplicates: converged.duplicates, restartMs, convergeMs: converged.settled ? Date.now() - readyAt : -1, rolloutStatusOk: status.code === 0,
      };
      reports.push(report);
      log(`round ${round}: killed ${killAfterMs} ms into the rollout (${updatedAtKill}/${o.nodes} pods updated); ${report.verified}/${report.acknowledged} acknowledged writes found; `
        + `${report.duplicates} nodes with duplicate pods; restart ${restartMs} ms; converged in ${report.convergeMs} ms; rollout status ${report.rolloutStatusOk ? "ok" : `failed: ${status.stderr.trim()}`}`);
    }
    client.close();
  } finally {
    await up.stop();
  }
  return reports;
}
