import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectlStream, until, type TestCluster } from "./harness.js";
import { hostCommandLines, startAgentCluster, type AgentCluster } from "./agent-harness.js";
import { stdinPod } from "./agent-exec-setup.js";

/** Host command lines that mention `text` (a pod's uid names its shim's files). */
async function hostProcessesWith(text: string): Promise<string[]> {
  return (await hostCommandLines()).filter((l) => l.includes(text));
}

describe("kubectl attach -i and kubectl debug node/NAME against everynode agent", () => {
  let env: AgentCluster;
  let cluster: TestCluster;
  const node = "debug-a";

  // The debugging pods' mount point of the host's root: made on this machine by the first one, unless it was there.
  let hostDirExisted = true;

  before(async () => {
    hostDirExisted = existsSync("/host");
    env = await startAgentCluster([node]);
    cluster = env.cluster;
    await until(async () => (await cluster.kubectl(["get", "node", node])).code === 0, "the agent's node registered");
  });
  after(async () => {
    await env.stop();
    if (!hostDirExisted) await rmdir("/host").catch(() => undefined);
  });

  const phase = async (pod: string): Promise<string> => cluster.kubectlOk(["get", "pod", pod, "-o", "jsonpath={.status.phase}"]);
  const running = async (pod: string): Promise<void> => until(async () => (await phase(pod)) === "Running", `${pod} Running`);
  const uid = async (pod: string): Promise<string> => cluster.kubectlOk(["get", "pod", pod, "-o", "jsonpath={.metadata.uid}"]);
  const debugPods = async (): Promise<string[]> =>
    (await cluster.kubectlOk(["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"])).split(" ").filter((n) => n.startsWith(`node-debugger-${node}-`));

  test("attach -i writes to a stdin container; its stdin stays open for the next client", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], stdinPod("reader", node, ["sh", "-c", "while read l; do echo \"got $l\"; done; echo stdin-ended"]));
    await running("reader");
    const first = await cluster.kubectl(["attach", "-i", "reader"], "one\n");
    assert.deepEqual([first.code, first.stdout], [0, "got one\n"]);
    const second = await cluster.kubectl(["attach", "-i", "reader"], "two\n");
    assert.deepEqual([second.code, second.stdout], [0, "got two\n"]);
    assert.equal(await phase("reader"), "Running", "the end of a client's input is not the container's");
    assert.equal(await cluster.kubectlOk(["logs", "reader"]), "got one\ngot two\n");
  });

  test("with stdinOnce, the first attach's end of input is the container's; kubectl run -i --rm follows", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], stdinPod("once", node, ["sh", "-c", "cat; echo stdin-ended"], { stdinOnce: true }));
    await running("once");
    const r = await cluster.kubectl(["attach", "-i", "once"], "abc\n");
    assert.deepEqual([r.code, r.stdout], [0, "abc\nstdin-ended\n"]);
    await until(async () => (await phase("once")) === "Succeeded", "once Succeeded");

    const overrides = JSON.stringify({ spec: { nodeName: node } });
    const ran = await cluster.kubectl(["run", "oneshot", "-i", "--rm", "--restart=Never", "--image=busybox", `--overrides=${overrides}`, "--command", "--", "tr", "a-z", "A-Z"], "shout\n");
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^SHOUT\npod "oneshot" deleted\n$/);
    assert.equal((await cluster.kubectl(["get", "pod", "oneshot"])).code, 1, "--rm deleted the pod");
  });

  test("attach -i to a container without stdin is refused with a clear error", async () => {
    await cluster.kubectlOk(["apply", "-f", "-"], JSON.stringify({
      apiVersion: "v1", kind: "Pod", metadata: { name: "mute" },
      spec: { nodeName: node, containers: [{ name: "mute", image: "busybox", command: ["sleep", "3600"] }] },
    }));
    await running("mute");
    const r = await cluster.kubectl(["attach", "-i", "mute"], "x\n");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /container mute has no stdin to attach to: its spec does not set stdin: true \(attach without -i to see its output\)/);
  });

  test("kubectl debug node/NAME runs the command on the host with the host's root at /host; the image is not used", async () => {
    const r = await cluster.kubectl(["debug", `node/${node}`, "--image=busybox", "--", "cat", "/host/etc/hostname"]);
    assert.equal(r.code, 0, r.stderr);
    const m = /^Creating debugging pod (node-debugger-debug-a-[a-z0-9]{5}) with container debugger on node debug-a\.\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const pod = m[1] ?? "";
    await until(async () => (await phase(pod)) === "Succeeded", `${pod} Succeeded`);
    assert.equal(await cluster.kubectlOk(["logs", pod]), await readFile("/etc/hostname", "utf8"));
    const events = await cluster.kubectlOk(["get", "events", "--field-selector", `involvedObject.name=${pod}`, "-o", "jsonpath={range .items[*]}{.reason}: {.message}{\"\\n\"}{end}"]);
    assert.match(events, /ImageNotUsed: Container image "busybox" is not used: the process runtime runs the container's command as a host process/);
    await cluster.kubectlOk(["delete", "pod", pod]);
  });

  test("kubectl debug node/NAME -i takes commands on stdin; deleting the pod leaves no process behind", async () => {
    const script = "cat /host/etc/hostname\nls -d /host/proc/1 && echo host-proc-seen\nexit 0\n";
    const r = await cluster.kubectl(["debug", `node/${node}`, "-i", "--image=busybox", "--", "sh"], script);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith(`${await readFile("/etc/hostname", "utf8")}/host/proc/1\nhost-proc-seen\n`), r.stdout);
    // Without `exit` the shell waits for more input once kubectl is gone (no stdinOnce, as with the kubelet), and
    // runs until its pod is deleted.
    const before = await debugPods();
    const sleep = `sleep ${randomInt(100_000, 999_999)}`;
    const left = await cluster.kubectl(["debug", `node/${node}`, "-i", "--image=busybox", "--", "sh"], `${sleep}\n`);
    assert.equal(left.code, 0, left.stderr);
    const [pod] = (await debugPods()).filter((p) => !before.includes(p));
    assert.ok(pod);
    const podUID = await uid(pod);
    await until(async () => (await hostCommandLines()).includes(sleep), "the shell's command running");
    assert.equal(await phase(pod), "Running");
    assert.ok((await hostProcessesWith(podUID)).length > 0, "the pod's shim runs");
    await cluster.kubectlOk(["delete", "pod", pod, "--wait=true"]);
    await until(async () => (await hostProcessesWith(podUID)).length === 0, "no process of the debug pod left", 15_000);
    assert.ok(!(await hostCommandLines()).includes(sleep), "the shell's command ended with its pod");
  });

  test("kubectl debug node/NAME -it gives the shell a terminal", async () => {
    // kubectl itself runs on a terminal (util-linux script), as it does for a user; what is typed waits there.
    const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cluster.home, KUBECONFIG: cluster.kubeconfigPath, KUBECACHEDIR: join(cluster.home, "cache") };
    const inner = `stty cols 111 rows 33; kubectl debug node/${node} -it --image=busybox -- sh`;
    const child = execFile("script", ["--quiet", "--command", inner, "/dev/null"], { env, timeout: 60_000 });
    let out = "";
    child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // The shell's prompt may come before kubectl attached: press enter, as kubectl suggests, until one shows.
    await until(() => out.includes("If you don't see a command prompt, try pressing enter."), "kubectl attaching", 30_000);
    const after = (): string => out.slice(out.indexOf("try pressing enter."));
    await until(() => { if (!after().includes("# ")) child.stdin?.write("\r"); return after().includes("# "); }, "the shell's prompt", 30_000);
    // The terminal takes kubectl's size (kubectl attach sends it one larger first, then its own) once the resize
    // messages are applied, which may be after the prompt: ask for the size until it is kubectl's.
    const sized = out.length;
    let checks = 0;
    await until(() => {
      const seen = out.slice(sized).includes("33 111\r\n");
      if (!seen && checks++ % 5 === 0) child.stdin?.write("stty size\r");
      return seen;
    }, "the terminal sized as kubectl's", 15_000);
    child.stdin?.write("tty; stty size; echo $TERM; exit\r");
    await exited;
    assert.match(out, /\/dev\/pts\/\d+\r\n33 111\r\nxterm\r\n/);
    for (const pod of await debugPods()) await cluster.kubectlOk(["delete", "pod", pod]);
  });

  test("kubectl debug node/NAME without a command says why nothing runs", async () => {
    const before = await debugPods();
    const stream = kubectlStream(cluster, ["debug", `node/${node}`, "-i", "--image=busybox"]);
    await until(() => /Warning: container debugger: the process runtime runs a container's command as a host process, and this container has no command .*; set command \(kubectl run and kubectl debug take it after --\)/.test(stream.errors()), "kubectl's warning", 30_000);
    await stream.stop();
    const [pod] = (await debugPods()).filter((p) => !before.includes(p));
    assert.ok(pod);
    const reason = await cluster.kubectlOk(["get", "pod", pod, "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}"]);
    assert.equal(reason, "CreateContainerError");
    await cluster.kubectlOk(["delete", "pod", pod]);
  });
});
