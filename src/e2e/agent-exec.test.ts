import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { issueNodeKubeconfig } from "../server/node-credentials.js";
import { writeSecret } from "../server/pki.js";
import { kubectlStream, until, type TestCluster } from "./harness.js";
import { hostCommandLines } from "./agent-harness.js";
import { checkAttach, checkCopy, checkExitCode, checkMissingCommand, checkSimulatedPod, checkStdin, checkTerminal, startTalker } from "./agent-exec-checks.js";
import { startExecCluster, type ExecCluster } from "./agent-exec-setup.js";

/** Host processes whose command line starts with `prefix`. */
async function processesWith(prefix: string): Promise<string[]> {
  return (await hostCommandLines()).filter((l) => l.startsWith(prefix));
}

describe("kubectl exec and cp against pods run by everynode agent", () => {
  let x: ExecCluster;
  let cluster: TestCluster;
  let pod = "";
  let mountPath = "";

  before(async () => {
    x = await startExecCluster("exec-a");
    ({ cluster, pod, mountPath } = x);
  });
  after(async () => { await x.env.stop(); });

  test("kubectl exec ds/NAME runs the command in the container and prints its output", async () => {
    const r = await cluster.kubectl(["exec", pod, "--", "echo", "hi"]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "hi\n", ""]);
    // ds/NAME picks one of its pods; the simulated node's pod may be it, so name the agent's explicitly too.
    const viaDs = await cluster.kubectl(["exec", "ds/sleeper", "--", "echo", "hi"]);
    assert.ok(viaDs.code === 0 ? viaDs.stdout === "hi\n" : /simulated node "sim-1"/.test(viaDs.stderr), viaDs.stderr);
  });

  test("a non-zero exit is kubectl's exit code, with upstream's message", () => checkExitCode(x));

  test("piped stdin reaches the command and its end ends it", () => checkStdin(x));

  test("the command sees the container's environment, working directory and mounts", async () => {
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "printenv", "MY_VAR"]), "from the manifest\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "printenv", "MY_NODE"]), "exec-a\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "pwd"]), "/tmp\n");
    assert.equal(await cluster.kubectlOk(["exec", pod, "--", "cat", `${mountPath}/hello.txt`]), "written on the host\n");
  });

  test("kubectl exec -it gets a terminal of kubectl's size", async () => {
    assert.match(await checkTerminal(x, 111, 33), /\r\nxterm\r\n/);
  });

  test("a command that does not exist is an error as upstream reports it", () => checkMissingCommand(x));

  test("kubectl cp copies into the container and back out", () => checkCopy(x));

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

  test("exec into a pod of a simulated node is a clear error", () => checkSimulatedPod(x));

  test("kubectl attach streams a running container's output until it exits", async () => {
    await startTalker(x, "exec-a");
    const refused = await cluster.kubectl(["attach", "-i", "talker"]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /container talker has no stdin to attach to: its spec does not set stdin: true/);
    await checkAttach(x);
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
