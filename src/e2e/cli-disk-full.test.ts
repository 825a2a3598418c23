import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { open, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { spawnEverynode } from "./cli.js";
import { until } from "./harness.js";

const canMount = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  await new Promise((ok) => server.close(ok));
  return port;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  const bound = await new Promise<boolean>((ok) => {
    server.once("error", () => ok(false));
    server.listen(port, "127.0.0.1", () => ok(true));
  });
  if (bound) await new Promise((ok) => server.close(ok));
  return bound;
}

/** Fills the filesystem holding `path` until a write fails with ENOSPC. */
async function fill(path: string): Promise<void> {
  const file = await open(path, "w");
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) await file.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    await file.close().catch(() => undefined);
  }
}

describe("everynode up on a full disk", { skip: canMount ? false : "needs a private mount namespace (unshare -m)" }, () => {
  // A small tmpfs in a mount namespace of its own, held open by a sleeping process; the test reaches it through
  // /proc/<pid>/root and runs everynode in it with nsenter.
  const mountPoint = "/mnt";
  let holder: ReturnType<typeof spawn>;
  let root = "";
  let inNs: string[] = [];
  before(async () => {
    holder = spawn("unshare", ["-m", "--propagation", "private", "sh", "-c", `mount -t tmpfs -o size=8m,mode=0700 everynode-test ${mountPoint} && echo mounted && exec sleep 600`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    holder.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
    await until(() => out.includes("mounted"), "the test filesystem to be mounted", 10_000);
    root = `/proc/${holder.pid ?? 0}/root${mountPoint}`;
    inNs = ["nsenter", "-t", String(holder.pid ?? 0), "-m", "--"];
  });
  after(() => { holder.kill("SIGKILL"); });

  test("a start-up failure after the port opened (ENOSPC writing the kubeconfig) exits non-zero and releases port and store", async () => {
    const dataDir = `${mountPoint}/data`;
    const first = spawnEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"], inNs);
    await first.waitFor(/export KUBECONFIG=/);
    assert.equal(await first.stop(), 0);

    await fill(`${root}/filler`);
    const port = await freePort();
    const full = spawnEverynode(["up", "--data-dir", dataDir, "--port", String(port), "--nodes", "0"], inNs);
    const code = await Promise.race([full.exited, new Promise<string>((ok) => setTimeout(() => ok("still running"), 30_000))]);
    if (code === "still running") await full.stop();
    assert.equal(code, 1, full.output());
    assert.match(full.output(), /^error: writing \/mnt\/data\/\S+: ENOSPC/m);
    assert.equal(await portFree(port), true, "the port is released");

    await rm(`${root}/filler`);
    const again = spawnEverynode(["up", "--data-dir", dataDir, "--port", String(port), "--nodes", "0"], inNs);
    await again.waitFor(/export KUBECONFIG=/);
    assert.match(again.output(), new RegExp(`listening on https://127\\.0\\.0\\.1:${port}`));
    assert.equal(await again.stop(), 0);
  });
});
