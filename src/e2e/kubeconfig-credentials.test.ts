import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { mustFindResource } from "../api/resources.js";
import { StatusError } from "../api/status-error.js";
import { loadKubeconfig } from "../client/kubeconfig.js";
import { RestClient } from "../client/rest.js";
import { clientAuthUsage, ensureServingPki, issueCertificate, loadClusterCa } from "../server/pki.js";
import { kubectlWith, runEverynode, spawnEverynode } from "./cli.js";
import { fixturePath } from "./fixtures.js";
import { startTestCluster, until, type TestCluster } from "./harness.js";

const namespaces = mustFindResource("", "namespaces");

interface Entry { name: string; [k: string]: unknown }

/** A kubeconfig document with the given clusters, users and contexts; the first context is current. */
function kubeconfigDoc(clusters: Entry[], users: Entry[], contexts: Entry[]): string {
  return stringify({ apiVersion: "v1", kind: "Config", clusters, users, contexts, "current-context": contexts[0]?.name ?? "" });
}

describe("kubeconfigs as kubectl reads them, and x509 client certificates", () => {
  let c: TestCluster;
  let dir = "";
  let server = "";
  let caData = "";
  let adminToken = "";
  before(async () => {
    c = await startTestCluster({ controllers: false });
    dir = await mkdtemp(join(tmpdir(), "everynode-kubeconfig-"));
    server = c.plane.url;
    caData = Buffer.from(await readFile(join(c.dataDir, "pki", "ca.crt"), "utf8")).toString("base64");
    adminToken = /token: (\S+)/.exec(await readFile(c.plane.kubeconfigPath, "utf8"))?.[1] ?? "";
  });
  after(async () => { await c.stop(); await rm(dir, { recursive: true, force: true }); });

  const listNamespaces = async (path: string, context?: string): Promise<string[]> => {
    const client = new RestClient(await loadKubeconfig(path, context));
    try {
      return (await client.list(namespaces, undefined)).items.map((n) => n.metadata?.name ?? "");
    } finally {
      client.close();
    }
  };

  test("everynode kubeconfig --client-certificate: kubectl authenticates as CN, in the groups of O", async () => {
    const file = join(dir, "node-a.kubeconfig");
    const issued = await runEverynode(["kubeconfig", "--node", "node-a", "--client-certificate", "--data-dir", c.dataDir, "--output", file]);
    assert.equal(issued.code, 0, issued.stderr);
    assert.match(await readFile(file, "utf8"), /client-certificate-data: /);
    assert.doesNotMatch(await readFile(file, "utf8"), /token:/);
    const nodes = await kubectlWith(file, dir, ["get", "nodes"]);
    assert.equal(nodes.code, 0, nodes.stderr);
    const forbidden = await kubectlWith(file, dir, ["get", "daemonsets", "-A"]);
    assert.match(forbidden.stderr, /User "system:node:node-a" cannot list resource "daemonsets" in API group "apps" at the cluster scope/);

    const admin = join(dir, "admin-cert.kubeconfig");
    assert.equal((await runEverynode(["kubeconfig", "--user", "cert-admin", "--group", "system:masters", "--client-certificate", "--data-dir", c.dataDir, "--output", admin])).code, 0);
    const created = await kubectlWith(admin, dir, ["create", "namespace", "made-by-cert"]);
    assert.equal(created.code, 0, created.stderr);
  });

  test("a client certificate of another CA, or one the CA signed for serving, is refused with 401", async () => {
    await ensureServingPki(join(dir, "other-pki"), []);
    const serving = { cert: await readFile(join(c.dataDir, "pki", "server.crt"), "utf8"), key: await readFile(join(c.dataDir, "pki", "server.key"), "utf8") };
    const otherCa = await loadClusterCa(join(dir, "other-pki"));
    const leaf = await issueCertificate(otherCa, { subject: [{ CN: ["mallory"] }, { O: ["system:masters"] }], lifetimeDays: 1, usage: clientAuthUsage });
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    const file = join(dir, "foreign.kubeconfig");
    await writeFile(file, kubeconfigDoc(
      [{ name: "c", cluster: { server, "certificate-authority-data": caData } }],
      [{ name: "u", user: { "client-certificate-data": b64(leaf.cert), "client-key-data": b64(leaf.key) } }, { name: "s", user: { "client-certificate-data": b64(serving.cert), "client-key-data": b64(serving.key) } }],
      [{ name: "x", context: { cluster: "c", user: "u" } }, { name: "s", context: { cluster: "c", user: "s" } }],
    ));
    const refused = await kubectlWith(file, dir, ["get", "ns"]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /You must be logged in to the server/);
    await assert.rejects(listNamespaces(file), (e: unknown) => e instanceof StatusError && e.code === 401);
    const servingCert = await kubectlWith(file, dir, ["--context", "s", "get", "ns"]);
    assert.match(servingCert.stderr, /You must be logged in to the server/, "a serving certificate is no client certificate");
  });

  test("token files, inline and file client certificates, insecure-skip-tls-verify and --context", async () => {
    await writeFile(join(dir, "token"), `${adminToken}\n`);
    const cert = join(dir, "cert.kubeconfig");
    assert.equal((await runEverynode(["kubeconfig", "--user", "file-admin", "--group", "system:masters", "--client-certificate", "--data-dir", c.dataDir, "--output", cert])).code, 0);
    const certUser = /client-certificate-data: (\S+)/.exec(await readFile(cert, "utf8"))?.[1] ?? "";
    const keyUser = /client-key-data: (\S+)/.exec(await readFile(cert, "utf8"))?.[1] ?? "";
    await writeFile(join(dir, "client.crt"), Buffer.from(certUser, "base64"));
    await writeFile(join(dir, "client.key"), Buffer.from(keyUser, "base64"));
    await writeFile(join(dir, "ca.crt"), Buffer.from(caData, "base64"));
    const file = join(dir, "many.kubeconfig");
    await writeFile(file, kubeconfigDoc(
      [
        { name: "nowhere", cluster: { server: "https://127.0.0.1:1", "certificate-authority-data": caData } },
        { name: "ca-file", cluster: { server, "certificate-authority": "ca.crt" } },
        { name: "insecure", cluster: { server, "insecure-skip-tls-verify": true } },
      ],
      [
        { name: "token-file", user: { tokenFile: "token" } },
        { name: "cert-files", user: { "client-certificate": "client.crt", "client-key": "client.key" } },
      ],
      [
        { name: "broken", context: { cluster: "nowhere", user: "token-file" } },
        { name: "token-file", context: { cluster: "ca-file", user: "token-file" } },
        { name: "cert-files", context: { cluster: "insecure", user: "cert-files" } },
      ],
    ));
    assert.ok((await listNamespaces(file, "token-file")).includes("default"));
    assert.ok((await listNamespaces(file, "cert-files")).includes("default"));
    await assert.rejects(listNamespaces(file, "missing"), /context was not found for specified context: missing/);
    for (const context of ["token-file", "cert-files"]) {
      const r = await kubectlWith(file, dir, ["--context", context, "get", "ns", "default", "-o", "name"]);
      assert.equal(r.code, 0, `kubectl agrees for ${context}: ${r.stderr}`);
    }
  });

  test("an exec credential plugin is run for a token, and again after a 401", async () => {
    const plugin = join(dir, "plugin.sh");
    const tokenSource = join(dir, "plugin-token");
    const calls = join(dir, "plugin-calls");
    await writeFile(plugin, `#!/bin/sh\necho x >> ${calls}\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$(cat ${tokenSource})"\n`);
    await chmod(plugin, 0o755);
    await writeFile(tokenSource, "not-a-valid-token");
    const file = join(dir, "exec.kubeconfig");
    await writeFile(file, kubeconfigDoc(
      [{ name: "c", cluster: { server, "certificate-authority-data": caData } }],
      [{ name: "u", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } } }],
      [{ name: "x", context: { cluster: "c", user: "u" } }],
    ));
    const client = new RestClient(await loadKubeconfig(file));
    try {
      await assert.rejects(client.list(namespaces, undefined), (e: unknown) => e instanceof StatusError && e.code === 401);
      await writeFile(tokenSource, adminToken);
      const list = await client.list(namespaces, undefined);
      assert.ok(list.items.some((n) => n.metadata?.name === "default"));
      assert.ok((await readFile(calls, "utf8")).split("\n").filter(Boolean).length >= 2, "the plugin ran again after the 401");
    } finally {
      client.close();
    }
  });

  test("everynode controller-manager runs with a client-certificate kubeconfig, selected with --context", async () => {
    const cert = join(dir, "cm-cert.kubeconfig");
    assert.equal((await runEverynode(["kubeconfig", "--user", "system:kube-controller-manager", "--group", "system:masters", "--client-certificate", "--data-dir", c.dataDir, "--output", cert])).code, 0);
    const text = await readFile(cert, "utf8");
    const user = { "client-certificate-data": /client-certificate-data: (\S+)/.exec(text)?.[1], "client-key-data": /client-key-data: (\S+)/.exec(text)?.[1] };
    const file = join(dir, "cm.kubeconfig");
    await writeFile(file, kubeconfigDoc(
      [{ name: "nowhere", cluster: { server: "https://127.0.0.1:1" } }, { name: "c", cluster: { server, "certificate-authority-data": caData } }],
      [{ name: "nobody", user: {} }, { name: "cm", user }],
      [{ name: "broken", context: { cluster: "nowhere", user: "nobody" } }, { name: "everynode", context: { cluster: "c", user: "cm" } }],
    ));
    const cm = spawnEverynode(["controller-manager", "--kubeconfig", file, "--context", "everynode", "--simulate", "--nodes", "2"]);
    try {
      await c.kubectlOk(["create", "-f", fixturePath("demo.yaml")]);
      let row = "";
      await until(async () => {
        row = await c.kubectlOk(["get", "ds", "demo", "--no-headers"]);
        return /^demo\s+2\s+2\s+2\s+2\s+2\s/m.test(row);
      }, `the DaemonSet to converge (last: ${row}; controller-manager: ${cm.output()})`, 30_000);
      assert.match(cm.output(), /controllers started/);
    } finally {
      assert.equal(await cm.stop(), 0, cm.output());
    }
  });
});
