/**
 * The set-up of the exec end-to-end tests: a control plane with one agent and a simulated node, the seeds' busybox
 * `sleep infinity` DaemonSet running on both, with env, a working directory and a host directory mounted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startAgentCluster, type AgentCluster } from "./agent-harness.js";
import { until, type TestCluster, type TestClusterOptions } from "./harness.js";

/** The seeds' busybox `sleep infinity` DaemonSet with env, a working directory and a volume seen at another path. */
function sleeperDaemonSet(hostDir: string, mountPath: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: sleeper
spec:
  selector:
    matchLabels: {app: sleeper}
  template:
    metadata:
      labels: {app: sleeper}
    spec:
      containers:
      - name: sleeper
        image: busybox
        command: ["sleep", "infinity"]
        workingDir: /tmp
        env:
        - {name: MY_VAR, value: "from the manifest"}
        - name: MY_NODE
          valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
        volumeMounts:
        - {name: shared, mountPath: ${mountPath}}
      volumes:
      - name: shared
        hostPath: {path: ${hostDir}}
`;
}

const simulatedNode = `apiVersion: v1
kind: Node
metadata:
  name: sim-1
  annotations: {everynode.dev/simulated: "true"}
`;

/** Pod `talker` on `node`: after 4 s it writes a line to stdout and one to stderr, then exits. */
export function talkerPod(node: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  nodeName: ${node}
  restartPolicy: Never
  containers:
  - name: talker
    image: busybox
    command: ["sh", "-c", "sleep 4; echo from-the-container; echo to-stderr >&2; sleep 1"]
`;
}

/** A pod on node `node` whose one container runs `command` with the given stdin settings. */
export function stdinPod(name: string, node: string, command: string[], stdin: { stdinOnce?: boolean; tty?: boolean } = {}): string {
  return JSON.stringify({
    apiVersion: "v1", kind: "Pod", metadata: { name },
    spec: { nodeName: node, restartPolicy: "Never", containers: [{ name, image: "busybox", command, stdin: true, ...stdin }] },
  });
}

/** What startExecCluster set up. */
export interface ExecCluster {
  env: AgentCluster;
  cluster: TestCluster;
  /** The sleeper pod on the agent's node, and the one on the simulated node `sim-1`. */
  pod: string;
  simulatedPod: string;
  /** The host directory holding `hello.txt`, and where the container sees it. */
  hostDir: string;
  mountPath: string;
}

/** Starts the cluster with agent `node` (and `options` for the cluster) and waits for both sleeper pods to run. */
export async function startExecCluster(node: string, options: TestClusterOptions = {}): Promise<ExecCluster> {
  const env = await startAgentCluster([node], options);
  const cluster = env.cluster;
  try {
    const hostDir = join(cluster.home, "shared-host");
    const mountPath = join(cluster.home, "in-pod");
    await mkdir(hostDir, { recursive: true });
    await writeFile(join(hostDir, "hello.txt"), "written on the host\n");
    await cluster.kubectlOk(["apply", "-f", "-"], simulatedNode);
    await cluster.kubectlOk(["apply", "-f", "-"], sleeperDaemonSet(hostDir, mountPath));
    const pods = async (): Promise<{ name: string; node: string; phase: string }[]> => {
      const list = JSON.parse(await cluster.kubectlOk(["get", "pods", "-l", "app=sleeper", "-o", "json"])) as { items: { metadata: { name: string }; spec: { nodeName?: string }; status?: { phase?: string } }[] };
      return list.items.map((p) => ({ name: p.metadata.name, node: p.spec.nodeName ?? "", phase: p.status?.phase ?? "" }));
    };
    await until(async () => { const p = await pods(); return p.length === 2 && p.every((x) => x.phase === "Running"); }, "two Running sleeper pods", 40_000);
    const all = await pods();
    const pod = all.find((p) => p.node === node)?.name ?? "";
    const simulatedPod = all.find((p) => p.node === "sim-1")?.name ?? "";
    return { env, cluster, pod, simulatedPod, hostDir, mountPath };
  } catch (err) {
    await env.stop();
    throw err;
  }
}
