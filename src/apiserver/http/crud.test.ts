import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { R } from "../registry/testing/fixtures.js";
import type { KubeObject } from "../../api/types.js";
import { RestClient } from "../../client/rest.js";
import { daemonSet, startTestApi, type TestApi } from "./testing/api-fixture.js";

const dsPath = "/apis/apps/v1/namespaces/default/daemonsets";
const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** Protobuf length-delimited field. */
function pbField(field: number, payload: Uint8Array | string): Buffer {
  const bytes = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const len: number[] = [];
  let n = bytes.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), bytes]);
}

/** What kubectl create namespace sends: `k8s\0` + runtime.Unknown{typeMeta, raw: Namespace{metadata{name}}}. */
function namespaceProtobuf(name: string): Buffer {
  const namespace = Buffer.concat([pbField(1, pbField(1, name)), pbField(2, ""), pbField(3, "")]);
  const unknown = Buffer.concat([pbField(1, Buffer.concat([pbField(1, "v1"), pbField(2, "Namespace")])), pbField(2, namespace), pbField(3, ""), pbField(4, "")]);
  return Buffer.concat([Buffer.from("k8s\0", "latin1"), unknown]);
}

describe("resource verbs over HTTP", () => {
  let api: TestApi;
  before(async () => { api = await startTestApi({ handler: { now: () => new Date("2030-01-01T00:00:00Z") } }); });
  after(async () => { await api.close(); });

  test("create JSON answers 201 with the stored object; get and list return it", async () => {
    const r = await api.call("POST", `${dsPath}?fieldManager=kubectl-create&fieldValidation=Strict`, daemonSet("crud-a"));
    assert.equal(r.status, 201);
    const created = await r.json() as any;
    assert.equal(created.metadata.name, "crud-a");
    assert.equal(created.metadata.namespace, "default");
    assert.ok(created.metadata.uid);
    assert.ok(created.metadata.resourceVersion);
    const got = await api.call("GET", `${dsPath}/crud-a`);
    assert.equal(got.status, 200);
    assert.equal((await got.json() as any).metadata.uid, created.metadata.uid);
    const list = await (await api.call("GET", `${dsPath}?limit=500`)).json() as any;
    assert.equal(list.kind, "DaemonSetList");
    assert.ok(list.items.some((d: any) => d.metadata.name === "crud-a"));
    const all = await (await api.call("GET", "/apis/apps/v1/daemonsets")).json() as any;
    assert.ok(all.items.some((d: any) => d.metadata.name === "crud-a"));
  });

  test("dryRun=All validates without storing", async () => {
    const r = await api.call("POST", `${dsPath}?dryRun=All`, daemonSet("crud-dry"));
    assert.equal(r.status, 201);
    assert.equal((await r.json() as any).metadata.name, "crud-dry");
    assert.equal((await api.call("GET", `${dsPath}/crud-dry`)).status, 404);
  });

  test("create without kind/apiVersion defaults them from the path", async () => {
    const r = await api.call("POST", "/api/v1/namespaces", { metadata: { name: "bare" } });
    assert.equal(r.status, 201);
    const ns = await r.json() as any;
    assert.equal(ns.kind, "Namespace");
    assert.equal(ns.apiVersion, "v1");
  });

  test("create YAML and protobuf namespaces", async () => {
    const y = await api.call("POST", "/api/v1/namespaces", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: from-yaml\n", { "content-type": "application/yaml" });
    assert.equal(y.status, 201);
    assert.equal((await y.json() as any).metadata.name, "from-yaml");
    const p = await api.call("POST", "/api/v1/namespaces?fieldManager=kubectl-create", namespaceProtobuf("from-protobuf"), {
      "content-type": "application/vnd.kubernetes.protobuf", accept: "application/vnd.kubernetes.protobuf, */*",
    });
    assert.equal(p.status, 201);
    assert.equal(p.headers.get("content-type"), "application/json");
    assert.equal((await p.json() as any).metadata.name, "from-protobuf");
  });

  test("namespace in the body must match the path; cluster-scoped bodies lose it", async () => {
    const mismatch = await api.call("POST", dsPath, { ...daemonSet("crud-ns"), metadata: { name: "crud-ns", namespace: "kube-system" } });
    assert.equal(mismatch.status, 400);
    assert.equal((await mismatch.json() as any).message, "the namespace of the provided object does not match the namespace sent on the request");
    const node = await api.call("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "crud-node", namespace: "default" } });
    assert.equal(node.status, 201);
    assert.equal((await node.json() as any).metadata.namespace, undefined);
  });

  test("Table for get and list, with resourceVersion and the object's metadata", async () => {
    await api.call("POST", dsPath, daemonSet("crud-t", "t"));
    const list = await api.call("GET", `${dsPath}?limit=500`, undefined, { accept: tableAccept });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get("content-type"), "application/json");
    const table = await list.json() as any;
    assert.equal(table.kind, "Table");
    assert.equal(table.apiVersion, "meta.k8s.io/v1");
    assert.ok(table.metadata.resourceVersion);
    assert.equal(table.columnDefinitions[0].name, "Name");
    const row = table.rows.find((x: any) => x.cells[0] === "crud-t");
    assert.equal(row.cells.length, table.columnDefinitions.length);
    assert.equal(row.object.kind, "PartialObjectMetadata");
    assert.equal(row.object.metadata.namespace, "default");
    const one = await (await api.call("GET", `${dsPath}/crud-t?includeObject=None`, undefined, { accept: tableAccept })).json() as any;
    assert.equal(one.rows.length, 1);
    assert.equal(one.rows[0].object, undefined);
    const beta = await (await api.call("GET", `${dsPath}/crud-t`, undefined, { accept: "application/json;as=Table;v=v1beta1;g=meta.k8s.io" })).json() as any;
    assert.equal(beta.apiVersion, "meta.k8s.io/v1beta1");
    assert.equal(beta.rows[0].object.apiVersion, "meta.k8s.io/v1beta1", "rows' PartialObjectMetadata in the Table's version, as upstream");
    assert.equal(one.rows[0].object, undefined);
    const bad = await api.call("GET", `${dsPath}/crud-t?includeObject=All`, undefined, { accept: tableAccept });
    assert.equal(bad.status, 400);
  });

  test("label and field selectors, limit and continue", async () => {
    for (const name of ["sel-1", "sel-2", "sel-3"]) await api.call("POST", dsPath, daemonSet(name, "sel"));
    const byLabel = await (await api.call("GET", `${dsPath}?labelSelector=app%3Dsel`)).json() as any;
    assert.deepEqual(byLabel.items.map((d: any) => d.metadata.name), ["sel-1", "sel-2", "sel-3"]);
    const byField = await (await api.call("GET", `${dsPath}?fieldSelector=metadata.name%3Dsel-2`)).json() as any;
    assert.deepEqual(byField.items.map((d: any) => d.metadata.name), ["sel-2"]);
    const page1 = await (await api.call("GET", `${dsPath}?labelSelector=app%3Dsel&limit=2`)).json() as any;
    assert.equal(page1.items.length, 2);
    assert.ok(page1.metadata.continue);
    const page2 = await (await api.call("GET", `${dsPath}?labelSelector=app%3Dsel&limit=2&continue=${encodeURIComponent(page1.metadata.continue)}`)).json() as any;
    assert.deepEqual(page2.items.map((d: any) => d.metadata.name), ["sel-3"]);
    const tablePage = await (await api.call("GET", `${dsPath}?labelSelector=app%3Dsel&limit=2`, undefined, { accept: tableAccept })).json() as any;
    assert.ok(tablePage.metadata.continue);
  });

  test("update answers 200; a stale resourceVersion is 409; the URL names the object", async () => {
    const created = await (await api.call("POST", dsPath, daemonSet("crud-u"))).json() as any;
    created.metadata.labels.tier = "one";
    const r = await api.call("PUT", `${dsPath}/crud-u`, created);
    assert.equal(r.status, 200);
    const updated = await r.json() as any;
    assert.equal(updated.metadata.labels.tier, "one");
    const stale = await api.call("PUT", `${dsPath}/crud-u`, created);
    assert.equal(stale.status, 409);
    const body = await stale.json() as any;
    assert.equal(body.reason, "Conflict");
    assert.match(body.message, /Operation cannot be fulfilled on daemonsets.apps "crud-u"/);
    const other = await api.call("PUT", `${dsPath}/other`, updated);
    assert.equal(other.status, 400);
    assert.equal((await other.json() as any).message, "the name of the object (crud-u) does not match the name on the URL (other)");
  });

  test("status subresource: get, update and patch", async () => {
    const created = await (await api.call("POST", dsPath, daemonSet("crud-s"))).json() as any;
    const got = await (await api.call("GET", `${dsPath}/crud-s/status`)).json() as any;
    assert.equal(got.metadata.name, "crud-s");
    const put = await api.call("PUT", `${dsPath}/crud-s/status`, { ...created, status: { ...created.status, desiredNumberScheduled: 3 } });
    assert.equal(put.status, 200);
    assert.equal((await put.json() as any).status.desiredNumberScheduled, 3);
    const patched = await api.call("PATCH", `${dsPath}/crud-s/status`, { status: { numberReady: 2 } }, { "content-type": "application/merge-patch+json" });
    assert.equal(patched.status, 200);
    assert.equal((await patched.json() as any).status.numberReady, 2);
  });

  test("the four patch types", async () => {
    await api.call("POST", dsPath, daemonSet("crud-p"));
    const merge = await api.call("PATCH", `${dsPath}/crud-p`, { metadata: { labels: { a: "1" } } }, { "content-type": "application/merge-patch+json" });
    assert.equal(merge.status, 200);
    assert.equal((await merge.json() as any).metadata.labels.a, "1");
    const json = await api.call("PATCH", `${dsPath}/crud-p`, [{ op: "add", path: "/metadata/labels/b", value: "2" }], { "content-type": "application/json-patch+json" });
    assert.equal(json.status, 200);
    assert.equal((await json.json() as any).metadata.labels.b, "2");
    const smp = await api.call("PATCH", `${dsPath}/crud-p`, { spec: { template: { spec: { "$setElementOrder/containers": [{ name: "main" }], containers: [{ name: "main", image: "nginx:1.26" }] } } } },
      { "content-type": "application/strategic-merge-patch+json" });
    assert.equal(smp.status, 200);
    assert.equal((await smp.json() as any).spec.template.spec.containers[0].image, "nginx:1.26");
    const apply = await api.call("PATCH", `${dsPath}/crud-p?fieldManager=kubectl&force=true`, { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "crud-p", labels: { c: "3" } } },
      { "content-type": "application/apply-patch+yaml" });
    assert.equal(apply.status, 200);
    assert.equal((await apply.json() as any).metadata.labels.c, "3");
  });

  test("server-side apply creates a missing object with 201, YAML body accepted", async () => {
    const yaml = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: crud-ssa
spec:
  selector:
    matchLabels: {app: ssa}
  template:
    metadata:
      labels: {app: ssa}
    spec:
      containers:
      - name: main
        image: nginx
`;
    const r = await api.call("PATCH", `${dsPath}/crud-ssa?fieldManager=kubectl&force=false`, yaml, { "content-type": "application/apply-patch+yaml" });
    assert.equal(r.status, 201);
    const again = await api.call("PATCH", `${dsPath}/crud-ssa?fieldManager=kubectl&force=false`, yaml, { "content-type": "application/apply-patch+yaml" });
    assert.equal(again.status, 200);
    const noManager = await api.call("PATCH", `${dsPath}/crud-ssa`, yaml, { "content-type": "application/apply-patch+yaml" });
    assert.equal(noManager.status, 422);
    assert.match((await noManager.json() as any).message, /^PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch/);
  });

  test("the client learns whether an apply created the object, decided with the write itself", async () => {
    const client = new RestClient({ server: api.url });
    const cm = (n: number): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "crud-outcome", namespace: "default" }, data: { n: String(n) } } as KubeObject);
    const together = await Promise.all([1, 2, 3, 4].map((n) => client.patchWithOutcome(R.configmaps, "default", "crud-outcome", "apply", cm(n), { fieldManager: `m${n}`, force: true })));
    assert.equal(together.filter((o) => o.created).length, 1, "exactly one of the concurrent applies created it");
    const again = await client.patchWithOutcome(R.configmaps, "default", "crud-outcome", "apply", cm(5), { fieldManager: "m5", force: true });
    assert.equal(again.created, false);
    assert.equal((again.object as { data?: Record<string, string> }).data?.n, "5");
    client.close();
  });

  test("delete with propagation options, from the body or the query", async () => {
    await api.call("POST", dsPath, daemonSet("crud-d1"));
    await api.call("POST", dsPath, daemonSet("crud-d2"));
    const r = await api.call("DELETE", `${dsPath}/crud-d1`, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    assert.equal(r.status, 200);
    assert.equal((await r.json() as any).status, "Success");
    assert.equal((await api.call("GET", `${dsPath}/crud-d1`)).status, 404);
    const q = await api.call("DELETE", `${dsPath}/crud-d2?propagationPolicy=Orphan`);
    assert.equal(q.status, 200);
    const pending = await q.json() as any;
    assert.deepEqual(pending.metadata.finalizers, ["orphan"]);
    assert.ok(pending.metadata.deletionTimestamp);
    const bad = await api.call("DELETE", `${dsPath}/crud-a`, { propagationPolicy: "Sideways" });
    assert.equal(bad.status, 422);
    assert.match((await bad.json() as any).message, /^DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways"/);
  });

  test("deletecollection deletes what the selector picks", async () => {
    for (const name of ["dc-1", "dc-2"]) await api.call("POST", dsPath, daemonSet(name, "dc"));
    const r = await api.call("DELETE", `${dsPath}?labelSelector=app%3Ddc`);
    assert.equal(r.status, 200);
    const body = await r.json() as any;
    assert.deepEqual(body.items.map((d: any) => d.metadata.name).sort(), ["dc-1", "dc-2"]);
    const left = await (await api.call("GET", `${dsPath}?labelSelector=app%3Ddc`)).json() as any;
    assert.deepEqual(left.items, []);
    const nsCollection = await api.call("DELETE", "/api/v1/namespaces");
    assert.equal(nsCollection.status, 405);
  });

  test("binding and eviction answer 201 Success", async () => {
    await api.call("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-b" } });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p-b" }, spec: { containers: [{ name: "c", image: "nginx" }] } };
    assert.equal((await api.call("POST", "/api/v1/namespaces/default/pods", pod)).status, 201);
    const bind = await api.call("POST", "/api/v1/namespaces/default/pods/p-b/binding",
      { apiVersion: "v1", kind: "Binding", metadata: { name: "p-b" }, target: { apiVersion: "v1", kind: "Node", name: "node-b" } });
    assert.equal(bind.status, 201);
    assert.deepEqual(await bind.json(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    assert.equal((await (await api.call("GET", "/api/v1/namespaces/default/pods/p-b")).json() as any).spec.nodeName, "node-b");
    const evict = await api.call("POST", "/api/v1/namespaces/default/pods/p-b/eviction",
      { apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "p-b", namespace: "default" } });
    assert.equal(evict.status, 201);
    const status = await evict.json() as any;
    assert.equal(status.status, "Success");
    assert.equal(status.code, 201);
    assert.equal((await api.call("GET", "/api/v1/namespaces/default/pods/p-b/eviction")).status, 405);
  });
});
