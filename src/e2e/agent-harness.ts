/** Starting `everynode agent` processes for end-to-end tests, and finding the host processes they run. */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { issueNodeKubeconfig } from "../server/node-credentials.js";
import { writeSecret } from "../server/pki.js";
import { startTestCluster, type KubectlResult, type TestCluster, type TestClusterOptions } from "./harness.js";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

/** One running agent process. */
export interface TestAgent {
  name: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Options of startAgent. */
export interface StartAgentOptions {
  /** Extra arguments of `everynode agent`. */
  args?: string[];
  /** Run the agent in this network namespace (`ip netns exec NS`). */
  netns?: string;
  /** Leave out `--name`: the agent takes the node name from its credential (as the README's three commands do). */
  nameFromCredential?: boolean;
}

/** Issues node `name`'s kubeconfig from the cluster and starts `everynode agent` for it (data under the cluster's home). */
export async function startAgent(cluster: TestCluster, name: string, options: StartAgentOptions = {}): Promise<TestAgent> {
  const dataDir = join(cluster.home, `agent-${name}`);
  const kubeconfig = join(cluster.home, `${name}.kubeconfig`);
  await writeSecret(kubeconfig, await issueNodeKubeconfig({ dataDir: cluster.dataDir, nodeName: name }));
  const argv = [bin, "agent", "--kubeconfig", kubeconfig, ...(options.nameFromCredential ? [] : ["--name", name]), "--data-dir", dataDir, "--node-status-update-frequency", "1", ...(options.args ?? [])];
  const child = options.netns
    ? spawn("ip", ["netns", "exec", options.netns, process.execPath, ...argv], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  return { name, dataDir, child, output: () => out, exited };
}

/** The command lines of every process on the host. */
export async function hostCommandLines(): Promise<string[]> {
  const { stdout } = await run("ps", ["-eo", "args="], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split("\n");
}

/** A host process: pid, parent pid and command line. */
export interface HostProcess { pid: number; ppid: number; args: string }

/** The container processes an agent with `dataDir` runs: the children of its shims. */
export async function containerProcesses(dataDir: string): Promise<HostProcess[]> {
  const { stdout } = await run("ps", ["-eo", "pid=,ppid=,args="], { maxBuffer: 16 * 1024 * 1024 });
  const all = stdout.split("\n").map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l)).filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? "" }));
  const shims = new Set(all.filter((p) => p.args.includes(`${dataDir}/shim.sh`)).map((p) => p.pid));
  return all.filter((p) => shims.has(p.ppid));
}

/** Ends everything the agents started under `dataDirs` (their shims' process groups), then the agents. */
export async function stopAgents(agents: readonly TestAgent[]): Promise<void> {
  for (const a of agents) {
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill("SIGKILL");
    await a.exited;
  }
  const { stdout } = await run("ps", ["-eo", "pid=,args="], { maxBuffer: 16 * 1024 * 1024 });
  for (const line of stdout.split("\n")) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m || !agents.some((a) => (m[2] ?? "").includes(`${a.dataDir}/shim.sh`))) continue;
    try { process.kill(-Number(m[1]), "SIGKILL"); } catch { /* already gone */ }
  }
}

/** Arguments that make an agent listen on loopback and report it as its address, so the API server reaches it there. */
export const loopbackAgentArgs: readonly string[] = ["--listen", "127.0.0.1:0", "--node-ip", "127.0.0.1"];

/** A control plane with real agents; `agents` may be replaced in place (a restarted agent), `stop` ends all of them. */
export interface AgentCluster { cluster: TestCluster; agents: TestAgent[]; stop: () => Promise<void> }

/** Starts a control plane with no simulated nodes and one loopback agent per name (node monitor grace 4 s, unless `options` say otherwise). */
export async function startAgentCluster(names: readonly string[], options: TestClusterOptions = {}): Promise<AgentCluster> {
  const cluster = await startTestCluster({ nodeMonitorGracePeriodMs: 4000, ...options });
  const agents: TestAgent[] = [];
  const stop = async (): Promise<void> => { await stopAgents(agents); await cluster.stop(); };
  try {
    for (const name of names) agents.push(await startAgent(cluster, name, { args: [...loopbackAgentArgs] }));
  } catch (err) {
    await stop();
    throw err;
  }
  return { cluster, agents, stop };
}

/**
 * Runs the shell command `inner` (which runs kubectl) on a terminal of its own, as a user at a terminal does (util-linux
 * `script`), in the cluster's kubectl environment; resolves with the exit code and everything the terminal showed.
 */
export async function onTerminal(cluster: TestCluster, inner: string): Promise<Omit<KubectlResult, "stderr">> {
  return run("script", ["--quiet", "--return", "--command", inner, "/dev/null"], { env: cluster.kubectlEnv, timeout: 30_000 })
    .then((ok) => ({ code: 0, stdout: ok.stdout }), (err: { code: number; stdout: string }) => err);
}
