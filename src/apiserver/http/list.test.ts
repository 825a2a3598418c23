import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import type { Client } from "../../client/client.js";
import { pod, R, startHarness, type Harness } from "../registry/testing/fixtures.js";
import type { SharedLister } from "./context.js";
import type { ApiHandlerOptions } from "./server.js";
import { tableOf } from "./table.js";
import { serveApi, type TestServer } from "./testing/serve.js";

const tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const now = new Date("2030-01-02T03:04:05Z");

interface Fixture {
  h: Harness;
  server: TestServer;
  /** Namespaces of the lists served through listShared. */
  sharedCalls: (string | undefined)[];
  get(path: string, accept?: string): Promise<Response>;
}

/** 300 pods (about 1.2 MB of JSON) served with listShared; `handler` adds options (authorize). */
async function start(t: { after: (fn: () => Promise<void>) => void }, handler: Partial<ApiHandlerOptions> = {}): Promise<Fixture> {
  const h = await startHarness();
  const note = "x".repeat(3000);
  for (let i = 0; i < 300; i++) {
    const p = pod(`p-${String(i).padStart(3, "0")}`, { labels: { app: i % 2 === 0 ? "even" : "odd" }, nodeName: `n${i % 7}` });
    (p.metadata as Record<string, unknown>).annotations = { note };
    await h.registry.create(R.pods, i < 200 ? "default" : "other", p);
  }
  const sharedCalls: (string | undefined)[] = [];
  const listShared: SharedLister = (resource, namespace, options) => {
    sharedCalls.push(namespace);
    return h.registry.listShared(resource, namespace, options);
  };
  const server = await serveApi({ client: h.registry, now: () => now, listShared, ...handler });
  t.after(async () => {
    await server.close();
    await h.close();
  });
  return { h, server, sharedCalls, get: (path, accept) => fetch(`${server.url}${path}`, accept === undefined ? {} : { headers: { accept } }) };
}

describe("list GETs", () => {
  test("a large list and its Table stream in chunks, the same bytes as the whole document", async (t) => {
    const f = await start(t);
    const list = await f.h.registry.list(R.pods, undefined);
    const json = await f.get("/api/v1/pods");
    assert.equal(json.status, 200);
    assert.equal(json.headers.get("content-type"), "application/json");
    assert.equal(json.headers.get("content-length"), null, "sent chunked");
    assert.equal(await json.text(), `${JSON.stringify(list)}\n`);
    const meta = { resourceVersion: list.metadata.resourceVersion, continue: undefined };
    const table = await f.get("/api/v1/pods", tableAccept);
    assert.equal(table.headers.get("content-length"), null, "sent chunked");
    assert.equal(await table.text(), `${JSON.stringify(tableOf(R.pods, list.items, { version: "v1", includeObject: "Metadata", now }, meta))}\n`);
    const beta = await (await f.get("/api/v1/namespaces/other/pods?includeObject=Object", "application/json;as=Table;v=v1beta1;g=meta.k8s.io")).text();
    const other = await f.h.registry.list(R.pods, "other");
    assert.equal(beta, `${JSON.stringify(tableOf(R.pods, other.items, { version: "v1beta1", includeObject: "Object", now }, meta))}\n`);
    assert.deepEqual(f.sharedCalls, [undefined, undefined, "other"]);
    const again = await f.h.registry.list(R.pods, undefined);
    assert.deepEqual(again, list, "serving left the stored objects as they were");
  });

  test("pages, selectors and small answers (with Content-Length) as before", async (t) => {
    const f = await start(t);
    const seen: string[] = [];
    let token = "";
    let rv = "";
    do {
      const res = await f.get(`/api/v1/pods?limit=40&labelSelector=app%3Deven${token ? `&continue=${encodeURIComponent(token)}` : ""}`, tableAccept);
      const page = await res.json() as { metadata: { continue?: string; resourceVersion: string }; rows: { cells: string[] }[] };
      seen.push(...page.rows.map((r) => r.cells[0] ?? ""));
      rv ||= page.metadata.resourceVersion;
      assert.equal(page.metadata.resourceVersion, rv, "every page at the first page's revision");
      token = page.metadata.continue ?? "";
    } while (token);
    assert.equal(seen.length, 150);
    assert.deepEqual(seen.slice(0, 3), ["p-000", "p-002", "p-004"]);
    const small = await f.get("/api/v1/namespaces/default/pods?fieldSelector=spec.nodeName%3Dn3&limit=2");
    assert.ok(Number(small.headers.get("content-length")) > 0, "a one-chunk answer carries its length");
    const body = await small.json() as { items: unknown[]; metadata: { continue?: string } };
    assert.equal(body.items.length, 2);
    assert.ok(body.metadata.continue);
    const expired = await f.get("/api/v1/pods?continue=bm90LWpzb24");
    assert.equal(expired.status, 400);
  });

  test("pretty and YAML answers are whole documents", async (t) => {
    const f = await start(t);
    const pretty = await (await f.get("/api/v1/namespaces/other/pods?pretty=true&limit=3")).text();
    assert.match(pretty, /^\{\n {2}"apiVersion": "v1",/);
    assert.equal((JSON.parse(pretty) as { items: unknown[] }).items.length, 3);
    const yaml = await f.get("/api/v1/namespaces/other/pods?limit=3", "application/yaml");
    assert.equal(yaml.headers.get("content-type"), "application/yaml");
    assert.equal((parseYaml(await yaml.text()) as { items: unknown[] }).items.length, 3);
  });

  test("a request the authorizer hands a wrapped client is listed through that client", async (t) => {
    let wrapped = 0;
    const f = await start(t, {
      authorize: (_attrs, client) => {
        wrapped++;
        const inner = client;
        const wrapper: Client = Object.create(inner) as Client;
        wrapper.list = (resource, namespace, options) => inner.list(resource, namespace, options);
        return Promise.resolve(wrapper);
      },
    });
    const body = await (await f.get("/api/v1/namespaces/default/pods", tableAccept)).json() as { rows: unknown[] };
    assert.equal(body.rows.length, 200);
    assert.equal(wrapped, 1);
    assert.deepEqual(f.sharedCalls, [], "listShared is only for the unwrapped client");
  });
});
