/**
 * The cluster a benchmark drives: a ControlPlane started in this process (storage SQLite in a scratch
 * directory), or a spawned `everynode up` reached over HTTPS. Either way the benchmark sees a Client, a
 * kubeconfig for kubectl, and the CPU time and peak RSS of the process serving the cluster.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serverRuntimeFlags } from "../cli/runtime-flags.js";
import type { Client } from "../client/client.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { ControlPlane } from "../server/control-plane.js";
import type { StageConfig } from "../simulator/index.js";

/** Where the cluster runs. */
export type BenchMode = "inprocess" | "up";

/** Resource usage of the process serving the cluster. */
export interface ProcessUsage {
  /** User + system CPU time in milliseconds since the process started. */
  cpuMs: number;
  /** The same for the process's main thread alone (known for a spawned `everynode up`). */
  mainThreadCpuMs?: number;
  /** Peak resident set size in bytes so far. */
  peakRssBytes: number;
  /** Resident set size in bytes now. */
  rssBytes: number;
}

/** A running cluster under test. */
export interface BenchTarget {
  readonly mode: BenchMode;
  readonly client: Client;
  readonly kubeconfigPath: string;
  /** CPU and memory of the serving process (this one in-process, the child with `up`). */
  usage(): Promise<ProcessUsage>;
  /** With mode up and a heap snapshot directory: has the child write snapshots of its threads; resolves with their paths. */
  heapSnapshot?(): Promise<string[]>;
  stop(): Promise<void>;
}

/** How to start the cluster. */
export interface BenchTargetOptions {
  mode: BenchMode;
  nodes: number;
  /** Scratch directory (state, kubeconfig, stages file). */
  dir: string;
  stages: StageConfig;
  /** Receives progress lines. */
  log: (line: string) => void;
  /** etcd endpoints to keep the state in (default: SQLite in the scratch directory). */
  etcdEndpoints?: string[];
  /** With mode up: directory where the `everynode up` child writes its V8 CPU profile when it exits (node --cpu-prof). */
  cpuProfileDir?: string;
  /** With mode up: further flags of `everynode up` (e.g. `--controller-thread=false`, for comparisons). */
  upArgs?: readonly string[];
  /** With mode up: directory the child writes heap snapshots of its threads into when asked (`heapSnapshot`). */
  heapSnapshotDir?: string;
}

/** Starts the cluster per `options`. */
export function startTarget(options: BenchTargetOptions): Promise<BenchTarget> {
  return options.mode === "up" ? startUp(options) : startInProcess(options);
}

async function startInProcess(options: BenchTargetOptions): Promise<BenchTarget> {
  const plane = await ControlPlane.start({
    dataDir: join(options.dir, "data"), port: 0, listen: "127.0.0.1", insecureHttp: false,
    storage: options.etcdEndpoints !== undefined ? { kind: "etcd", endpoints: options.etcdEndpoints } : "sqlite",
    nodes: options.nodes, stages: options.stages,
  });
  return {
    mode: "inprocess",
    client: plane.client,
    kubeconfigPath: plane.kubeconfigPath,
    usage: async () => {
      const u = process.resourceUsage();
      return { cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, peakRssBytes: u.maxRSS * 1024, rssBytes: process.memoryUsage.rss() };
    },
    stop: () => plane.stop(),
  };
}

/** The `everynode` executable of this checkout. */
function everynodeBin(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/everynode.js");
}

async function startUp(options: BenchTargetOptions): Promise<BenchTarget> {
  const stagesPath = join(options.dir, "stages.json");
  await writeFile(stagesPath, JSON.stringify(options.stages));
  const store = options.etcdEndpoints !== undefined ? ["--store", `etcd://${options.etcdEndpoints.join(",")}`] : [];
  const profile = options.cpuProfileDir !== undefined ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfileDir] : [];
  const snapshots = options.heapSnapshotDir !== undefined ? ["--heap-snapshot-dir", options.heapSnapshotDir] : [];
  const child = spawn(process.execPath, [...serverRuntimeFlags, ...profile, everynodeBin(), "up", "--nodes", String(options.nodes), "--port", "0", "--data-dir", join(options.dir, "data"), "--stages", stagesPath, ...store, ...snapshots, ...(options.upArgs ?? [])], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  try {
    const kubeconfigPath = await waitForLine(child, /^kubeconfig written to (.+)$/, 120_000);
    const client = new RestClient(await loadKubeconfig(kubeconfigPath));
    const pid = child.pid ?? 0;
    return {
      mode: "up",
      client,
      kubeconfigPath,
      usage: () => procUsage(pid),
      heapSnapshot: options.heapSnapshotDir === undefined ? undefined : async () => {
        const line = waitForLine(child, /^heap snapshots written: (.+)$/, 600_000);
        child.kill("SIGUSR2");
        return (await line).split(" ");
      },
      stop: async () => {
        client.close();
        child.kill("SIGTERM");
        const force = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(force);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    await exited;
    throw error;
  }
}

/** Resolves with the first capture group of the first stdout line matching `re`; stderr lines are passed on. */
function waitForLine(child: ChildProcess, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let buffer = "";
    let errors = "";
    const timer = setTimeout(() => done(new Error(`everynode up printed no kubeconfig within ${timeoutMs} ms: ${errors}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString("utf8");
      for (const line of buffer.split("\n")) {
        const m = re.exec(line.trim());
        if (m?.[1] !== undefined) { done(undefined, m[1]); return; }
      }
    };
    const onErr = (chunk: Buffer): void => { errors = (errors + chunk.toString("utf8")).slice(-4000); };
    const onExit = (code: number | null): void => done(new Error(`everynode up exited (${String(code)}): ${errors}`));
    function done(error: Error | undefined, value?: string): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      // Keep draining both pipes so the child never blocks on a full one.
      child.stdout?.resume();
      if (error) reject(error);
      else resolveLine(value ?? "");
    }
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onErr);
    child.once("exit", onExit);
  });
}

/** CPU time and RSS of another process from /proc (Linux). */
async function procUsage(pid: number): Promise<ProcessUsage> {
  const ticks = cpuTicks(await readFile(`/proc/${pid}/stat`, "utf8"));
  const mainTicks = cpuTicks(await readFile(`/proc/${pid}/task/${pid}/stat`, "utf8"));
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return { cpuMs: ticks * 10, mainThreadCpuMs: mainTicks * 10, peakRssBytes: kb("VmHWM"), rssBytes: kb("VmRSS") };
}

/** utime + stime of a /proc stat line: the 12th and 13th fields after the parenthesised command name. */
function cpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}
