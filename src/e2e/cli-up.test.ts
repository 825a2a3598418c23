import assert from "node:assert/strict";
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, test } from "node:test";
import { fixturePath } from "./fixtures.js";
import { kubectlPath } from "./harness.js";

const bin = fileURLToPath(new URL("../../bin/everynode.js", import.meta.url));

interface Up { child: ChildProcess; output: () => string; exited: Promise<number | null> }

function startUp(dataDir: string): Up {
  const child = spawn(process.execPath, [bin, "up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)));
  return { child, output: () => out, exited };
}

async function waitFor(up: Up, re: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!re.test(up.output())) {
    if (Date.now() > deadline) throw new Error(`everynode up did not print ${re}:\n${up.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npx everynode up", () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test("serves HTTPS with a 0600 kubeconfig, stops on SIGTERM, and keeps state across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "everynode-up-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    const kubeconfig = join(dataDir, "kubeconfig");
    const env = { PATH: process.env.PATH ?? "/usr/bin", HOME: dir, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, "cache") };
    const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((ok) => {
      execFile(kubectlPath, args, { env, timeout: 60_000 }, (err, stdout, stderr) => ok({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }));
    });

    const first = startUp(dataDir);
    await waitFor(first, /export KUBECONFIG=/);
    assert.match(first.output(), /listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await stat(kubeconfig)).mode & 0o777, 0o600);
    const created = await kubectl(["create", "-f", fixturePath("daemon-set-definition.yaml")]);
    assert.equal(created.code, 0, created.stderr);
    first.child.kill("SIGTERM");
    assert.equal(await first.exited, 0);

    const second = startUp(dataDir);
    await waitFor(second, /export KUBECONFIG=/);
    const got = await kubectl(["get", "ds", "monitoring-daemon", "-o", "jsonpath={.metadata.name}"]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, "monitoring-daemon");
    const ns = await kubectl(["get", "ns", "-o", "name"]);
    assert.match(ns.stdout, /namespace\/kube-node-lease/);
    second.child.kill("SIGINT");
    assert.equal(await second.exited, 0);
  });
});
