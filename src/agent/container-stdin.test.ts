import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Writable } from "node:stream";
import { promisify } from "node:util";
import { firstChild } from "./exec-terminal.js";
import { ProcessRuntime } from "./process-runtime.js";
import type { ContainerHandle, ContainerLaunch } from "./runtime.js";

const run = promisify(execFile);
const dirs: string[] = [];
const started: ContainerHandle[] = [];
const keepAlive = setInterval(() => undefined, 1000);
after(async () => {
  clearInterval(keepAlive);
  for (const h of started) h.signal("SIGKILL");
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function runtime(): Promise<{ rt: ProcessRuntime; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "everynode-stdin-"));
  dirs.push(dir);
  const rt = new ProcessRuntime({ dataDir: dir, pollMs: 50 });
  assert.equal(await rt.unavailable(), undefined);
  return { rt, dir };
}

function launch(argv: string[], output: string[], extra: Partial<ContainerLaunch>): ContainerLaunch {
  return {
    podUID: "uid-1", podNamespace: "default", podName: "p", containerName: "c", attempt: 0, argv, env: {}, mounts: [],
    onOutput: (_stream, chunk) => output.push(chunk.toString()), ...extra,
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function write(w: Writable | undefined, text: string): Promise<void> {
  assert.ok(w, "a stdin writer");
  await new Promise<void>((resolve, reject) => w.end(text, () => resolve()).once("error", reject));
}

test("a stdin container reads what attached writers send; their end is not its end until stdin is closed for good", async () => {
  const { rt, dir } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch(["cat"], out, { stdin: true }));
  started.push(h);
  // Started means the shim already holds the input open: a client attaching at once finds it.
  assert.equal(readlinkSync(`/proc/${h.pid}/fd/6`), join(dir, "containers", "uid-1", "c", "0", "in"));
  await write(h.openStdin?.(), "first\n");
  await until(() => out.join("") === "first\n", "the first writer's input");
  // The first writer has ended; the container still runs and takes a second one.
  await write(h.openStdin?.(), "second\n");
  await until(() => out.join("") === "first\nsecond\n", "the second writer's input");
  // A later agent on the same data directory writes to the instance it re-adopts.
  const again = new ProcessRuntime({ dataDir: dir, pollMs: 50 });
  const [adopted] = await again.adopt(() => (_s, chunk) => out.push(chunk.toString()));
  rt.detach();
  await write(adopted?.openStdin?.(), "third\n");
  await until(() => out.join("") === "first\nsecond\nthird\n", "input through the re-adopted instance");
  adopted?.closeStdin?.();
  assert.equal((await adopted?.exited)?.exitCode, 0, "cat ended at the end of its input");
  assert.equal(adopted?.openStdin?.(), undefined, "stdin closed for good takes no writer");
});

test("a container without stdin reads nothing and offers no writer", async () => {
  const { rt } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch(["cat"], out, {}));
  assert.equal((await h.exited).exitCode, 0);
  assert.equal(h.openStdin?.(), undefined);
  assert.deepEqual(out, []);
});

test("a tty container runs on a terminal that attached clients size and type into", async () => {
  const { rt } = await runtime();
  const out: string[] = [];
  const h = await rt.start(launch(["sh", "-c", "read line; echo \"got $line on $(tty) sized $(stty size) as $TERM\""], out, { stdin: true, tty: true }));
  started.push(h);
  let pts = "";
  await until(() => {
    const leader = firstChild(firstChild(h.pid) ?? 0);
    try { pts = leader === undefined ? "" : readlinkSync(`/proc/${leader}/fd/0`); } catch { pts = ""; }
    return pts.startsWith("/dev/pts/");
  }, "the command on its terminal");
  const errors: unknown[] = [];
  h.resize?.(101, 31, (e) => errors.push(e));
  await until(async () => (await run("stty", ["-F", pts, "size"])).stdout.trim() === "31 101", "the terminal sized");
  await write(h.openStdin?.(), "hello\r");
  assert.equal((await h.exited).exitCode, 0);
  const text = out.join("");
  // The terminal echoes the input and turns line ends into CR LF, as terminals do.
  assert.match(text, /hello\r\n/);
  assert.match(text, new RegExp(`got hello on ${pts} sized 31 101 as xterm\\r\\n`));
  assert.deepEqual(errors, []);
});

test("closing stdin for good reports the container's own exit code, however close its end follows the shim's signal", async () => {
  const { rt } = await runtime();
  const handles = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => rt.start({ ...launch(["sh", "-c", "cat >/dev/null; exit 5"], [], { stdin: true }), containerName: `c${i}` })));
  started.push(...handles);
  for (const h of handles) h.closeStdin?.();
  assert.deepEqual((await Promise.all(handles.map((h) => h.exited))).map((e) => e.exitCode), [5, 5, 5, 5, 5, 5]);
});
