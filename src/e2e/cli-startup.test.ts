import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { kubectlWith, runEverynode, spawnEverynode, type EverynodeProcess } from "./cli.js";

/** Starts `everynode up` on `dataDir` and waits until it printed its kubeconfig hint. */
async function startUp(dataDir: string, extra: string[] = []): Promise<EverynodeProcess> {
  const up = spawnEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0", ...extra]);
  await up.waitFor(/export KUBECONFIG=/);
  return up;
}

function urlOf(up: EverynodeProcess): string {
  return /listening on (\S+)/.exec(up.output())?.[1] ?? "";
}

describe("everynode command line", () => {
  test("--version and -v print the package's version; --help and -h exit 0", async () => {
    const version = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    for (const flag of ["--version", "-v", "version"]) {
      const r = await runEverynode([flag]);
      assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
      assert.equal(r.stdout.trim(), `everynode ${version} (Kubernetes API v1.32)`);
    }
    for (const args of [["--help"], ["-h"], ["up", "--help"], ["kubeconfig", "-h"], ["controller-manager", "--help"]]) {
      const r = await runEverynode(args);
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stdout, /Usage: everynode/);
    }
  });
});

describe("everynode up start-up and its faults", () => {
  let dir = "";
  before(async () => { dir = await mkdtemp(join(tmpdir(), "everynode-startup-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test("a bad flag or a port in use fails the start and leaves no fresh data directory behind", async () => {
    const bad = await runEverynode(["up", "--data-dir", join(dir, "bad-flag"), "--nodes", "many"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid value "many" for --nodes/);
    assert.equal(existsSync(join(dir, "bad-flag")), false);

    const taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, "127.0.0.1", ok));
    try {
      const port = (taken.address() as AddressInfo).port;
      const busy = await runEverynode(["up", "--data-dir", join(dir, "busy-port"), "--port", String(port), "--nodes", "0"]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      assert.equal(existsSync(join(dir, "busy-port")), false, "the data directory the failed start created is removed");
    } finally {
      await new Promise((ok) => taken.close(ok));
    }
  });

  test("a second up on a held data directory names the holder; the start-up lines say how many nodes are simulated", async () => {
    const dataDir = join(dir, "held");
    const kubeconfig = join(dataDir, "kubeconfig");
    const first = spawnEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "5"]);
    try {
      await first.waitFor(/export KUBECONFIG=/);
      assert.match(first.output(), /simulating 5 node\(s\)/);
      const second = await runEverynode(["up", "--data-dir", dataDir, "--port", "0"]);
      assert.equal(second.code, 1);
      assert.match(second.stderr, new RegExp(`data directory ${dataDir} is in use by a running everynode up \\(pid ${first.child.pid ?? 0}, serving ${urlOf(first).replace(/\./g, "\\.")}\\)`));
      assert.doesNotMatch(second.stderr, /^error: database is locked/m);
      const ns = await kubectlWith(kubeconfig, dir, ["get", "ns", "default", "-o", "name"]);
      assert.equal(ns.code, 0, `the first server still serves: ${ns.stderr}`);
    } finally {
      assert.equal(await first.stop(), 0);
    }

    const fewer = spawnEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "2"]);
    try {
      await fewer.waitFor(/export KUBECONFIG=/);
      assert.match(fewer.output(), /simulating 5 node\(s\): 5 already in the store/);
      assert.doesNotMatch(fewer.output(), /\b2 simulated node\(s\) started/);
      const nodes = await kubectlWith(kubeconfig, dir, ["get", "nodes", "-o", "name"]);
      assert.equal(nodes.stdout.trim().split("\n").length, 5, nodes.stdout);
    } finally {
      assert.equal(await fewer.stop(), 0);
    }
  });

  test("state.db and its WAL are owner-only, and the log names the files that hold credentials", async () => {
    const dataDir = join(dir, "modes");
    const up = await startUp(dataDir);
    try {
      for (const file of ["state.db", "state.db-wal", "kubeconfig", "tokens.json", "pki/ca.key", "pki/server.key"]) {
        assert.equal((await stat(join(dataDir, file))).mode & 0o777, 0o600, file);
      }
      assert.match(up.output(), /credentials \(owner-only files\): .*kubeconfig.*tokens\.json.*ca\.key.*state\.db/);
    } finally {
      assert.equal(await up.stop(), 0);
    }
  });

  test("an empty or unreadable state.db is refused, never re-initialised; --reset-store starts fresh on purpose", async () => {
    const dataDir = join(dir, "truncated");
    const kubeconfig = join(dataDir, "kubeconfig");
    const up = await startUp(dataDir);
    const created = await kubectlWith(kubeconfig, dir, ["create", "namespace", "keep-me"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(await up.stop(), 0);
    const db = join(dataDir, "state.db");
    const saved = await readFile(db);

    await writeFile(db, "");
    const empty = await runEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"]);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /state\.db is empty \(0 bytes\).*refusing to start.*--reset-store/);
    assert.equal((await stat(db)).size, 0, "the refused store is left as it was");

    await writeFile(db, "not a database at all, but not empty either ".repeat(200));
    const garbage = await runEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"]);
    assert.equal(garbage.code, 1);
    assert.match(garbage.stderr, /state\.db cannot be read: file is not a database; refusing to start/);

    await rm(db);
    const missing = await runEverynode(["up", "--data-dir", dataDir, "--port", "0", "--nodes", "0"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /state\.db is missing from a data directory that was used before/);

    await writeFile(db, saved);
    const restored = await startUp(dataDir);
    assert.equal((await kubectlWith(kubeconfig, dir, ["get", "ns", "keep-me"])).code, 0, "the store itself was never touched");
    assert.equal(await restored.stop(), 0);

    const reset = await startUp(dataDir, ["--reset-store"]);
    try {
      assert.match(reset.output(), /--reset-store: moved .*state\.db to .*state\.db\.discarded-/);
      const gone = await kubectlWith(kubeconfig, dir, ["get", "ns", "keep-me"]);
      assert.match(gone.stderr, /NotFound/);
    } finally {
      assert.equal(await reset.stop(), 0);
    }
  });

  test("a missing ca.key is repaired consistently: new CA and serving certificate, kubeconfig rewritten, token kept", async () => {
    const dataDir = join(dir, "pki");
    const kubeconfig = join(dataDir, "kubeconfig");
    const tokenOf = async (): Promise<string> => /token: (\S+)/.exec(await readFile(kubeconfig, "utf8"))?.[1] ?? "";
    const first = await startUp(dataDir);
    const token = await tokenOf();
    const oldCa = await readFile(join(dataDir, "pki", "ca.crt"), "utf8");
    assert.equal(await first.stop(), 0);

    await rm(join(dataDir, "pki", "ca.key"));
    const second = await startUp(dataDir);
    try {
      assert.match(second.output(), /ca\.key was missing: created a new cluster CA and serving certificate/);
      assert.notEqual(await readFile(join(dataDir, "pki", "ca.crt"), "utf8"), oldCa);
      assert.equal(await tokenOf(), token, "the admin token stays valid");
      const ns = await kubectlWith(kubeconfig, dir, ["get", "ns", "default", "-o", "name"]);
      assert.equal(ns.code, 0, `kubectl trusts the server again: ${ns.stderr}`);
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });
});
