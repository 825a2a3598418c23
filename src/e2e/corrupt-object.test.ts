import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { startTestCluster } from "./harness.js";

const badKey = "/registry/core/configmaps/default/bad";

test("a stored object that no longer decodes is an error kubectl shows, not a silent gap", async () => {
  const dir = await mkdtemp(join(tmpdir(), "everynode-corrupt-"));
  after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, "data");
  let c = await startTestCluster({ storage: "sqlite", dataDir, controllers: false });
  try {
    await c.kubectlOk(["create", "configmap", "good", "--from-literal=a=1"]);
    await c.kubectlOk(["create", "configmap", "bad", "--from-literal=a=2"]);
    await c.kubectlOk(["create", "namespace", "other"]);
    await c.kubectlOk(["create", "configmap", "elsewhere", "-n", "other", "--from-literal=a=3"]);
  } finally {
    await c.stop();
  }

  // The disk damages the stored value of default/bad while the server is down.
  const db = new Database(join(dataDir, "state.db"));
  const damaged = db.prepare("UPDATE kv_log SET value = ? WHERE revision = (SELECT MAX(revision) FROM kv_log WHERE key = ?)")
    .run("{\"metadata\": {\"name\": \"bad\"", badKey);
  db.close();
  assert.equal(damaged.changes, 1);

  const logged: string[] = [];
  c = await startTestCluster({ storage: "sqlite", dataDir, controllers: false, log: (line) => logged.push(line) });
  try {
    const got = await c.kubectl(["get", "configmap", "bad"]);
    assert.equal(got.code, 1);
    assert.match(got.stderr, new RegExp(`Error from server \\(InternalError\\): Internal error occurred: StorageError: corrupt object, Code: 7, Key: ${badKey}, ResourceVersion: \\d+, AdditionalErrorMsg: `));
    // A list over it fails the same way instead of quietly leaving it out.
    const list = await c.kubectl(["get", "configmaps"]);
    assert.equal(list.code, 1);
    assert.match(list.stderr, /Internal error occurred: StorageError: corrupt object/);
    // Everything else is served as before.
    assert.match(await c.kubectlOk(["get", "configmap", "good", "-o", "name"]), /^configmap\/good$/m);
    assert.match(await c.kubectlOk(["get", "configmaps", "-n", "other", "-o", "name"]), /^configmap\/elsewhere$/m);
    // The server log names the damaged key.
    assert.ok(logged.some((line) => line.startsWith("registry: ") && line.includes(badKey)), logged.join("\n"));
  } finally {
    await c.stop();
  }
});
