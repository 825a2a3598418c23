import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { stringify } from "yaml";
import { loadKubeconfig, readKubeconfig } from "./kubeconfig.js";

const b64 = (s: string): string => Buffer.from(s).toString("base64");

interface Entry { name: string; [k: string]: unknown }

describe("readKubeconfig", () => {
  let dir = "";
  let n = 0;
  before(async () => { dir = await mkdtemp(join(tmpdir(), "everynode-kubeconfig-unit-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  /** Writes a kubeconfig (one cluster `c`, user `u`, context `x` unless given) and returns its path. */
  const write = async (doc: { clusters?: Entry[]; users?: Entry[]; contexts?: Entry[]; "current-context"?: string } | string): Promise<string> => {
    const path = join(dir, `kubeconfig-${++n}`);
    await writeFile(path, typeof doc === "string" ? doc : stringify({ apiVersion: "v1", kind: "Config", ...doc }));
    return path;
  };
  const single = (cluster: Record<string, unknown>, user: Record<string, unknown>): Promise<string> => write({
    clusters: [{ name: "c", cluster: { server: "https://10.0.0.1:6443", ...cluster } }],
    users: [{ name: "u", user }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
  });

  test("the current context: server, CA data, token and namespace", async () => {
    const path = await write({
      clusters: [{ name: "a", cluster: { server: "https://a:6443", "certificate-authority-data": b64("CA-A") } }, { name: "b", cluster: { server: "https://b:6443" } }],
      users: [{ name: "ua", user: { token: "token-a" } }, { name: "ub", user: { token: "token-b" } }],
      contexts: [{ name: "ctx-a", context: { cluster: "a", user: "ua", namespace: "kube-system" } }, { name: "ctx-b", context: { cluster: "b", user: "ub" } }],
      "current-context": "ctx-a",
    });
    const t = await readKubeconfig(path);
    assert.deepEqual(t, { context: "ctx-a", namespace: "kube-system", rest: { server: "https://a:6443", caCert: "CA-A", insecureSkipTlsVerify: undefined, tlsServerName: undefined, token: "token-a" } });
    const b = await readKubeconfig(path, "ctx-b");
    assert.equal(b.context, "ctx-b");
    assert.equal(b.namespace, undefined);
    assert.equal(b.rest.server, "https://b:6443");
    assert.equal(b.rest.token, "token-b");
    assert.equal((await loadKubeconfig(path, "ctx-b")).token, "token-b");
  });

  test("files are read relative to the kubeconfig's directory; insecure-skip-tls-verify and tls-server-name", async () => {
    await writeFile(join(dir, "ca.crt"), "CA-FILE");
    await writeFile(join(dir, "client.crt"), "CERT-FILE");
    await writeFile(join(dir, "client.key"), "KEY-FILE");
    const files = await single({ "certificate-authority": "ca.crt", "tls-server-name": "api.internal" }, { "client-certificate": "client.crt", "client-key": "client.key" });
    const t = (await readKubeconfig(files)).rest;
    assert.equal(t.caCert, "CA-FILE");
    assert.equal(t.tlsServerName, "api.internal");
    assert.equal(t.clientCert, "CERT-FILE");
    assert.equal(t.clientKey, "KEY-FILE");
    assert.equal(t.token, undefined);
    assert.equal(t.credentials, undefined);

    const inline = await single({ "insecure-skip-tls-verify": true }, { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") });
    const i = (await readKubeconfig(inline)).rest;
    assert.equal(i.insecureSkipTlsVerify, true);
    assert.equal(i.caCert, undefined);
    assert.equal(i.clientCert, "CERT");
    assert.equal(i.clientKey, "KEY");
  });

  test("a user-less context and an empty user have no credential", async () => {
    const path = await write({ clusters: [{ name: "c", cluster: { server: "http://127.0.0.1:8080" } }], contexts: [{ name: "x", context: { cluster: "c" } }], "current-context": "x" });
    assert.deepEqual((await readKubeconfig(path)).rest, { server: "http://127.0.0.1:8080", caCert: undefined, insecureSkipTlsVerify: undefined, tlsServerName: undefined });
    const empty = (await readKubeconfig(await single({}, {}))).rest;
    assert.equal(empty.token, undefined);
    assert.equal(empty.credentials, undefined);
  });

  test("tokenFile is read relative to the file, trimmed, and read again after invalidate", async () => {
    await writeFile(join(dir, "token"), "first\n");
    const rest = (await readKubeconfig(await single({}, { tokenFile: "token" }))).rest;
    assert.equal(rest.token, undefined);
    assert.equal(await rest.credentials?.authorization(), "Bearer first");
    await writeFile(join(dir, "token"), "second\n");
    assert.equal(await rest.credentials?.authorization(), "Bearer first", "cached for a minute");
    rest.credentials?.invalidate();
    assert.equal(await rest.credentials?.authorization(), "Bearer second");
  });

  test("username and password are sent as basic authentication", async () => {
    const rest = (await readKubeconfig(await single({}, { username: "admin", password: "s3cret" }))).rest;
    assert.equal(await rest.credentials?.authorization(), `Basic ${b64("admin:s3cret")}`);
  });

  test("an exec plugin gets KUBERNETES_EXEC_INFO and its env; it runs again when the credential expires or after invalidate", async () => {
    const calls = join(dir, "exec-calls");
    const plugin = join(dir, "plugin.sh");
    await writeFile(plugin, `#!/bin/sh
echo "$KUBERNETES_EXEC_INFO $PLUGIN_ARG $1" >> ${calls}
n=$(wc -l < ${calls})
exp=""
[ "$1" = expiring ] && exp=',"expirationTimestamp":"2000-01-01T00:00:00Z"'
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"tok-%s"%s}}' "$n" "$exp"
`);
    await chmod(plugin, 0o755);
    const exec = (arg: string): Record<string, unknown> => ({ exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "./plugin.sh", args: [arg], env: [{ name: "PLUGIN_ARG", value: "from-env" }], provideClusterInfo: true } });
    const lasting = (await readKubeconfig(await single({ "certificate-authority-data": b64("CA") }, exec("lasting")))).rest;
    assert.equal(await lasting.credentials?.authorization(), "Bearer tok-1");
    assert.equal(await lasting.credentials?.authorization(), "Bearer tok-1", "no expiry: kept until a 401");
    lasting.credentials?.invalidate();
    assert.equal(await lasting.credentials?.authorization(), "Bearer tok-2");
    const first = (await readFile(calls, "utf8")).split("\n")[0] ?? "";
    const info = JSON.parse(first.slice(0, first.lastIndexOf("}") + 1)) as { kind: string; spec: { interactive: boolean; cluster?: Record<string, unknown> } };
    assert.deepEqual(info, { apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", spec: { interactive: false, cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": b64("CA") } } });
    assert.match(first, / from-env lasting$/);

    const expiring = (await readKubeconfig(await single({}, exec("expiring")))).rest;
    assert.equal(await expiring.credentials?.authorization(), "Bearer tok-3");
    assert.equal(await expiring.credentials?.authorization(), "Bearer tok-4", "an expired credential is fetched again");
  });

  test("an exec plugin that fails or answers another apiVersion is an error, and is tried again", async () => {
    const plugin = join(dir, "bad-plugin.sh");
    await writeFile(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t"}}'\n`);
    await chmod(plugin, 0o755);
    const rest = (await readKubeconfig(await single({}, { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: plugin } }))).rest;
    await assert.rejects(rest.credentials?.authorization() ?? Promise.resolve(), /configured to use API version client\.authentication\.k8s\.io\/v1beta1, plugin returned version client\.authentication\.k8s\.io\/v1/);
    await writeFile(plugin, "#!/bin/sh\nexit 3\n");
    await assert.rejects(rest.credentials?.authorization() ?? Promise.resolve(), /exited with code 3/);
  });

  const rejects = async (path: string, message: RegExp, context?: string): Promise<void> => {
    await assert.rejects(readKubeconfig(path, context), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, message);
      assert.ok(e.message.includes(path), `the message names the file: ${e.message}`);
      return true;
    });
  };

  test("a missing context, cluster or user is named with kubectl's words", async () => {
    const path = await single({}, { token: "t" });
    await rejects(path, /: context was not found for specified context: nope$/, "nope");
    await rejects(await write({ clusters: [{ name: "c", cluster: { server: "https://a" } }] }), /no context chosen/);
    await rejects(await write({ contexts: [{ name: "x", context: { cluster: "gone", user: "u" } }], "current-context": "x" }), /cluster "gone" was not found for context "x"/);
    await rejects(await write({ clusters: [{ name: "c", cluster: { server: "https://a" } }], contexts: [{ name: "x", context: { cluster: "c", user: "who" } }], "current-context": "x" }), /user "who" was not found for context "x"/);
    await rejects(await write({ clusters: [{ name: "c", cluster: {} }], contexts: [{ name: "x", context: { cluster: "c" } }], "current-context": "x" }), /no server found for cluster "c"/);
  });

  test("unreadable files and inconsistent credentials are refused with client-go's messages", async () => {
    const missing = join(dir, "no-such.crt");
    await rejects(await single({ "certificate-authority": "no-such.crt" }, {}), new RegExp(`unable to read certificate-authority ${missing} for c due to ENOENT`));
    await rejects(await single({}, { "client-certificate-data": b64("C") }), /client-key-data or client-key must be specified for u to use the clientCert authentication method\./);
    await rejects(await single({}, { "client-key-data": b64("K") }), /client-cert-data or client-cert must be specified for u/);
    await rejects(await single({}, { token: "t", username: "a", password: "b" }), /more than one authentication method found for u; found \[token basicAuth\], only one is allowed/);
    await rejects(await single({ "insecure-skip-tls-verify": true, "certificate-authority-data": b64("CA") }, {}), /specifying a root certificates file with the insecure flag is not allowed/);
    await rejects(await single({}, { tokenFile: "no-such-token" }), /unable to read tokenFile .*no-such-token for u/);
    await rejects(await single({}, { exec: { command: "x" } }), /apiVersion must be specified for u to use exec authentication plugin/);
    await rejects(await single({}, { "auth-provider": { name: "gcp" } }), /auth-provider plugins are not supported/);
    const two = await single({}, { "client-certificate": "gone.crt", "client-key": "gone.key" });
    await rejects(two, /invalid configuration:\n\* unable to read client-cert .*gone\.crt for u due to .*\n\* unable to read client-key .*gone\.key for u/);
  });

  test("a malformed file is an error loading the config file", async () => {
    await rejects(await write("apiVersion: v1\nkind: [Config\n"), /^error loading config file ".*": /);
    await rejects(await single({ "certificate-authority-data": "YWJj!x" }, {}), /error loading config file .*illegal base64 data at input byte 4/);
    await rejects(await single({ "certificate-authority-data": "YWJ" }, {}), /illegal base64 data/);
    await rejects(await single({ server: 5 }, {}), /error loading config file .*server of cluster "c" must be a string/);
    await rejects(await write({ clusters: { c: 1 } as unknown as Entry[], contexts: [{ name: "x", context: { cluster: "c" } }], "current-context": "x" }), /clusters must be a list/);
    await rejects(await single({ "insecure-skip-tls-verify": "yes" }, {}), /insecure-skip-tls-verify of cluster "c" must be true or false/);
    await rejects(join(dir, "absent"), /error loading config file ".*absent": ENOENT/);
  });
});
