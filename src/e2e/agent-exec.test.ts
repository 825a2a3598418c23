import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { issueNodeKubeconfig } from "../server/node-credentials.js";
import { writeSecret } from "../server/pki.js";
import { kubectlStream, until, type TestCluster } from "./harness.js";
import { hostCommandLines, startAgentCluster, type AgentCluster } from "./agent-harness.js";

const run = promisify(execFile);

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

/** Host processes whose command line starts with `prefix`. */
async function processesWith(prefix: string): Promise<string[]> {
  return (await hostCommandLines()).filter((l) => l.startsWith(prefix));
}

describe("kubectl exec and cp against pods run by everynode agent", () => {
  let env: AgentCluster;
  let cluster: TestCluster;
  let pod = "";
  let simulatedPod = "";
  let hostDir = "";
  let mountPath = "";

  before(async () => {
    env = await startAgentCluster(["exec-a"]);
    cluster = env.cluster;
    hostDir = join(cluster.home, "shared-host");
    mountPath = join(cluster.home, "in-pod");
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
    pod = all.find((p) => p.node === "exec-a")?.name ?? "";
    simulatedPod = all.find((p) => p.node === "sim-1")?.name ?? "";
  });
  after(async () => { await env.stop(); });

  test("kubectl exec ds/NAME runs the command in the container and prints its output", async () => {
    const r = await cluster.kubectl(["exec", pod, "--", "echo", "hi"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "hi\n", ""]);
    // ds/NAME picks one of its pods; the simulated node's pod may be it, so name the agent's explicitly too.
    const viaDs = await cluster.kubectl(["exec", "ds/sleeper", "--", "echo", "hi"]);
    assert.ok(viaDs.code === 0 ? viaDs.stdout === "hi\n" : /simulated node "sim-1"/.test(viaDs.stderr), viaDs.stderr);
  });

  test("a non-zero exit is kubectl's exit code, with upstream's message", async () => {
    const r = await cluster.kubectl(["exec", pod, "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\ncommand terminated with exit code 3\n");
  });

  test("piped stdin reaches the command and its end ends it", async () => {
    const r = await cluster.kubectl(["exec", "-i", pod, "--", "cat"], "abc\n");
    assert.deepEqual([r.code, r.stdout], [0, "abc\n"]);
    const big = randomBytes(300_000).toString("base64");
    const wc = await cluster.kubectl(["exec", "-i", pod, "--", "wc", "-c"], big);
    assert.equal(wc.stdout.trim(), String(big.length));
  });

  test("the command sees the container's environment, working directory and mounts", async () => {
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "printenv", "MY_VAR"]), "from the manifest\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "printenv", "MY_NODE"]), "exec-a\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "pwd"]), "/tmp\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "cat", `${mountPath}/hello.txt`]), "written on the host\n");
  });

  test("kubectl exec -it gets a terminal of kubectl's size", async () => {
    // kubectl itself runs on a terminal here (util-linux script), as it does for a user.
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cluster.home, KUBECONFIG: cluster.kubeconfigPath, KUBECACHEDIR: join(cluster.home, "cache") };
    const inner = `stty cols 111 rows 33; kubectl exec -it ${pod} -- sh -c 'tty; stty size; echo $TERM; exit 5'`;
    const r = await run("script", ["--quiet", "--return", "--command", inner, "/dev/null"], { env, timeout: 30_000 })
      .then((ok) => ({ code: 0, stdout: ok.stdout }), (err: { code: number; stdout: string }) => err);
    assert.equal(r.code, 5);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r\n33 111\r\nxterm\r\n/);
    assert.match(r.stdout, /command terminated with exit code 5/);
  });

  test("a command that does not exist is an error as upstream reports it", async () => {
    const r = await cluster.kubectl(["exec", pod, "--", "nosuch-command"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: Internal error occurred: error executing command in container: exec: "nosuch-command": executable file not found in $PATH\n');
  });

  test("kubectl cp copies into the container and back out", async () => {
    const local = join(cluster.home, "cp-src");
    await mkdir(local, { recursive: true });
    const payload = randomBytes(1_500_000);
    await writeFile(join(local, "data.bin"), payload);
    await writeFile(join(local, "note.txt"), "a note\n");
    await cluster.kubectlOk(["cp", local, `${pod}:${mountPath}/copied`]);
    assert.ok(payload.equals(await readFile(join(hostDir, "copied", "data.bin"))), "the file arrived in the container's volume");
    const back = join(cluster.home, "cp-back");
    await cluster.kubectlOk(["cp", `${pod}:${mountPath}/copied`, back]);
    assert.ok(payload.equals(await readFile(join(back, "data.bin"))));
    assert.equal(await readFile(join(back, "note.txt"), "utf8"), "a note\n");
  });

  test("exec needs pods/exec: a reader and a node are refused with 403", async () => {
    await cluster.kubectlOk(["create", "serviceaccount", "viewer"]);
    await cluster.kubectlOk(["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"]);
    await cluster.kubectlOk(["create", "rolebinding", "viewer", "--role=pod-reader", "--serviceaccount=default:viewer"]);
    const reader = await cluster.kubectl(["exec", "--as", "system:serviceaccount:default:viewer", pod, "--", "echo", "hi"]);
    assert.equal(reader.code, 1);
    assert.match(reader.stderr, /Error from server \(Forbidden\): pods ".+" is forbidden: User "system:serviceaccount:default:viewer" cannot create resource "pods\/exec" in API group "" in the namespace "default"/);
    const nodeConfig = join(cluster.home, "exec-a-as-node.kubeconfig");
    await writeSecret(nodeConfig, await issueNodeKubeconfig({ dataDir: cluster.dataDir, nodeName: "exec-a" }));
    const node = await cluster.kubectl(["--kubeconfig", nodeConfig, "exec", pod, "--", "echo", "hi"]);
    assert.equal(node.code, 1);
    assert.match(node.stderr, /User "system:node:exec-a" cannot create resource "pods\/exec"/);
    assert.equal(node.stdout, "");
  });

  test("exec into a pod of a simulated node is a clear error", async () => {
    const r = await cluster.kubectl(["exec", simulatedPod, "--", "echo", "hi"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error from server \(BadRequest\): pod .+ runs on the simulated node "sim-1", which has no processes to exec into/);
  });

  test("kubectl attach streams a running container's output until it exits", async () => {
    const talker = `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  nodeName: exec-a
  restartPolicy: Never
  containers:
  - name: talker
    image: busybox
    command: ["sh", "-c", "sleep 4; echo from-the-container; echo to-stderr >&2; sleep 1"]
`;
    await cluster.kubectlOk(["apply", "-f", "-"], talker);
    await until(async () => (await cluster.kubectlOk(["get", "pod", "talker", "-o", "jsonpath={.status.phase}"])) === "Running", "talker Running");
    const refused = await cluster.kubectl(["attach", "-i", "talker"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /container talker has no stdin to attach to: its spec does not set stdin: true/);
    const r = await cluster.kubectl(["attach", "talker"]);
    assert.deepEqual([r.code, r.stdout], [0, "from-the-container\n"]);
    // (kubectl's own hint about the command prompt comes first.)
    assert.match(r.stderr, /\nto-stderr\n$/);
  });

  test("no process of an exec outlives it, nor a client that went away", async () => {
    const mark = randomInt(10_000, 99_999);
    // Left in the background by a command that ended: killed with the exec's process group.
    await cluster.kubectlOk(["exec", pod, "--", "sh", "-c", `sleep ${mark}1 >/dev/null 2>&1 & echo started`]);
    // A client that goes away while the command runs: the whole group ends.
    const stream = kubectlStream(cluster, ["exec", pod, "--", "sh", "-c", `echo running; sleep ${mark}2 & sleep ${mark}3`]);
    await stream.waitFor(/running/);
    assert.equal((await processesWith(`sleep ${mark}3`)).length, 1);
    await stream.stop();
    await until(async () => (await processesWith(`sleep ${mark}`)).length === 0, "no exec process left", 10_000);
    const sleeper = await processesWith("sleep infinity");
    assert.ok(sleeper.length >= 1, "the container itself still runs");
  });
});
