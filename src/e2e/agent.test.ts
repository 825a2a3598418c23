import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { until, type TestCluster } from "./harness.js";
import { containerProcesses, loopbackAgentArgs, startAgent, startAgentCluster, type AgentCluster, type TestAgent } from "./agent-harness.js";

const talkDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: talk
spec:
  selector:
    matchLabels: {app: talk}
  template:
    metadata:
      labels: {app: talk}
    spec:
      containers:
      - name: talk
        image: busybox
        command: ["sh", "-c", "i=0; while true; do echo line $i on $NODE; i=$((i+1)); sleep 0.2; done"]
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`;

interface PodView { name: string; node: string; phase: string; restarts: number; ready: boolean }

describe("everynode agent: the seeds' DaemonSet as real processes on two agents", () => {
  let env: AgentCluster;
  let cluster: TestCluster;
  let agents: TestAgent[] = [];

  before(async () => {
    env = await startAgentCluster(["agent-a", "agent-b"]);
    ({ cluster, agents } = env);
  });
  after(async () => { await env.stop(); });

  const pods = async (): Promise<PodView[]> => {
    const list = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", "app=demo", "-o", "json"])) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status?: { phase?: string; containerStatuses?: { restartCount: number; ready: boolean }[] } }[] };
    return list.items.map((p) => ({
      name: p.metadata.name, node: p.spec.nodeName ?? "", phase: p.status?.phase ?? "",
      restarts: p.status?.containerStatuses?.[0]?.restartCount ?? -1, ready: p.status?.containerStatuses?.[0]?.ready ?? false,
    }));
  };
  const nodeReady = async (name: string): Promise<string> =>
    cluster.kubectlOk(["get", "node", name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]);
  const sleepers = async (a: TestAgent): Promise<number[]> =>
    (await containerProcesses(a.dataDir)).filter((p) => p.args === "sleep infinity").map((p) => p.pid);

  test("each agent registers a Ready node that tells the truth about the machine", async () => {
    for (const a of agents) await until(async () => (await nodeReady(a.name).catch(() => "")) === "True", `${a.name} Ready`);
    const node = JSON.parse(await cluster.kubectlOk(["get", "node", "agent-a", "-o", "json"])) as { metadata: { labels: Record<string, string> }; status: { capacity: Record<string, string>; nodeInfo: Record<string, string>; addresses: { type: string }[] } };
    assert.equal(node.metadata.labels["kubernetes.io/hostname"], "agent-a");
    assert.equal(node.metadata.labels["kubernetes.io/os"], "linux");
    assert.equal(node.status.capacity.pods, "110");
    assert.ok(Number(node.status.capacity.cpu) >= 1);
    assert.match(node.status.capacity.memory ?? "", /^\d+Ki$/);
    assert.match(node.status.capacity["ephemeral-storage"] ?? "", /^\d+Ki$/);
    assert.equal(node.status.nodeInfo.containerRuntimeVersion, "process://0.1.0");
    assert.deepEqual(node.status.addresses.map((a) => a.type), ["InternalIP", "Hostname"]);
    const lease = await cluster.kubectlOk(["get", "lease", "-n", "kube-node-lease", "agent-a", "-o", "jsonpath={.spec.holderIdentity}"]);
    assert.equal(lease, "agent-a");
  });

  test("the busybox sleep infinity DaemonSet runs one real process per node", async () => {
    await cluster.kubectlOk(["apply", "-f", fixturePath("demo.yaml")]);
    await until(async () => { const p = await pods(); return p.length === 2 && p.every((x) => x.phase === "Running" && x.ready); }, "two Running pods", 30_000);
    for (const a of agents) assert.equal((await sleepers(a)).length, 1, `one sleep infinity under ${a.name}`);
    await until(async () => (await cluster.kubectlOk(["get", "ds", "demo", "-o", "jsonpath={.status.numberAvailable}"])) === "2", "ds available 2");
  });

  test("a killed container process is restarted and counted", async () => {
    const [pid] = await sleepers(agents[0] as TestAgent);
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    await until(async () => (await pods()).some((p) => p.node === "agent-a" && p.restarts === 1 && p.ready), "restartCount 1 on agent-a");
    const [again] = await sleepers(agents[0] as TestAgent);
    assert.ok(again && again !== pid);
    const describe = await cluster.kubectlOk(["describe", "pod", (await pods()).find((p) => p.node === "agent-a")?.name ?? ""]);
    assert.match(describe, /Last State:\s+Terminated\s+Reason:\s+Error\s+Exit Code:\s+137/);
    assert.match(describe, /Started container demo/);
  });

  test("agent kill -9 makes the node Unknown; a restart re-adopts the same processes", async () => {
    const a = agents[0] as TestAgent;
    const before = await sleepers(a);
    a.child.kill("SIGKILL");
    await a.exited;
    await until(async () => (await nodeReady(a.name)) === "Unknown", "node Unknown", 30_000);
    assert.deepEqual(await sleepers(a), before, "processes survive the agent");
    const restarted = await startAgent(cluster, a.name, { args: [...loopbackAgentArgs] });
    agents[0] = restarted;
    await until(async () => (await nodeReady(a.name)) === "True", "node Ready again", 30_000);
    await until(() => restarted.output().includes("re-adopting"), "re-adoption");
    await until(async () => (await pods()).some((p) => p.node === a.name && p.ready), "pod ready again");
    assert.deepEqual(await sleepers(restarted), before, "the same process, not a new one");
    assert.equal((await pods()).find((p) => p.node === a.name)?.restarts, 1);
  });

  test("kubectl logs reaches the container's output through the API server and the agent's endpoint", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], talkDaemonSet);
    const talkPod = async (): Promise<string> => cluster.kubectlOk(["get", "pods", "-l", "app=talk", "--field-selector", "spec.nodeName=agent-b", "-o", "jsonpath={.items[0].metadata.name}"]);
    await until(async () => (await talkPod()) !== "", "talk pod on agent-b");
    const pod = await talkPod();
    await until(async () => /line 3 on agent-b/.test((await cluster.kubectl(["logs", pod])).stdout), "log lines");
    const tail = (await cluster.kubectlOk(["logs", pod, "--tail", "2"])).trimEnd().split("\n");
    assert.equal(tail.length, 2);
    for (const line of tail) assert.match(line, /^line \d+ on agent-b$/);
    const stamped = await cluster.kubectlOk(["logs", pod, "--tail", "1", "--timestamps", "-c", "talk"]);
    assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line \d+ on agent-b\n$/);
    const viaDs = await cluster.kubectl(["logs", "ds/talk", "--tail", "1"]);
    assert.equal(viaDs.code, 0, viaDs.stderr);
    assert.match(viaDs.stdout, /^line \d+ on agent-/);
    const previous = await cluster.kubectl(["logs", pod, "--previous"]);
    assert.notEqual(previous.code, 0);
    assert.match(previous.stderr, /previous terminated container "talk" in pod ".*" not found/);
    const wrong = await cluster.kubectl(["logs", pod, "-c", "nope"]);
    assert.match(wrong.stderr, /container nope is not valid for pod/);
  });

  test("SIGTERM stops the agent at once; its containers run on, and their output written meanwhile is kept", async () => {
    const b = agents[1] as TestAgent;
    const before = await sleepers(b);
    b.child.kill("SIGTERM");
    const code = await Promise.race([b.exited, new Promise<string>((ok) => setTimeout(() => ok("still running after 15 s"), 15_000))]);
    assert.equal(code, 0, b.output());
    assert.deepEqual(await sleepers(b), before, "processes survive the agent");
    await new Promise((ok) => setTimeout(ok, 1500)); // The talk container writes 5 lines a second while no agent runs.
    const restarted = await startAgent(cluster, b.name, { args: [...loopbackAgentArgs] });
    agents[1] = restarted;
    await until(() => restarted.output().includes("re-adopting"), "re-adoption");
    const pod = await cluster.kubectlOk(["get", "pods", "-l", "app=talk", "--field-selector", "spec.nodeName=agent-b", "-o", "jsonpath={.items[0].metadata.name}"]);
    const last = async (): Promise<number> => Number(/line (\d+) on agent-b\n$/.exec((await cluster.kubectl(["logs", pod, "--tail", "1"])).stdout)?.[1] ?? -1);
    const seen = await last();
    await until(async () => (await last()) > seen + 5, "output after the restart");
    const numbers = (await cluster.kubectlOk(["logs", pod])).trimEnd().split("\n").map((l) => Number(/^line (\d+) on agent-b$/.exec(l)?.[1] ?? -1));
    numbers.forEach((n, i) => assert.equal(n, i, `line ${i} of the log`));
    assert.equal(await cluster.kubectlOk(["get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].restartCount}"]), "0", "re-adopted, not restarted");
    await cluster.kubectlOk(["delete", "ds", "talk"]);
  });

  test("a DaemonJob's pods finish when their processes exit: Succeeded on one agent, Failed (exit 3) on the other", async () => {
    for (const a of agents) await until(async () => (await nodeReady(a.name).catch(() => "")) === "True", `${a.name} Ready`);
    await cluster.kubectlOk(["create", "-f", "-"], `apiVersion: everynode.dev/v1alpha1
kind: DaemonJob
metadata:
  name: check
spec:
  backoffLimitPerNode: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: check
        image: busybox
        command: ["sh", "-c", "echo checked $NODE; test $NODE != agent-b || exit 3"]
        env:
        - name: NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
`);
    const status = async (): Promise<string> => cluster.kubectlOk(["get", "dj", "check", "-o", "jsonpath={.status.succeeded}/{.status.failed}/{.status.conditions[0].type}"]);
    await until(async () => (await status()) === "1/1/Failed", "1 succeeded and 1 failed", 30_000);
    const phases = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", "everynode.dev/daemonjob-name=check", "-o", "json"])) as { items: { spec: { nodeName: string }; status: { phase: string; containerStatuses: { state: { terminated?: { exitCode: number } } }[] } }[] };
    const byNode = Object.fromEntries(phases.items.map((p) => [p.spec.nodeName, [p.status.phase, p.status.containerStatuses[0]?.state.terminated?.exitCode]]));
    assert.deepEqual(byNode, { "agent-a": ["Succeeded", 0], "agent-b": ["Failed", 3] });
    const logs = await cluster.kubectlOk(["logs", "-l", "everynode.dev/daemonjob-name=check", "--prefix=false"]);
    assert.match(logs, /checked agent-a/);
    await cluster.kubectlOk(["delete", "dj", "check"]);
    await until(async () => (await cluster.kubectlOk(["get", "pods", "-l", "everynode.dev/daemonjob-name=check", "-o", "name"])).trim() === "", "DaemonJob pods gone", 30_000);
  });

  test("kubectl delete ds leaves no process behind", async () => {
    await cluster.kubectlOk(["delete", "ds", "demo"]);
    await until(async () => (await pods()).length === 0, "pods gone", 30_000);
    await until(async () => (await cluster.kubectlOk(["get", "pods", "-o", "name"])).trim() === "", "all pods gone", 30_000);
    for (const a of agents) assert.deepEqual(await containerProcesses(a.dataDir), [], `no process under ${a.name}`);
  });
});
