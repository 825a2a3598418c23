import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, readlink, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ReferencedObject, ReferenceLookup } from "../api/pod-references.js";
import type { Pod } from "../api/types.js";
import { checkPayloadPath, writeAtomic, type Payload } from "./atomic-writer.js";
import { mustFindResource } from "../api/resources.js";
import { FakeClient } from "../client/testing/fake-client.js";
import { ObjectCache } from "./object-cache.js";
import { PodVolumes } from "./pod-volumes.js";
import { TokenManager } from "./token-manager.js";

const configMaps = mustFindResource("", "configmaps");
import { tokenSources, volumePayload, VolumeSetupError } from "./volume-payload.js";

const objects: Record<string, ReferencedObject> = {
  "configmap/ns/cfg": { data: { "app.conf": "level=info\n", other: "x" }, binaryData: { "blob.bin": Buffer.from([0, 1, 2]).toString("base64") } },
  "secret/ns/tls": { data: { "tls.crt": Buffer.from("CERT").toString("base64"), "tls.key": Buffer.from("KEY").toString("base64") } },
  "configmap/ns/kube-root-ca.crt": { data: { "ca.crt": "CA" } },
};
const lookup: ReferenceLookup = (kind, ns, name) => objects[`${kind}/${ns}/${name}`];
const pod: Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u1", labels: { b: "2", a: "1" }, annotations: { note: 'say "hi"' } },
  spec: { serviceAccountName: "sa", containers: [{ name: "c", resources: { limits: { memory: "64Mi" } } }] },
};
const inputs = { lookup, allocatable: { cpu: "2", memory: "1Gi" }, token: () => "TOKEN" };
const files = (p: Payload | undefined): Record<string, [string, string]> =>
  Object.fromEntries([...(p ?? new Map()).entries()].map(([k, v]) => [k, [v.data.toString("utf8"), v.mode.toString(8)]]));

test("ConfigMap and Secret volumes: every key or the listed items, modes, base64 data, optional sources", () => {
  assert.deepEqual(files(volumePayload(pod, { name: "v", configMap: { name: "cfg" } }, inputs)),
    { "app.conf": ["level=info\n", "644"], other: ["x", "644"], "blob.bin": ["\u0000\u0001\u0002", "644"] });
  assert.deepEqual(files(volumePayload(pod, { name: "v", secret: { secretName: "tls", defaultMode: 0o400, items: [{ key: "tls.key", path: "keys/server.key", mode: 0o600 }, { key: "tls.crt", path: "server.crt" }] } }, inputs)),
    { "keys/server.key": ["KEY", "600"], "server.crt": ["CERT", "400"] });
  assert.deepEqual(files(volumePayload(pod, { name: "v", configMap: { name: "absent", optional: true } }, inputs)), {});
  assert.throws(() => volumePayload(pod, { name: "v", configMap: { name: "cfg", items: [{ key: "nope", path: "n" }] } }, inputs),
    (e: unknown) => e instanceof VolumeSetupError && e.message === "configmap references non-existent config key: nope");
  assert.throws(() => volumePayload(pod, { name: "v", secret: { secretName: "gone" } }, inputs), (e: unknown) => e instanceof VolumeSetupError && e.message === 'secret "gone" not found');
  assert.equal(volumePayload(pod, { name: "v", emptyDir: {} }, inputs), undefined);
});

test("downward API and projected volumes (the kube-api-access-* shape)", () => {
  assert.deepEqual(files(volumePayload(pod, { name: "d", downwardAPI: { items: [
    { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
    { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" } },
    { path: "name", fieldRef: { fieldPath: "metadata.name" } },
    { path: "a", fieldRef: { fieldPath: "metadata.labels['a']" } },
    { path: "mem", resourceFieldRef: { containerName: "c", resource: "limits.memory", divisor: "1Mi" }, mode: 0o444 },
  ] } }, inputs)), { labels: ['a="1"\nb="2"', "644"], annotations: ['note="say \\"hi\\""', "644"], name: ["p", "644"], a: ["1", "644"], mem: ["64", "444"] });
  const access = { name: "kube-api-access-abcde", projected: { defaultMode: 420, sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
    { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
  ] } };
  assert.deepEqual(files(volumePayload(pod, access, inputs)), { token: ["TOKEN", "644"], "ca.crt": ["CA", "644"], namespace: ["ns", "644"] });
  assert.deepEqual(tokenSources({ spec: { containers: [], volumes: [access] } }), [{ expirationSeconds: 3607, path: "token" }]);
  assert.throws(() => volumePayload(pod, access, { ...inputs, token: () => undefined }), VolumeSetupError);
});

test("writeAtomic swaps the ..data symlink, removes stale names and the old directory, and skips identical payloads", async () => {
  const dir = await mkdtemp(join(tmpdir(), "atomic-"));
  try {
    const f = (s: string, mode = 0o644): { data: Buffer; mode: number } => ({ data: Buffer.from(s), mode });
    assert.equal(await writeAtomic(dir, new Map([["a", f("1")], ["sub/b", f("2", 0o600)]])), true);
    const first = await readlink(join(dir, "..data"));
    assert.match(first, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    assert.equal(await readlink(join(dir, "a")), "..data/a");
    assert.equal(await readFile(join(dir, "sub", "b"), "utf8"), "2");
    assert.equal((await stat(join(dir, "sub", "b"))).mode & 0o777, 0o600);
    assert.equal(await writeAtomic(dir, new Map([["a", f("1")], ["sub/b", f("2", 0o600)]])), false, "identical: nothing written");
    assert.equal(await writeAtomic(dir, new Map([["a", f("changed")], ["c", f("3")]])), true);
    assert.equal(await readFile(join(dir, "a"), "utf8"), "changed");
    assert.notEqual(await readlink(join(dir, "..data")), first);
    assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith("..")).sort(), ["a", "c"]);
    assert.equal((await readdir(dir)).filter((n) => n.startsWith("..") && n !== "..data").length, 1, "the old timestamped directory is gone");
    assert.throws(() => checkPayloadPath("../etc/passwd"));
    assert.throws(() => checkPayloadPath("/abs"));
    assert.throws(() => checkPayloadPath("..data"));
    await assert.rejects(writeAtomic(dir, new Map([["x/../../y", f("")]])));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("tokens are refreshed after 80% of their lifetime (or 24 h), minus jitter, and kept while a refresh fails", async () => {
  const held = { token: "t", issuedAt: 0, expiresAt: 3600_000 };
  assert.equal(TokenManager.requiresRefresh(held, 2_879_000, 0), false);
  assert.equal(TokenManager.requiresRefresh(held, 2_880_000, 0), true);
  assert.equal(TokenManager.requiresRefresh(held, 2_871_000, 10_000), true);
  assert.equal(TokenManager.requiresRefresh({ token: "t", issuedAt: 0, expiresAt: 365 * 86400_000 }, 86400_000, 0), true);
  let now = Date.parse("2026-01-01T00:00:00Z");
  let fail = false;
  const asked: unknown[] = [];
  const client = {
    createSubresource: async (_r: unknown, ns: string | undefined, name: string, sub: string, body: { spec: unknown }) => {
      if (fail) throw new Error("unavailable");
      asked.push({ ns, name, sub, spec: body.spec });
      return { status: { token: `tok${asked.length}`, expirationTimestamp: new Date(now + 3607_000).toISOString() } };
    },
  };
  const tokens = new TokenManager({ client: client as never, now: () => now, random: () => 0 });
  const source = { expirationSeconds: 3607, path: "token" };
  assert.equal(await tokens.token(pod, source), "tok1");
  assert.deepEqual(asked[0], { ns: "ns", name: "sa", sub: "token", spec: { audiences: [], expirationSeconds: 3607, boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "p", uid: "u1" } } });
  now += 2000_000;
  assert.equal(await tokens.token(pod, source), "tok1", "not due yet");
  now += 1000_000;
  fail = true;
  assert.equal(await tokens.token(pod, source), "tok1", "refresh failed: the valid token is kept");
  fail = false;
  assert.equal(await tokens.token(pod, source), "tok2");
  tokens.forgetPod("u1");
  assert.equal(await tokens.token(pod, source), "tok3");
});

test("PodVolumes: a missing ConfigMap holds the pod (retried 1 s doubling up to the sync period); updates arrive after the TTL", async () => {
  const client = new FakeClient();
  let now = 0;
  const objects = new ObjectCache({ client, ttlMs: 5000, now: () => now });
  const dir = await mkdtemp(join(tmpdir(), "podvol-"));
  try {
    const volumes = new PodVolumes({ objects, tokens: new TokenManager({ client, now: () => now, random: () => 0 }), allocatable: () => ({}) }, dir, 5000, () => now);
    const p: Pod = { metadata: { name: "p", namespace: "ns", uid: "u" }, spec: { containers: [{ name: "c" }], volumes: [{ name: "cfg", configMap: { name: "late" } }] } };
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await volumes.sync(p, false));
    assert.deepEqual(outcomes.map((o) => [o.ready, o.nextMs]), [[false, 1000], [false, 2000], [false, 4000], [false, 5000]]);
    assert.equal(outcomes[0]?.failure, 'MountVolume.SetUp failed for volume "cfg" : configmap "late" not found');
    await client.create(configMaps, "ns", { metadata: { name: "late" }, data: { k: "v1" } });
    assert.deepEqual(await volumes.sync(p, false), { ready: true, failure: undefined, nextMs: 5000 });
    assert.equal(await readFile(join(dir, "volumes", "cfg", "k"), "utf8"), "v1");
    await client.update(configMaps, "ns", { metadata: { name: "late" }, data: { k: "v2" } });
    now += 1000;
    assert.equal((await volumes.sync(p, false)).nextMs, 4000, "not due: nothing read");
    assert.equal(await readFile(join(dir, "volumes", "cfg", "k"), "utf8"), "v1");
    now += 4000;
    await volumes.sync(p, false);
    assert.equal(await readFile(join(dir, "volumes", "cfg", "k"), "utf8"), "v2");
    assert.equal(volumes.lookup("configmap", "ns", "late")?.data?.k, "v2");
    const reads = objects.reads;
    await client.delete(configMaps, "ns", "late");
    now += 5000;
    assert.equal((await volumes.sync(p, false)).ready, true, "once mounted, a vanished ConfigMap keeps the files");
    assert.equal(objects.reads, reads + 1);
    assert.equal(await readFile(join(dir, "volumes", "cfg", "k"), "utf8"), "v2");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
