import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { until, type TestCluster } from "./harness.js";
import { containerProcesses, startAgentCluster, type AgentCluster, type TestAgent } from "./agent-harness.js";

/** A DaemonSet whose container sleeps `seconds` (its command line tells the versions apart) with an optional exec readiness probe. */
function daemonSet(name: string, seconds: number, strategy: string, readiness?: string): string {
  const probe = readiness === undefined ? "" : `
        readinessProbe:
          exec: {command: ["${readiness}"]}
          periodSeconds: 1`;
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  updateStrategy:
${strategy}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: busybox
        command: ["sleep", "${seconds}"]${probe}
`;
}
const rollingUpdate = "    type: RollingUpdate\n    rollingUpdate: {maxUnavailable: 1}";
const onDelete = "    type: OnDelete";

interface PodView { name: string; node: string; ready: boolean }

describe("everynode agent: DaemonSet updates of real processes on two agents", () => {
  let env: AgentCluster;
  let cluster: TestCluster;
  let agents: TestAgent[] = [];

  before(async () => {
    env = await startAgentCluster(["agent-a", "agent-b"]);
    ({ cluster, agents } = env);
  });
  after(async () => { await env.stop(); });

  const pods = async (app: string): Promise<PodView[]> => {
    const list = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", `app=${app}`, "-o", "json"])) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status?: { containerStatuses?: { ready: boolean }[] } }[] };
    return list.items.map((p) => ({
      name: p.metadata.name, node: p.spec.nodeName ?? "", ready: p.status?.containerStatuses?.[0]?.ready ?? false,
    }));
  };
  /** The `sleep N` container processes each agent runs, by agent name. */
  const sleeps = async (): Promise<Record<string, string[]>> => {
    const out: Record<string, string[]> = {};
    for (const a of agents) out[a.name] = (await containerProcesses(a.dataDir)).map((p) => p.args).filter((s) => s.startsWith("sleep ")).sort();
    return out;
  };
  /** `kubectl get ds NAME` as the user reads it: DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE. */
  const dsColumns = async (name: string): Promise<Record<string, string>> => {
    const [head = "", row = ""] = (await cluster.kubectlOk(["get", "ds", name])).trim().split("\n");
    const keys = head.trim().split(/\s+/);
    const values = row.trim().split(/\s+/);
    return Object.fromEntries(keys.map((k, i) => [k, values[i] ?? ""]));
  };

  test("agents are Ready", async () => {
    for (const a of agents) {
      await until(async () => (await cluster.kubectl(["get", "node", a.name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"])).stdout === "True", `${a.name} Ready`);
    }
  });

  test("a readiness probe that never passes stops a rolling update after maxUnavailable nodes; fixing the template completes it", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet("probe", 1001, rollingUpdate, "true"));
    await until(async () => { const p = await pods("probe"); return p.length === 2 && p.every((x) => x.ready); }, "two Ready v1 pods");
    await cluster.kubectlOk(["rollout", "status", "ds/probe", "--timeout=30s"]);
    assert.deepEqual(await sleeps(), { "agent-a": ["sleep 1001"], "agent-b": ["sleep 1001"] });

    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet("probe", 1002, rollingUpdate, "false"));
    const replaced = async (): Promise<string | undefined> => {
      const s = await sleeps();
      return Object.keys(s).find((n) => s[n]?.length === 1 && s[n]?.[0] === "sleep 1002");
    };
    await until(async () => (await replaced()) !== undefined, "one node running the new template", 30_000);
    // Several probe periods and controller syncs later, the rollout still holds at one node.
    await sleep(6000);
    const updatedNode = await replaced();
    assert.ok(updatedNode);
    const otherNode = agents.map((a) => a.name).find((n) => n !== updatedNode) ?? "";
    const s = await sleeps();
    assert.deepEqual(s[otherNode], ["sleep 1001"], "the other node keeps its old process");
    const p = await pods("probe");
    assert.equal(p.length, 2);
    assert.equal(p.find((x) => x.node === updatedNode)?.ready, false, "the new pod is not Ready");
    assert.equal(p.find((x) => x.node === otherNode)?.ready, true, "the old pod stays Ready");
    const why = await cluster.kubectlOk(["describe", "pod", p.find((x) => x.node === updatedNode)?.name ?? ""]);
    assert.match(why, /Warning\s+Unhealthy\s+.*Readiness probe failed/, "describe says why the new pod is not Ready");
    const cols = await dsColumns("probe");
    assert.equal(cols["DESIRED"], "2");
    assert.equal(cols["UP-TO-DATE"], "1");
    assert.equal(cols["AVAILABLE"], "1");
    assert.equal(cols["READY"], "1");
    const stalled = await cluster.kubectl(["rollout", "status", "ds/probe", "--timeout=2s"]);
    assert.notEqual(stalled.code, 0, "rollout status does not report success");
    assert.match(stalled.stdout + stalled.stderr, /1 out of 2 new pods have been updated/);

    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet("probe", 1003, rollingUpdate, "true"));
    await cluster.kubectlOk(["rollout", "status", "ds/probe", "--timeout=60s"]);
    await until(async () => JSON.stringify(await sleeps()) === JSON.stringify({ "agent-a": ["sleep 1003"], "agent-b": ["sleep 1003"] }), "both nodes on the fixed template");
    const done = await dsColumns("probe");
    assert.deepEqual([done["UP-TO-DATE"], done["AVAILABLE"], done["READY"]], ["2", "2", "2"]);
  });

  test("OnDelete: a template change replaces nothing until a pod is deleted, which comes back with the new template", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet("ondel", 2001, onDelete));
    await until(async () => { const p = await pods("ondel"); return p.length === 2 && p.every((x) => x.ready); }, "two Ready ondel pods");
    const onDelSleeps = async (): Promise<Record<string, string[]>> => {
      const s = await sleeps();
      return Object.fromEntries(Object.entries(s).map(([n, l]) => [n, l.filter((x) => x.startsWith("sleep 200"))]));
    };
    assert.deepEqual(await onDelSleeps(), { "agent-a": ["sleep 2001"], "agent-b": ["sleep 2001"] });
    const before = (await pods("ondel")).map((x) => x.name).sort();

    await cluster.kubectlOk(["apply", "-f", "-"], daemonSet("ondel", 2002, onDelete));
    await until(async () => (await cluster.kubectlOk(["get", "ds", "ondel", "-o", "jsonpath={.status.observedGeneration}"])) === "2", "generation 2 observed");
    await sleep(4000);
    assert.deepEqual((await pods("ondel")).map((x) => x.name).sort(), before, "no pod was replaced");
    assert.deepEqual(await onDelSleeps(), { "agent-a": ["sleep 2001"], "agent-b": ["sleep 2001"] });
    assert.equal((await dsColumns("ondel"))["UP-TO-DATE"], "0");

    const victim = (await pods("ondel")).find((x) => x.node === "agent-a");
    assert.ok(victim);
    await cluster.kubectlOk(["delete", "pod", victim.name]);
    await until(async () => { const p = await pods("ondel"); return p.length === 2 && p.every((x) => x.ready) && !p.some((x) => x.name === victim.name); }, "a new Ready pod on agent-a");
    await until(async () => JSON.stringify(await onDelSleeps()) === JSON.stringify({ "agent-a": ["sleep 2002"], "agent-b": ["sleep 2001"] }), "agent-a on the new template, agent-b untouched", 30_000);
    assert.ok((await pods("ondel")).some((x) => x.node === "agent-b" && before.includes(x.name)), "agent-b keeps its old pod");
    await until(async () => (await dsColumns("ondel"))["UP-TO-DATE"] === "1", "UP-TO-DATE 1");
  });

  test("deleting both DaemonSets leaves no process behind", async () => {
    await cluster.kubectlOk(["delete", "ds", "probe", "ondel"]);
    await until(async () => (await cluster.kubectlOk(["get", "pods", "-o", "name"])).trim() === "", "all pods gone", 30_000);
    for (const a of agents) assert.deepEqual(await containerProcesses(a.dataDir), [], `no process under ${a.name}`);
  });
});
