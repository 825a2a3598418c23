import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ProcessRuntime } from "./process-runtime.js";
import type { ContainerLaunch } from "./runtime.js";

const dirs: string[] = [];
// The runtime never holds the event loop open for its containers (an agent may exit while they run).
const keepAlive = setInterval(() => undefined, 1000);
after(async () => {
  clearInterval(keepAlive);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function runtime(): Promise<{ rt: ProcessRuntime; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "everynode-rt-"));
  dirs.push(dir);
  const rt = new ProcessRuntime({ dataDir: dir, pollMs: 50 });
  assert.equal(await rt.unavailable(), undefined);
  return { rt, dir };
}

function launch(name: string, argv: string[], output: string[] = []): ContainerLaunch {
  return {
    podUID: "uid-1", podNamespace: "default", podName: "p", containerName: name, attempt: 0, argv, env: { GREETING: "hi" }, mounts: [],
    onOutput: (stream, chunk) => output.push(`${stream}:${chunk.toString()}`),
  };
}

test("a container's argv runs as a host process with its env; output and exit code come back", async () => {
  const { rt } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch("a", ["sh", "-c", "echo $GREETING; echo bad >&2; exit 3"], out));
  const exit = await h.exited;
  assert.equal(exit.exitCode, 3);
  assert.deepEqual(out.sort(), ["stderr:bad\n", "stdout:hi\n"]);
  assert.match(h.id, /^process:\/\/[0-9a-f]{64}$/);
});

test("SIGTERM reaches the container's process group; a missing executable fails to start", async () => {
  const { rt } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch("b", ["sh", "-c", "echo ready; exec sleep 60"], out));
  while (!out.includes("stdout:ready\n")) await new Promise((r) => setTimeout(r, 20));
  h.signal("SIGTERM");
  assert.equal((await h.exited).exitCode, 143);
  await assert.rejects(rt.start(launch("c", ["no-such-binary-here"])), /executable file not found in \$PATH/);
  assert.match(rt.cannotRun(undefined) ?? "", /has no command/);
});

test("a second runtime on the same data directory re-adopts running instances and learns their exit", async () => {
  const { rt, dir } = await runtime();
  const first = await rt.start(launch("d", ["sh", "-c", "sleep 0.5; echo late; exit 7"]));
  const again = new ProcessRuntime({ dataDir: dir, pollMs: 50 });
  const out: string[] = [];
  const adopted = await again.adopt(() => (stream, chunk) => out.push(`${stream}:${chunk.toString()}`));
  assert.equal(adopted.length, 1);
  assert.equal(adopted[0]?.pid, first.pid);
  assert.equal((await adopted[0]?.exited)?.exitCode, 7);
  assert.equal((await first.exited).exitCode, 7);
});

test("a container whose main process ended is over even while a process it left behind holds its output open", async () => {
  const { rt } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch("e", ["sh", "-c", "sleep 30 & echo $! > /dev/stderr; echo done; exit 4"], out));
  const exit = await h.exited;
  assert.equal(exit.exitCode, 4);
  assert.ok(out.includes("stdout:done\n"));
  const orphan = Number(out.find((line) => line.startsWith("stderr:"))?.slice("stderr:".length));
  assert.ok(orphan > 0);
  assert.doesNotThrow(() => process.kill(orphan, 0), "the left-behind process still runs");
  process.kill(orphan, "SIGKILL");
});

test("a container running as another user sees its volumes at their mount paths (bind-mounted before it drops to its user)", { skip: process.getuid?.() !== 0 ? "needs root (mount namespaces)" : false }, async () => {
  const { rt, dir } = await runtime();
  const volume = join(dir, "vol");
  await chmod(dir, 0o755);
  await mkdir(volume);
  await writeFile(join(volume, "token"), "secret-token");
  await chmod(volume, 0o755);
  await chmod(join(volume, "token"), 0o644);
  const target = join(dir, "mnt", "serviceaccount");
  const out: string[] = [];
  const h = await rt.start({ ...launch("f", ["sh", "-c", `id -u; cat ${target}/token; touch ${target}/x 2>/dev/null || echo read-only`], out), uid: 65534, gid: 65534, mounts: [{ hostPath: volume, containerPath: target, readOnly: true }] });
  assert.equal((await h.exited).exitCode, 0, out.join(""));
  assert.equal(out.filter((l) => l.startsWith("stdout:")).map((l) => l.slice(7)).join(""), "65534\nsecret-tokenread-only\n");
});
