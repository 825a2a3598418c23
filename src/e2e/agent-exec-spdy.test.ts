import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { checkAttach, checkCopy, checkExitCode, checkMissingCommand, checkSimulatedPod, checkStdin, checkTerminal, startTalker } from "./agent-exec-checks.js";
import { startExecCluster, stdinPod, type ExecCluster } from "./agent-exec-setup.js";
import { kubectlStream, until } from "./harness.js";

/** kubectl 1.32 speaks SPDY for exec, cp and attach when told not to use WebSockets. */
const spdyOnly = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" };

describe("kubectl exec, cp and attach over SPDY against pods run by everynode agent", () => {
  let x: ExecCluster;

  before(async () => { x = await startExecCluster("spdy-a", { kubectlEnv: spdyOnly }); });
  after(async () => { await x.env.stop(); });

  test("kubectl really falls back to SPDY: the server answers its SPDY upgrade with the version it chose", async () => {
    const r = await x.cluster.kubectl(["-v=8", "exec", x.pod, "--", "echo", "hi"]);
    assert.deepEqual([r.code, r.stdout], [0, "hi\n"], r.stderr);
    const response = r.stderr.slice(r.stderr.lastIndexOf("Response Status:"));
    assert.match(response, /^Response Status: 101 Switching Protocols/);
    assert.match(response, /\] +Upgrade: SPDY\/3\.1\n/);
    // kubectl offers v5 first; over SPDY the agent, as the kubelet, speaks v4 and below.
    assert.match(response, /\] +X-Stream-Protocol-Version: v4\.channel\.k8s\.io\n/);
    // The same kubectl without the variable speaks WebSocket: the check above tells the two apart.
    const ws = kubectlStream(x.cluster, ["-v=8", "exec", x.pod, "--", "echo", "hi"], { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "true" });
    await until(() => ws.exited(), "kubectl exec over WebSocket");
    assert.equal(ws.output(), "hi\n");
    assert.doesNotMatch(ws.errors(), /Upgrade: SPDY\/3\.1/);
    assert.match(ws.errors(), /Sec-Websocket-Protocol: v5\.channel\.k8s\.io/i);
  });

  test("output on stdout and stderr; a non-zero exit is kubectl's exit code", () => checkExitCode(x));

  test("piped stdin reaches the command and its end ends it", () => checkStdin(x));

  test("kubectl exec -it gets a terminal of kubectl's size through the resize stream", async () => {
    await checkTerminal(x, 97, 31);
  });

  test("a command that does not exist, and a pod of a simulated node, are the errors the WebSocket path gives", async () => {
    await checkMissingCommand(x);
    await checkSimulatedPod(x);
  });

  test("kubectl cp copies into the container and back out", () => checkCopy(x));

  test("kubectl attach streams a running container's output until it exits", async () => {
    await startTalker(x, "spdy-a");
    await checkAttach(x);
  });

  test("kubectl attach -i writes to a stdin container; with stdinOnce the end of input is the container's", async () => {
    await x.cluster.kubectlOk(["apply", "-f", "-"], stdinPod("once", "spdy-a", ["sh", "-c", "cat; echo stdin-ended"], { stdinOnce: true }));
    const phase = (): Promise<string> => x.cluster.kubectlOk(["get", "pod", "once", "-o", "jsonpath={.status.phase}"]);
    await until(async () => (await phase()) === "Running", "once Running");
    const r = await x.cluster.kubectl(["attach", "-i", "once"], "abc\n");
    assert.deepEqual([r.code, r.stdout], [0, "abc\nstdin-ended\n"], r.stderr);
    await until(async () => (await phase()) === "Succeeded", "once Succeeded");
  });
});
