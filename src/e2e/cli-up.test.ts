import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { kubectlWith, spawnEverynode } from "./cli.js";
import { fixturePath } from "./fixtures.js";

describe("npx everynode up", () => {
  const dirs: string[] = [];
  after(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test("serves HTTPS with a 0600 kubeconfig, stops on SIGTERM, and keeps state across restarts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "everynode-up-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    const kubeconfig = join(dataDir, "kubeconfig");
    const kubectl = (args: string[]): ReturnType<typeof kubectlWith> => kubectlWith(kubeconfig, dir, args);
    const upArgs = ["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"];

    const first = spawnEverynode(upArgs);
    await first.waitFor(/export KUBECONFIG=/);
    assert.match(first.output(), /listening on https:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await stat(kubeconfig)).mode & 0o777, 0o600);
    const created = await kubectl(["create", "-f", fixturePath("daemon-set-definition.yaml")]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await first.stop(), 0);

    const second = spawnEverynode(upArgs);
    await second.waitFor(/export KUBECONFIG=/);
    const got = await kubectl(["get", "ds", "monitoring-daemon", "-o", "jsonpath={.metadata.name}"]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.stdout, "monitoring-daemon");
    const ns = await kubectl(["get", "ns", "-o", "name"]);
    assert.match(ns.stdout, /namespace\/kube-node-lease/);
    second.child.kill("SIGINT");
    assert.equal(await second.exited, 0);
  });

  test("on a pipe, up --nodes N prints plain progress lines and a one-line summary once every node is Ready", async () => {
    const dir = await mkdtemp(join(tmpdir(), "everynode-up-"));
    dirs.push(dir);
    const up = spawnEverynode(["up", "--data-dir", join(dir, "data"), "--port", "0", "--nodes", "1000", "--store", "memory"]);
    try {
      await up.waitFor(/^cluster ready: .*$/m, 120_000);
      const out = up.output();
      assert.ok(!out.includes("\r") && !out.includes("\u001b["), "no terminal control sequences when stdout is not a terminal");
      assert.match(out, /^\d+\/1000 nodes Ready \(\d+ registered\)$/m, "a progress line while nodes register");
      assert.match(out, /^cluster ready: 1000 node\(s\) Ready in \d+\.\d s, API at https:\/\/127\.0\.0\.1:\d+, dashboard at https:\/\/127\.0\.0\.1:\d+\/ui\/$/m);
      assert.equal(out.match(/^cluster ready: /gm)?.length, 1, "one summary");
    } finally {
      assert.equal(await up.stop(), 0);
    }
  });
});
