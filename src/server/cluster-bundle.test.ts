import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { exportClusterBundle, importClusterBundle } from "./cluster-bundle.js";
import { renderKubeconfig, writeKubeconfig } from "./kubeconfig.js";
import { ensureServingPki } from "./pki.js";
import { ensureServiceAccountKey } from "./service-account-key.js";
import { TokenFile } from "./tokens.js";

describe("cluster bundle: the CA and tokens servers of one cluster share", () => {
  let dir = "";
  let first = "";
  let bundle = "";
  let adminToken = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "everynode-bundle-"));
    first = join(dir, "first");
    const pki = await ensureServingPki(join(first, "pki"), ["10.0.0.1"]);
    await ensureServiceAccountKey(join(first, "pki"));
    const tokens = await TokenFile.load(join(first, "tokens.json"));
    adminToken = await tokens.issue({ name: "admin", groups: ["system:masters"] });
    await writeKubeconfig(join(first, "kubeconfig"), { server: "https://10.0.0.1:6443", caCert: pki.caCert, token: adminToken, user: "admin" });
    bundle = await exportClusterBundle(first);
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test("an imported directory has the same CA, the tokens and the admin credential; its serving certificate is its own", async () => {
    const second = join(dir, "second");
    assert.deepEqual(await importClusterBundle(second, bundle), { caWritten: true, tokensAdded: 1, serviceAccountKeyWritten: true });
    assert.equal(await readFile(join(second, "pki", "sa.key"), "utf8"), await readFile(join(first, "pki", "sa.key"), "utf8"));
    assert.equal((await stat(join(second, "pki", "sa.key"))).mode & 0o777, 0o600);
    assert.deepEqual(await ensureServiceAccountKey(join(second, "pki")), await ensureServiceAccountKey(join(first, "pki")), "the imported signing key is used, not replaced");
    assert.equal(await readFile(join(second, "pki", "ca.crt"), "utf8"), await readFile(join(first, "pki", "ca.crt"), "utf8"));
    assert.equal((await stat(join(second, "pki", "ca.key"))).mode & 0o777, 0o600);
    assert.equal((await stat(join(second, "tokens.json"))).mode & 0o777, 0o600);
    const tokens = await TokenFile.load(join(second, "tokens.json"));
    assert.deepEqual(tokens.authenticate(adminToken), { name: "admin", groups: ["system:masters"] });
    const kubeconfig = parse(await readFile(join(second, "kubeconfig"), "utf8")) as { users: { user: { token: string } }[] };
    assert.equal(kubeconfig.users[0]?.user.token, adminToken);
    const serving = await ensureServingPki(join(second, "pki"), ["10.0.0.2"]);
    assert.equal(serving.caRenewed, undefined, "the imported CA is used, not replaced");
    assert.equal(serving.caCert, await readFile(join(first, "pki", "ca.crt"), "utf8"));
  });

  test("importing again merges tokens issued since; a directory of another cluster is refused unchanged", async () => {
    const second = join(dir, "again");
    await importClusterBundle(second, bundle);
    const later = await (await TokenFile.load(join(first, "tokens.json"))).issue({ name: "system:node:n1", groups: ["system:nodes"] });
    const own = await (await TokenFile.load(join(second, "tokens.json"))).issue({ name: "local", groups: [] });
    assert.deepEqual(await importClusterBundle(second, await exportClusterBundle(first)), { caWritten: false, tokensAdded: 1, serviceAccountKeyWritten: false });
    const tokens = await TokenFile.load(join(second, "tokens.json"));
    assert.equal(tokens.authenticate(later)?.name, "system:node:n1");
    assert.equal(tokens.authenticate(own)?.name, "local", "the directory's own tokens are kept");

    const other = join(dir, "other");
    await ensureServingPki(join(other, "pki"), []);
    const before = await readFile(join(other, "pki", "ca.crt"), "utf8");
    await assert.rejects(importClusterBundle(other, bundle), /already belongs to another cluster/);
    assert.equal(await readFile(join(other, "pki", "ca.crt"), "utf8"), before);

    const ownKey = join(dir, "own-key");
    await importClusterBundle(ownKey, JSON.stringify({ ...(JSON.parse(bundle) as object), serviceAccountKey: undefined }));
    const created = await ensureServiceAccountKey(join(ownKey, "pki"));
    await assert.rejects(importClusterBundle(ownKey, bundle), /is not the bundle's ServiceAccount signing key/);
    assert.equal(await readFile(join(ownKey, "pki", "sa.key"), "utf8"), created.privateKey);
  });

  test("malformed bundles are refused with the reason, writing nothing", async () => {
    const target = join(dir, "bad");
    const foreign = join(dir, "foreign");
    await ensureServingPki(join(foreign, "pki"), []);
    const foreignKey = await readFile(join(foreign, "pki", "ca.key"), "utf8");
    const doc = JSON.parse(bundle) as Record<string, unknown>;
    const cases: [string, RegExp][] = [
      ["not json", /invalid JSON/],
      [JSON.stringify({ ...doc, kind: "Secret" }), /not a cluster bundle/],
      [JSON.stringify({ ...doc, version: 2 }), /unsupported cluster bundle version 2/],
      [JSON.stringify({ ...doc, caKey: "" }), /no CA key/],
      [JSON.stringify({ ...doc, tokens: [{ name: 1 }] }), /tokens/],
      [JSON.stringify({ ...doc, caKey: foreignKey }), /not a usable CA: the CA key does not belong/],
      [JSON.stringify({ ...doc, serviceAccountKey: 7 }), /serviceAccountKey is not a PEM private key/],
      [JSON.stringify({ ...doc, serviceAccountKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" }), /serviceAccountKey is not an ECDSA P-256 private key/],
    ];
    for (const [text, message] of cases) {
      await assert.rejects(importClusterBundle(target, text), message);
      await assert.rejects(stat(target), { code: "ENOENT" });
    }
  });

  test("export needs a CA", async () => {
    await assert.rejects(exportClusterBundle(join(dir, "nothing")), /no cluster CA/);
  });

  test("a kubeconfig for several servers has a cluster and context per server, the same CA and user", () => {
    const doc = parse(renderKubeconfig({ server: ["https://10.0.0.1:6443", "https://10.0.0.2:6443"], caCert: "CA", token: "t", user: "admin" })) as {
      clusters: { name: string; cluster: { server: string; "certificate-authority-data": string } }[];
      contexts: { name: string; context: { cluster: string; user: string } }[];
      "current-context": string;
    };
    assert.deepEqual(doc.clusters.map((c) => [c.name, c.cluster.server]), [["everynode-1", "https://10.0.0.1:6443"], ["everynode-2", "https://10.0.0.2:6443"]]);
    assert.deepEqual(doc.clusters.map((c) => c.cluster["certificate-authority-data"]), [Buffer.from("CA").toString("base64"), Buffer.from("CA").toString("base64")]);
    assert.deepEqual(doc.contexts.map((c) => [c.name, c.context.cluster, c.context.user]), [["everynode-1", "everynode-1", "admin"], ["everynode-2", "everynode-2", "admin"]]);
    assert.equal(doc["current-context"], "everynode-1");
  });
});
