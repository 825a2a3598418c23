import { execFile, spawn } from "node:child_process";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControlPlane, type ControlPlaneOptions } from "../server/control-plane.js";
import type { StoreChoice } from "../server/store.js";
import type { StageConfig } from "../simulator/index.js";

/** What one kubectl invocation produced. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A control plane started for a test, with a kubectl bound to it (own kubeconfig, cache and HOME). */
export interface TestCluster {
  plane: ControlPlane;
  /** The temp dir used as HOME (kubectl caches live under it). */
  home: string;
  /** The control plane's data directory (tokens, PKI, kubeconfig). */
  dataDir: string;
  /** The kubeconfig kubectl uses (a copy of the one the server wrote). */
  kubeconfigPath: string;
  /** The environment kubectl runs with (its own HOME, KUBECONFIG and KUBECACHEDIR, plus the options' kubectlEnv). */
  kubectlEnv: Record<string, string>;
  /** Runs the installed kubectl with `args`; `input` is piped to stdin. Never throws on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /** Like kubectl, but throws with stderr when the exit code is not 0. Returns stdout. */
  kubectlOk(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The kubectl the tests drive: the machine's own, as users run it. */
export const kubectlPath = "/usr/bin/kubectl";

/** Options of a test cluster. */
export interface TestClusterOptions {
  insecureHttp?: boolean;
  storage?: StoreChoice;
  /** Data directory (default: one in the test's temp dir); servers of one cluster on etcd may share one. */
  dataDir?: string;
  /** Leader election timing of the controllers on a shared store. */
  leaderElection?: ControlPlaneOptions["leaderElection"];
  /** Simulated nodes (default 0, as `everynode up --nodes 0`). */
  nodes?: number;
  /** Run controllers, scheduler and simulator (default true). */
  controllers?: boolean;
  /** Pod lifecycle stages for the simulator. */
  stages?: StageConfig;
  /** Node monitor grace period in ms (default upstream's 50 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Lease renew interval of the simulated nodes in ms (default the kubelet's 10 s). */
  leaseRenewIntervalMs?: number;
  /** Receives the server's log lines (default: dropped). */
  log?: (line: string) => void;
  /** Address the API server listens on (default 127.0.0.1). */
  listen?: string;
  /** Extra environment of every kubectl run against the cluster (e.g. `KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false"`). */
  kubectlEnv?: Record<string, string>;
}

/** Starts a control plane on a free port in a fresh temp dir (HTTPS + token unless `insecureHttp`). */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), "everynode-e2e-"));
  const dataDir = options.dataDir ?? join(dir, "data");
  const plane = await ControlPlane.start({
    dataDir, port: 0, listen: options.listen ?? "127.0.0.1", insecureHttp: options.insecureHttp ?? false, storage: options.storage ?? "memory",
    nodes: options.nodes ?? 0, controllers: options.controllers ?? true, stages: options.stages,
    nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, leaseRenewIntervalMs: options.leaseRenewIntervalMs, leaderElection: options.leaderElection,
    log: options.log,
  });
  // kubectl gets its own copy: servers sharing a data dir each rewrite the kubeconfig there with their address.
  const kubeconfigPath = join(dir, "kubeconfig");
  await copyFile(plane.kubeconfigPath, kubeconfigPath);
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: join(dir, "cache"), ...options.kubectlEnv };
  const kubectl = (args: string[], input?: string): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile(kubectlPath, args, { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      if (input !== undefined) child.stdin?.end(input);
      else child.stdin?.end();
    });
  const kubectlOk = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  };
  return {
    plane, home: dir, dataDir, kubeconfigPath, kubectlEnv: env, kubectl, kubectlOk,
    stop: async () => { await plane.stop(); await rm(dir, { recursive: true, force: true }); },
  };
}

/** A long-running kubectl (e.g. `get -w`) whose output is collected as it arrives. */
export interface KubectlStream {
  /** Everything printed on stdout so far. */
  output(): string;
  /** Everything printed on stderr so far. */
  errors(): string;
  /** Resolves once stdout matches `re`; rejects after `timeoutMs`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  /** True once kubectl has exited by itself (or was stopped). */
  exited(): boolean;
  /** Kills kubectl and resolves when it has exited. */
  stop(): Promise<void>;
}

/** Starts kubectl in the background against the cluster, with the same isolated environment (plus `extraEnv`). */
export function kubectlStream(cluster: TestCluster, args: string[], extraEnv: Record<string, string> = {}): KubectlStream {
  const env = { ...cluster.kubectlEnv, ...extraEnv };
  const child = spawn(kubectlPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  let hasExited = false;
  const exited = new Promise<void>((ok) => child.once("exit", () => { hasExited = true; ok(); }));
  return {
    output: () => out,
    errors: () => err,
    exited: () => hasExited,
    waitFor: async (re, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in kubectl ${args.join(" ")}; stdout:\n${out}\nstderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => { child.kill("SIGTERM"); await exited; },
  };
}

/** Polls `check` every 100 ms until it holds; throws `timed out waiting for <what>` after `timeoutMs` (default 30 s). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Runs `check` every `intervalMs` (default 100 ms) until it resolves without throwing and returns its value;
 * after `timeoutMs` (default 20 s) rethrows the last failure.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() + intervalMs > deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
