import assert from "node:assert/strict";
import { test } from "node:test";
import { ServerMetrics } from "../../metrics/server-metrics.js";
import { daemonSet, startTestApi } from "./testing/api-fixture.js";
import type { HealthChecks } from "./health.js";
import { pingCheck } from "./health.js";

const admin = { name: "admin", groups: ["system:masters"] };
const node = { name: "system:node:n1", groups: ["system:nodes"] };
const users: Record<string, { name: string; groups: string[] }> = { admin, node };

test("/metrics: admin only (401 without a token, 403 for others, upstream wording), Prometheus text with request counts", async () => {
  const metrics = new ServerMetrics();
  const api = await startTestApi({ handler: { metrics, authenticate: (t) => (t === undefined ? undefined : users[t]) } });
  try {
    assert.equal((await api.call("GET", "/metrics")).status, 401);
    const denied = await api.call("GET", "/metrics", undefined, { authorization: "Bearer node" });
    assert.equal(denied.status, 403);
    const status = (await denied.json()) as { reason: string; message: string };
    assert.equal(status.reason, "Forbidden");
    assert.equal(status.message, 'forbidden: User "system:node:n1" cannot get path "/metrics"');

    const auth = { authorization: "Bearer admin" };
    assert.equal((await api.call("POST", "/apis/apps/v1/namespaces/default/daemonsets", daemonSet("a"), auth)).status, 201);
    assert.equal((await api.call("GET", "/apis/apps/v1/namespaces/default/daemonsets", undefined, auth)).status, 200);
    assert.equal((await api.call("GET", "/apis/apps/v1/namespaces/default/daemonsets/missing", undefined, auth)).status, 404);
    assert.equal((await api.call("POST", "/apis/apps/v1/namespaces/default/daemonsets?dryRun=All", daemonSet("b"), auth)).status, 201);
    const res = await api.call("GET", "/metrics", undefined, auth);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^apiserver_request_total\{verb="POST",dry_run="",group="apps",version="v1",resource="daemonsets",subresource="",scope="resource",component="apiserver",code="201"\} 1$/m);
    assert.match(text, /^apiserver_request_total\{verb="LIST",dry_run="",group="apps",version="v1",resource="daemonsets",subresource="",scope="namespace",component="apiserver",code="200"\} 1$/m);
    assert.match(text, /^apiserver_request_total\{verb="GET",dry_run="",group="apps",version="v1",resource="daemonsets",subresource="",scope="resource",component="apiserver",code="404"\} 1$/m);
    assert.match(text, /^apiserver_request_duration_seconds_count\{verb="LIST",dry_run="",group="apps",version="v1",resource="daemonsets",subresource="",scope="namespace",component="apiserver"\} 1$/m);
    assert.match(text, /^apiserver_request_total\{verb="POST",dry_run="All",group="apps",version="v1",resource="daemonsets",subresource="",scope="resource",component="apiserver",code="201"\} 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
  } finally {
    await api.close();
  }
});

test("watches count as long-running requests while they last", async () => {
  const metrics = new ServerMetrics();
  const api = await startTestApi({ handler: { metrics } });
  const abort = new AbortController();
  try {
    const watch = await fetch(`${api.url}/api/v1/namespaces/default/pods?watch=1`, { signal: abort.signal });
    assert.equal(watch.status, 200);
    const line = /^apiserver_longrunning_requests\{verb="WATCH",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver"\} (\d+)$/m;
    assert.equal(line.exec(await metrics.text())?.[1], "1");
    abort.abort();
    await watch.body?.cancel().catch(() => undefined);
    for (let i = 0; i < 100 && line.exec(await metrics.text())?.[1] !== "0"; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(line.exec(await metrics.text())?.[1], "0");
  } finally {
    abort.abort();
    await api.close();
  }
});

test("/livez and /readyz list named checks with ?verbose, fail with 500, run one check by path, honour ?exclude", async () => {
  let etcdDown = false;
  const health: HealthChecks = {
    livez: [pingCheck, { name: "etcd", check: () => (etcdDown ? "store unreachable" : undefined) }],
    readyz: [pingCheck, { name: "etcd", check: () => (etcdDown ? "store unreachable" : undefined) }, { name: "shutdown", check: () => undefined }],
  };
  const api = await startTestApi({ handler: { health, authenticate: () => undefined } });
  try {
    const ok = await api.call("GET", "/readyz");
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), "ok");
    assert.equal(await (await api.call("GET", "/readyz?verbose")).text(), "[+]ping ok\n[+]etcd ok\n[+]shutdown ok\nreadyz check passed\n");
    assert.equal(await (await api.call("GET", "/livez?verbose=false")).text(), "[+]ping ok\n[+]etcd ok\nlivez check passed\n", "the parameter's presence counts, as upstream");
    assert.equal(await (await api.call("GET", "/livez/etcd")).text(), "ok");
    assert.equal((await api.call("GET", "/livez/nothing")).status, 404);
    etcdDown = true;
    const failed = await api.call("GET", "/livez");
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), "[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n");
    const one = await api.call("GET", "/livez/etcd");
    assert.equal(one.status, 500);
    assert.equal(await one.text(), "internal server error: store unreachable\n");
    const excluded = await api.call("GET", "/readyz?verbose&exclude=etcd");
    assert.equal(excluded.status, 200);
    assert.equal(await excluded.text(), "[+]ping ok\n[+]etcd excluded: ok\n[+]shutdown ok\nreadyz check passed\n");
  } finally {
    await api.close();
  }
});
