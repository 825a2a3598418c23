/**
 * `npm run bench:agent -- [--agents N] [--pods P] [--rest-seconds S]`: real node agents on this machine.
 * Starts a control plane with no simulated nodes and N `everynode agent` processes (loopback), then measures
 * (1) DaemonSet create → every agent runs its real `sleep infinity` process (seen in `ps`), and (2) each agent's
 * own CPU (utime + stime from /proc/PID/stat over S seconds) and RSS (VmRSS, and its RssAnon part) at rest while it runs P pods, with
 * the kubelet's default status/Lease interval (10 s).
 * Prints a table and one JSON line.
 */
import { readFile } from "node:fs/promises";
import { containerProcesses, loopbackAgentArgs, startAgent, stopAgents, type TestAgent } from "../e2e/agent-harness.js";
import { startTestCluster, type TestCluster } from "../e2e/harness.js";
import { benchFlags, numberFlag, runBench as runBenchMain } from "./bench-args.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sleeperDaemonSet(name: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{name: sleep, image: busybox, command: ["sleep", "infinity"]}]
`;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Clock ticks of CPU (user + system) the process has used, from /proc/PID/stat. */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** VmRSS and its anonymous part (RssAnon: the process' own memory, without the node binary's shared file pages). */
async function rssMiB(pid: number): Promise<{ rss: number; anon: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon") };
}

/** The result of one run. */
export interface AgentBenchResult {
  agents: number;
  podsPerAgent: number;
  dsToProcessesMs: number;
  restSeconds: number;
  perAgent: { name: string; cpuPercent: number; rssMiB: number; anonMiB: number }[];
}

async function runBench(cluster: TestCluster, agents: TestAgent[], pods: number, restSeconds: number): Promise<AgentBenchResult> {
  for (const a of agents) {
    await waitFor(`${a.name} Ready`, async () => (await cluster.kubectl(["get", "node", a.name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"])).stdout === "True", 60_000);
  }
  const sleepers = async (a: TestAgent): Promise<number> => (await containerProcesses(a.dataDir)).filter((p) => p.args === "sleep infinity").length;
  const started = performance.now();
  await cluster.kubectlOk(["create", "-f", "-"], sleeperDaemonSet("sleep-0"));
  await waitFor("one sleep process per agent", async () => (await Promise.all(agents.map(sleepers))).every((n) => n === 1), 60_000);
  const dsToProcessesMs = performance.now() - started;
  for (let i = 1; i < pods; i++) await cluster.kubectlOk(["create", "-f", "-"], sleeperDaemonSet(`sleep-${i}`));
  await waitFor(`${pods} sleep processes per agent`, async () => (await Promise.all(agents.map(sleepers))).every((n) => n === pods), 120_000);
  await sleep(5000);
  const pids = agents.map((a) => a.child.pid ?? 0);
  const before = await Promise.all(pids.map(cpuTicks));
  const t0 = performance.now();
  await sleep(restSeconds * 1000);
  const after = await Promise.all(pids.map(cpuTicks));
  const seconds = (performance.now() - t0) / 1000;
  const ticksPerSecond = 100;
  const rss = await Promise.all(pids.map(rssMiB));
  return {
    agents: agents.length, podsPerAgent: pods, dsToProcessesMs, restSeconds: seconds,
    perAgent: agents.map((a, i) => ({ name: a.name, cpuPercent: (((after[i] ?? 0) - (before[i] ?? 0)) / ticksPerSecond / seconds) * 100, rssMiB: rss[i]?.rss ?? 0, anonMiB: rss[i]?.anon ?? 0 })),
  };
}

async function main(): Promise<void> {
  const flags = benchFlags(process.argv.slice(2), ["agents", "pods", "rest-seconds"]);
  const count = numberFlag(flags, "agents", 2);
  const pods = numberFlag(flags, "pods", 10);
  const restSeconds = numberFlag(flags, "rest-seconds", 30);
  const cluster = await startTestCluster();
  const agents: TestAgent[] = [];
  try {
    for (let i = 0; i < count; i++) agents.push(await startAgent(cluster, `bench-${i + 1}`, { args: [...loopbackAgentArgs, "--node-status-update-frequency", "10"] }));
    const r = await runBench(cluster, agents, pods, restSeconds);
    const rows: [string, string, string][] = [
      ["agents", String(r.agents), "everynode agent processes on this machine, process runtime"],
      ["DaemonSet create -> all processes", `${(r.dsToProcessesMs / 1000).toFixed(2)} s`, `one real sleep process on each of ${r.agents} agents (ps)`],
      ...r.perAgent.map((a): [string, string, string] => [`${a.name} at rest`, `${a.cpuPercent.toFixed(2)} % CPU`, `${a.rssMiB.toFixed(1)} MiB RSS (${a.anonMiB.toFixed(1)} MiB anonymous), ${r.podsPerAgent} pods, over ${r.restSeconds.toFixed(0)} s`]),
    ];
    for (const [a, b, c] of rows) console.log(`${a.padEnd(36)} ${b.padStart(14)}  ${c}`);
    console.log(JSON.stringify(r));
  } finally {
    await stopAgents(agents);
    await cluster.stop();
  }
}

await runBenchMain(main);
