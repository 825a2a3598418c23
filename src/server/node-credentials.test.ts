import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import { issueNodeKubeconfig } from "./node-credentials.js";
import { writeKubeconfig } from "./kubeconfig.js";
import { TokenFile } from "./tokens.js";

interface Doc {
  clusters: { cluster: { server: string; "certificate-authority-data"?: string } }[];
  users: { name: string; user: { token: string } }[];
}

describe("issueNodeKubeconfig", () => {
  let dir = "";
  before(async () => { dir = await mkdtemp(join(tmpdir(), "everynode-creds-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test("issues a system:node token reaching the server of the admin kubeconfig", async () => {
    const data = join(dir, "a");
    await mkdir(data, { mode: 0o755 });
    await writeKubeconfig(join(data, "kubeconfig"), { server: "https://127.0.0.1:6443", caCert: "CA PEM", token: "t", user: "admin" });
    const doc = parse(await issueNodeKubeconfig({ dataDir: data, nodeName: "node-1" })) as Doc;
    assert.equal(doc.clusters[0]?.cluster.server, "https://127.0.0.1:6443");
    assert.equal(Buffer.from(doc.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString(), "CA PEM");
    assert.equal(doc.users[0]?.name, "system:node:node-1");
    const user = (await TokenFile.load(join(data, "tokens.json"))).authenticate(doc.users[0]?.user.token);
    assert.deepEqual(user, { name: "system:node:node-1", groups: ["system:nodes"] });
    assert.equal((await stat(data)).mode & 0o777, 0o700);
  });

  test("--server overrides; the CA comes from the PKI; plain HTTP gets none", async () => {
    const data = join(dir, "b");
    await mkdir(join(data, "pki"), { recursive: true });
    await writeFile(join(data, "pki", "ca.crt"), "PKI CA");
    const https = parse(await issueNodeKubeconfig({ dataDir: data, nodeName: "n", server: "https://10.0.0.1:6443" })) as Doc;
    assert.equal(Buffer.from(https.clusters[0]?.cluster["certificate-authority-data"] ?? "", "base64").toString(), "PKI CA");
    const http = parse(await issueNodeKubeconfig({ dataDir: data, nodeName: "n", server: "http://127.0.0.1:8080" })) as Doc;
    assert.equal(http.clusters[0]?.cluster["certificate-authority-data"], undefined);
  });

  test("refuses invalid node names and an unknown server", async () => {
    await assert.rejects(issueNodeKubeconfig({ dataDir: join(dir, "c"), nodeName: "Bad_Name", server: "http://x" }), /^Error: invalid node name "Bad_Name": /);
    await assert.rejects(issueNodeKubeconfig({ dataDir: join(dir, "c"), nodeName: "n" }), /no server URL: .*kubeconfig does not exist/);
  });
});
