/**
 * What `kubectl exec`, `cp` and `attach` must do against a pod run by an agent, whichever protocol kubectl speaks
 * (WebSocket by default, SPDY with `KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`): each check drives the real kubectl
 * against a cluster from startExecCluster and asserts what a user sees.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { onTerminal } from "./agent-harness.js";
import { talkerPod, type ExecCluster } from "./agent-exec-setup.js";
import { until } from "./harness.js";

/** `echo out; echo err >&2; exit 3`: both streams, then kubectl exits 3 with upstream's message. */
export async function checkExitCode({ cluster, pod }: ExecCluster): Promise<void> {
  const r = await cluster.kubectl(["exec", pod, "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, "out\n");
  assert.equal(r.stderr, "err\ncommand terminated with exit code 3\n");
}

/** `exec -i`: piped stdin (small, and 400 kB) reaches the command and its end ends it. */
export async function checkStdin({ cluster, pod }: ExecCluster): Promise<void> {
  const r = await cluster.kubectl(["exec", "-i", pod, "--", "cat"], "abc\n");
  assert.deepEqual([r.code, r.stdout], [0, "abc\n"]);
  const big = randomBytes(300_000).toString("base64");
  const wc = await cluster.kubectl(["exec", "-i", pod, "--", "wc", "-c"], big);
  assert.equal(wc.stdout.trim(), String(big.length));
}

/** `exec -it` from a terminal of `cols`x`rows`: the command runs on a terminal of that size; its exit code is kubectl's. */
export async function checkTerminal({ cluster, pod }: ExecCluster, cols: number, rows: number): Promise<string> {
  // kubectl itself runs on a terminal here, as it does for a user.
  const r = await onTerminal(cluster, `stty cols ${cols} rows ${rows}; kubectl exec -it ${pod} -- sh -c 'tty; stty size; echo $TERM; exit 5'`);
  assert.equal(r.code, 5);
  assert.match(r.stdout, new RegExp(`/dev/pts/\\d+\\r\\n${rows} ${cols}\\r\\n`));
  assert.match(r.stdout, /command terminated with exit code 5/);
  return r.stdout;
}

/** A command that does not exist is the InternalError upstream reports. */
export async function checkMissingCommand({ cluster, pod }: ExecCluster): Promise<void> {
  const r = await cluster.kubectl(["exec", pod, "--", "nosuch-command"]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: Internal error occurred: error executing command in container: exec: "nosuch-command": executable file not found in $PATH\n');
}

/** Exec into the simulated node's pod is a clear 400. */
export async function checkSimulatedPod({ cluster, simulatedPod }: ExecCluster): Promise<void> {
  const r = await cluster.kubectl(["exec", simulatedPod, "--", "echo", "hi"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error from server \(BadRequest\): pod .+ runs on the simulated node "sim-1", which has no processes to exec into/);
}

/** `kubectl cp` of a directory (1.5 MB of random bytes and a note) into the container's volume and back out. */
export async function checkCopy({ cluster, pod, hostDir, mountPath }: ExecCluster): Promise<void> {
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
}

/** Starts pod `talker` on `node` and waits until it runs (it talks 4 s after its start). */
export async function startTalker({ cluster }: ExecCluster, node: string): Promise<void> {
  await cluster.kubectlOk(["apply", "-f", "-"], talkerPod(node));
  await until(async () => (await cluster.kubectlOk(["get", "pod", "talker", "-o", "jsonpath={.status.phase}"])) === "Running", "talker Running");
}

/** `kubectl attach talker` prints the container's output from now on, until it exits. */
export async function checkAttach({ cluster }: ExecCluster): Promise<void> {
  const r = await cluster.kubectl(["attach", "talker"]);
  assert.deepEqual([r.code, r.stdout], [0, "from-the-container\n"]);
  // (kubectl's own hint about the command prompt comes first.)
  assert.match(r.stderr, /\nto-stderr\n$/);
}
