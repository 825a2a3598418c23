import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { startEtcdCluster } from "../storage/testing/etcd-cluster.js";
import { kubectlWith, runEverynode, spawnEverynode, type CommandResult } from "./cli.js";
import { startTestCluster } from "./harness.js";
import { seedWalkthrough } from "./testing/seed-walkthrough.js";

const election = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 500 };

/**
 * The seeds' walkthrough through two API servers of one cluster on one etcd, each with its own data directory:
 * the second joined with `everynode pki export` and `everynode up --join-bundle`. kubectl alternates between the
 * servers, command by command, with one kubeconfig from `everynode kubeconfig --server A,B` (a context per server).
 */
seedWalkthrough("seed walkthrough through two API servers on one etcd, kubectl alternating between them", async () => {
  const etcd = await startEtcdCluster();
  const dir = await mkdtemp(join(tmpdir(), "everynode-etcd-seeds-"));
  const store = `etcd://${etcd.endpoints.join(",")}`;
  const stops: (() => Promise<unknown>)[] = [() => etcd.stop(), () => rm(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => { for (const s of stops.splice(0).reverse()) await s().catch(() => undefined); };
  try {
    const a = await startTestCluster({ storage: { kind: "etcd", endpoints: etcd.endpoints }, dataDir: join(dir, "a"), nodes: 3, leaderElection: election });
    stops.push(() => a.stop());
    const bundle = join(dir, "bundle.json");
    ok(await runEverynode(["pki", "export", "--data-dir", a.dataDir, "--output", bundle]));
    const b = spawnEverynode(["up", "--store", store, "--data-dir", join(dir, "b"), "--port", "0", "--nodes", "3", "--join-bundle", bundle,
      "--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms"]);
    stops.push(() => b.stop());
    await b.waitFor(/export KUBECONFIG=/, 60_000);
    assert.match(b.output(), /cluster bundle imported into .*: cluster CA written, 1 token\(s\) added/);
    const urlB = /listening on (\S+)/.exec(b.output())?.[1] ?? "";
    const home = join(dir, "home");
    await mkdir(home);

    // The first server's own admin kubeconfig (its CA, its token) works against the second server too.
    const viaB = await kubectlWith(a.kubeconfigPath, home, ["--server", urlB, "get", "namespace", "default", "-o", "name"]);
    assert.equal(viaB.stdout.trim(), "namespace/default", viaB.stderr);
    // Each server has a serving certificate of its own, both signed by the one cluster CA.
    assert.equal(await readFile(join(dir, "b", "pki", "ca.crt"), "utf8"), await readFile(join(a.dataDir, "pki", "ca.crt"), "utf8"));
    assert.notEqual(await readFile(join(dir, "b", "pki", "server.crt"), "utf8"), await readFile(join(a.dataDir, "pki", "server.crt"), "utf8"));

    const kubeconfig = join(dir, "two-servers.kubeconfig");
    ok(await runEverynode(["kubeconfig", "--data-dir", a.dataDir, "--user", "walkthrough", "--group", "system:masters", "--client-certificate",
      "--server", `${a.plane.url},${urlB}`, "--output", kubeconfig]));
    const contexts = (parse(await readFile(kubeconfig, "utf8")) as { contexts: { name: string }[] }).contexts.map((c) => c.name);
    assert.deepEqual(contexts, ["everynode-1", "everynode-2"]);
    let turn = 0;
    const kubectl = (args: string[], input?: string): Promise<CommandResult> => {
      if (input !== undefined) throw new Error("this walkthrough passes no input to kubectl");
      return kubectlWith(kubeconfig, home, ["--context", contexts[turn++ % 2] ?? "", ...args]);
    };
    return {
      home, kubectl,
      kubectlOk: async (args, input) => {
        const r = await kubectl(args, input);
        if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
        return r.stdout;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
});

function ok(r: CommandResult): void {
  assert.equal(r.code, 0, `everynode exited ${r.code}: ${r.stderr}`);
}
