import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { daemonSet, LineReader, startTestApi, type TestApi } from "./testing/api-fixture.js";

const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/** Opens a watch on `path` (a query string included) in namespace `ns`. */
async function openWatch(api: TestApi, ns: string, query: string, accept = "application/json"): Promise<LineReader> {
  const r = await api.call("GET", `/apis/apps/v1/namespaces/${ns}/daemonsets?${query}`, undefined, { accept });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  return new LineReader(r);
}

async function createNamespace(api: TestApi, name: string): Promise<void> {
  assert.equal((await api.call("POST", "/api/v1/namespaces", { metadata: { name } })).status, 201);
}

describe("watch over HTTP", () => {
  let api: TestApi;
  before(async () => { api = await startTestApi({ registry: { bookmarkIntervalMs: 50, watchBufferSize: 20 } }); });
  after(async () => { await api.close(); });

  test("resourceVersion=0 starts with synthetic ADDED, then streams changes", async () => {
    await createNamespace(api, "w-zero");
    const base = "/apis/apps/v1/namespaces/w-zero/daemonsets";
    await api.call("POST", base, daemonSet("first"));
    const w = await openWatch(api, "w-zero", "watch=true&resourceVersion=0");
    try {
      const added = await w.next();
      assert.equal(added?.type, "ADDED");
      assert.equal(added?.object.metadata.name, "first");
      await api.call("POST", base, daemonSet("second"));
      const next = await w.next();
      assert.equal(next?.type, "ADDED");
      assert.equal(next?.object.metadata.name, "second");
      await api.call("PATCH", `${base}/first`, { metadata: { labels: { x: "y" } } }, { "content-type": "application/merge-patch+json" });
      const modified = await w.next();
      assert.equal(modified?.type, "MODIFIED");
      assert.equal(modified?.object.metadata.labels.x, "y");
      await api.call("DELETE", `${base}/second`);
      const deleted = await w.next();
      assert.equal(deleted?.type, "DELETED");
      assert.equal(deleted?.object.metadata.name, "second");
    } finally {
      await w.cancel();
    }
  });

  test("from a list resourceVersion only later events are replayed, with bookmarks", async () => {
    await createNamespace(api, "w-rv");
    const base = "/apis/apps/v1/namespaces/w-rv/daemonsets";
    await api.call("POST", base, daemonSet("before"));
    const list = await (await api.call("GET", `${base}?fieldSelector=metadata.name%3Dbefore&resourceVersion=0`)).json() as any;
    await api.call("POST", base, daemonSet("after"));
    const w = await openWatch(api, "w-rv", `watch=1&allowWatchBookmarks=true&timeoutSeconds=30&resourceVersion=${list.metadata.resourceVersion}`);
    try {
      const first = await w.next();
      assert.equal(first?.type, "ADDED");
      assert.equal(first?.object.metadata.name, "after");
      let bookmark = await w.next();
      while (bookmark && bookmark.type !== "BOOKMARK") bookmark = await w.next();
      assert.equal(bookmark?.object.kind, "DaemonSet");
      assert.equal(bookmark?.object.apiVersion, "apps/v1");
      assert.ok(bookmark?.object.metadata.resourceVersion);
    } finally {
      await w.cancel();
    }
  });

  test("sendInitialEvents ends the initial state with an annotated BOOKMARK", async () => {
    await createNamespace(api, "w-initial");
    await api.call("POST", "/apis/apps/v1/namespaces/w-initial/daemonsets", daemonSet("one"));
    const w = await openWatch(api, "w-initial", "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
    try {
      const added = await w.next();
      assert.equal(added?.type, "ADDED");
      const end = await w.next();
      assert.equal(end?.type, "BOOKMARK");
      assert.equal(end?.object.metadata.annotations["k8s.io/initial-events-end"], "true");
    } finally {
      await w.cancel();
    }
  });

  test("a too old resourceVersion is an ERROR event with 410 Expired, then the stream ends", async () => {
    await createNamespace(api, "w-old");
    const base = "/apis/apps/v1/namespaces/w-old/daemonsets";
    for (let i = 0; i < 30; i++) await api.call("POST", base, daemonSet(`old-${i}`));
    const w = await openWatch(api, "w-old", "watch=1&resourceVersion=2");
    const error = await w.next();
    assert.equal(error?.type, "ERROR");
    assert.equal(error?.object.kind, "Status");
    assert.equal(error?.object.code, 410);
    assert.equal(error?.object.reason, "Expired");
    assert.equal(await w.next(), undefined);
  });

  test("with the Table Accept every event carries a one-row Table, DELETED included", async () => {
    await createNamespace(api, "w-table");
    const base = "/apis/apps/v1/namespaces/w-table/daemonsets";
    await api.call("POST", base, daemonSet("t1"));
    const w = await openWatch(api, "w-table", "watch&resourceVersion=0", tableAccept);
    try {
      const added = await w.next();
      assert.equal(added?.type, "ADDED");
      assert.equal(added?.object.kind, "Table");
      assert.equal(added?.object.rows.length, 1);
      assert.equal(added?.object.rows[0].cells[0], "t1");
      assert.equal(added?.object.rows[0].object.metadata.name, "t1");
      assert.ok(added?.object.columnDefinitions.length > 0);
      await api.call("DELETE", `${base}/t1`);
      const deleted = await w.next();
      assert.equal(deleted?.type, "DELETED");
      assert.equal(deleted?.object.kind, "Table");
      assert.equal(deleted?.object.rows[0].cells[0], "t1");
    } finally {
      await w.cancel();
    }
  });

  test("a watch on one object sees only that object; timeoutSeconds ends the stream", async () => {
    await createNamespace(api, "w-one");
    const base = "/apis/apps/v1/namespaces/w-one/daemonsets";
    await api.call("POST", base, daemonSet("mine"));
    await api.call("POST", base, daemonSet("other"));
    const r = await api.call("GET", `${base}/mine?watch=true&resourceVersion=0&timeoutSeconds=1`);
    const w = new LineReader(r);
    const events: any[] = [];
    for (let e = await w.next(); e; e = await w.next()) events.push(e);
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ["ADDED mine"]);
  });

  test("a malformed watch request is refused before streaming", async () => {
    const r = await api.call("GET", "/apis/apps/v1/daemonsets?watch=1&labelSelector=a%20in%20(b");
    assert.equal(r.status, 400);
    assert.equal((await r.json() as any).reason, "BadRequest");
    const rv = await api.call("GET", "/apis/apps/v1/daemonsets?watch=1&resourceVersion=abc");
    assert.equal(rv.status, 400);
  });
});
