import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, test } from "node:test";
import { notFound, expired } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { WatchEvent, WriteOptions } from "../../client/client.js";
import { serveApi } from "./testing/serve.js";
import { stubClient } from "./testing/stub-client.js";

const dsRef = { group: "apps", resource: "daemonsets", kind: "DaemonSet" };

async function waitUntil(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("handler plumbing (scripted client)", () => {
  test("unexpected errors become a 500 Status, logged once; StatusErrors pass through", async () => {
    const logs: string[] = [];
    const srv = await serveApi({
      client: stubClient({
        get: async (_r, _ns, name) => {
          if (name === "boom") throw new Error("boom");
          throw notFound(dsRef, name);
        },
      }),
      log: (m) => logs.push(m),
    });
    try {
      const r = await fetch(`${srv.url}/apis/apps/v1/namespaces/default/daemonsets/boom`);
      assert.equal(r.status, 500);
      assert.deepEqual(await r.json(), {
        kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Internal error occurred: boom",
        reason: "InternalError", details: { causes: [{ message: "boom" }] }, code: 500,
      });
      assert.equal(logs.length, 1);
      assert.match(logs[0] ?? "", /boom/);
      const nf = await fetch(`${srv.url}/apis/apps/v1/namespaces/default/daemonsets/x`);
      assert.equal(nf.status, 404);
      assert.equal(nf.headers.get("content-type"), "application/json");
      assert.deepEqual(await nf.json(), {
        kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'daemonsets.apps "x" not found',
        reason: "NotFound", details: { name: "x", group: "apps", kind: "daemonsets" }, code: 404,
      });
      assert.equal(logs.length, 1);
    } finally {
      await srv.close();
    }
  });

  test("a request past its ?timeout= deadline is answered 504", async () => {
    const srv = await serveApi({ client: stubClient({ get: () => new Promise(() => undefined) }) });
    try {
      const r = await fetch(`${srv.url}/api/v1/nodes/n1?timeout=50ms`);
      assert.equal(r.status, 504);
      const body = await r.json() as { reason: string };
      assert.equal(body.reason, "Timeout");
      const bad = await fetch(`${srv.url}/api/v1/nodes/n1?timeout=later`);
      assert.equal(bad.status, 400);
    } finally {
      await srv.close();
    }
  });

  test("warnings from the client become Warning headers", async () => {
    let seen: WriteOptions | undefined;
    const srv = await serveApi({
      client: stubClient({
        create: async <T,>(_r: unknown, _ns: unknown, obj: T, options?: WriteOptions) => {
          seen = options;
          options?.onWarning?.('unknown field "spec.x"');
          options?.onWarning?.('unknown field "spec.y"');
          return obj;
        },
      }),
    });
    try {
      const r = await fetch(`${srv.url}/api/v1/nodes`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ metadata: { name: "n1" }, spec: { x: 1 } }),
      });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get("warning"), '299 - "unknown field \\"spec.x\\"", 299 - "unknown field \\"spec.y\\""');
      assert.equal(seen?.fieldValidation, "Warn");
      const created = await r.json() as KubeObject;
      assert.equal(created.kind, "Node");
      assert.equal(created.apiVersion, "v1");
    } finally {
      await srv.close();
    }
  });

  test("delete answers 202 only for a pending deletion with orphanDependents=false", async () => {
    const pending = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", deletionTimestamp: "2030-01-01T00:00:00Z", finalizers: ["x"] } };
    const seen: unknown[] = [];
    const srv = await serveApi({ client: stubClient({ delete: async (_r, _ns, _n, options) => { seen.push(options); return pending; } }) });
    try {
      const orphanFalse = await fetch(`${srv.url}/api/v1/nodes/n1`, { method: "DELETE", headers: { "content-type": "application/json" }, body: JSON.stringify({ orphanDependents: false }) });
      assert.equal(orphanFalse.status, 202);
      const plain = await fetch(`${srv.url}/api/v1/nodes/n1?gracePeriodSeconds=5&propagationPolicy=Foreground&dryRun=All`, { method: "DELETE" });
      assert.equal(plain.status, 200);
      assert.deepEqual(seen, [{ orphanDependents: false }, { gracePeriodSeconds: 5, propagationPolicy: "Foreground", dryRun: ["All"] }]);
      const both = await fetch(`${srv.url}/api/v1/nodes/n1?orphanDependents=true&propagationPolicy=Orphan`, { method: "DELETE" });
      assert.equal(both.status, 422);
    } finally {
      await srv.close();
    }
  });

  test("YAML answers when only YAML is accepted; pretty JSON on request", async () => {
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" } };
    const srv = await serveApi({ client: stubClient({ get: async <T,>() => node as T }) });
    try {
      const y = await fetch(`${srv.url}/api/v1/nodes/n1`, { headers: { accept: "application/yaml" } });
      assert.equal(y.headers.get("content-type"), "application/yaml");
      assert.equal(await y.text(), "apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\n");
      const p = await fetch(`${srv.url}/api/v1/nodes/n1?pretty=true`, { headers: { accept: "application/vnd.kubernetes.protobuf, application/json" } });
      assert.equal(p.headers.get("content-type"), "application/json");
      assert.equal(await p.text(), `${JSON.stringify(node, null, 2)}\n`);
    } finally {
      await srv.close();
    }
  });

  test("authentication: 401 without a good token, health and version stay open", async () => {
    const tokens: (string | undefined)[] = [];
    const srv = await serveApi({
      client: stubClient({ list: async () => ({ apiVersion: "v1", kind: "NodeList", metadata: { resourceVersion: "1" }, items: [] }) }),
      authenticate: (t) => { tokens.push(t); return t === "secret"; },
    });
    try {
      const denied = await fetch(`${srv.url}/api/v1/nodes`, { headers: { authorization: "Bearer wrong" } });
      assert.equal(denied.status, 401);
      assert.deepEqual(await denied.json(), { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
      assert.equal((await fetch(`${srv.url}/api`)).status, 401);
      assert.equal((await fetch(`${srv.url}/api/v1/nodes`, { headers: { authorization: "Bearer secret" } })).status, 200);
      for (const p of ["/healthz", "/livez", "/readyz", "/version"]) assert.equal((await fetch(`${srv.url}${p}`)).status, 200, p);
      assert.deepEqual(tokens, ["wrong", undefined, "secret"]);
    } finally {
      await srv.close();
    }
  });

  test("a watch ends the client watch when the HTTP client disconnects", async () => {
    let signal: AbortSignal | undefined;
    const srv = await serveApi({
      client: stubClient({
        watch: (_r, _ns, _o, s) => {
          signal = s;
          return (async function* () {
            yield { type: "ADDED", object: { kind: "Node", apiVersion: "v1", metadata: { name: "n1", resourceVersion: "3" } } } as WatchEvent<never>;
            await new Promise((resolve) => s.addEventListener("abort", resolve));
          })();
        },
      }),
    });
    try {
      const ac = new AbortController();
      const r = await fetch(`${srv.url}/api/v1/nodes?watch=true`, { signal: ac.signal });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "application/json");
      assert.equal(r.headers.get("transfer-encoding"), "chunked");
      const reader = r.body!.getReader();
      const first = await reader.read();
      assert.deepEqual(JSON.parse(Buffer.from(first.value!).toString()), { type: "ADDED", object: { kind: "Node", apiVersion: "v1", metadata: { name: "n1", resourceVersion: "3" } } });
      assert.equal(signal?.aborted, false);
      ac.abort();
      await waitUntil(() => signal?.aborted === true, "the client watch to be aborted");
    } finally {
      await srv.close();
    }
  });

  test("a watch ends after an ERROR event, and a thrown StatusError becomes one", async () => {
    const srv = await serveApi({
      client: stubClient({
        watch: () => (async function* () {
          yield* [];
          throw expired("too old resource version: 1 (5)");
        })(),
      }),
    });
    try {
      const r = await fetch(`${srv.url}/api/v1/nodes?watch=1&resourceVersion=1`);
      const lines = (await r.text()).trim().split("\n").map((l) => JSON.parse(l) as { type: string; object: { code: number; reason: string } });
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.type, "ERROR");
      assert.equal(lines[0]?.object.code, 410);
      assert.equal(lines[0]?.object.reason, "Expired");
    } finally {
      await srv.close();
    }
  });

  test("a watch client that stops reading is disconnected instead of buffering without bound", async () => {
    let produced = 0;
    let signal: AbortSignal | undefined;
    const big = "x".repeat(256 * 1024);
    const srv = await serveApi({
      watchStallTimeoutMs: 200,
      client: stubClient({
        watch: (_r, _ns, _o, s) => {
          signal = s;
          return (async function* () {
            while (!s.aborted) {
              produced++;
              yield { type: "MODIFIED", object: { kind: "Node", apiVersion: "v1", metadata: { name: "n1", annotations: { big } } } } as WatchEvent<never>;
            }
          })();
        },
      }),
    });
    try {
      const req = request(`${srv.url}/api/v1/nodes?watch=1`, (res) => res.pause());
      req.on("error", () => undefined);
      req.end();
      await waitUntil(() => signal?.aborted === true, "the stalled watch to be dropped");
      req.destroy();
      assert.ok(produced < 200, `produced ${produced} events for a client that read nothing`);
    } finally {
      await srv.close();
    }
  });
});
