import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { findResource, type ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { ensureNamespaces, Registry } from "../registry/index.js";
import { serveApi } from "./testing/serve.js";

const pods = findResource("", "pods") as ResourceInfo;

interface Stats { started: boolean; pulled: number; abortedAt: number | undefined }

/** Counts, on the server side, the watch events the HTTP layer pulls from the registry, and notes when it gives up. */
function countingClient(registry: Registry, stats: Stats): Client {
  const watch = (...args: Parameters<Client["watch"]>): AsyncIterable<unknown> => {
    stats.started = true;
    const signal = args[3];
    signal.addEventListener("abort", () => { stats.abortedAt ??= Date.now(); }, { once: true });
    const inner = registry.watch(...args);
    return {
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) {
          stats.pulled++;
          yield event;
        }
      },
    };
  };
  return new Proxy(registry, {
    get(target, prop) {
      if (prop === "watch") return watch;
      const value: unknown = Reflect.get(target, prop);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as unknown as Client;
}

describe("a watch client that never reads", () => {
  test("is disconnected after the stall timeout, and the server only ever holds what the socket took plus one event", async (t) => {
    const backend = new MemoryBackend();
    const registry = new Registry({ backend, watchBufferSize: 100 });
    const abort = new AbortController();
    await registry.start(abort.signal);
    await ensureNamespaces(registry);
    const stats: Stats = { started: false, pulled: 0, abortedAt: undefined };
    const server = await serveApi({ client: countingClient(registry, stats), watchStallTimeoutMs: 800 });
    t.after(async () => {
      await server.close();
      abort.abort();
      registry.close();
      await backend.close();
    });
    const created = await registry.create<KubeObject>(pods, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "big" }, spec: { containers: [{ name: "c", image: "nginx" }] } });

    // The client asks for a watch and then never reads (a socket with no 'data' listener stays paused).
    const url = new URL(server.url);
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(`GET /api/v1/namespaces/default/pods?watch=1&resourceVersion=${created.metadata?.resourceVersion ?? "0"} HTTP/1.1\r\nHost: x\r\n\r\n`);

    while (!stats.started) await new Promise((r) => setTimeout(r, 10));

    // The writer keeps producing ~16 KiB events (up to 64 MiB in all, far more than the socket buffers between the
    // two ends hold) until the server gives up; it yields to the event loop after each one, as separate clients would.
    const cap = 4000;
    const payload = "x".repeat(16 * 1024);
    let written = 0;
    for (; written < cap && stats.abortedAt === undefined; written++) {
      await registry.patch(pods, "default", "big", "merge", { metadata: { annotations: { data: `${written}-${payload}` } } });
      await new Promise((r) => setImmediate(r));
    }
    assert.notEqual(stats.abortedAt, undefined, `the server never gave up on the stalled watch (pulled ${stats.pulled} events)`);
    assert.ok(written > stats.pulled, "the server stopped pulling events while they kept coming");

    // What the client can still read is what the buffers held; then the stream ends (the server closed it).
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    await new Promise<void>((resolve) => { socket.once("close", () => resolve()); socket.resume(); });
    const delivered = Buffer.concat(chunks).toString().split("\n").filter((line) => line.startsWith('{"type":"MODIFIED"') && line.endsWith("}")).length;
    // Writes wait for the socket to drain: everything pulled reached the socket, but for the one write in progress.
    assert.ok(delivered > 0);
    assert.ok(stats.pulled <= delivered + 1, `the server pulled ${stats.pulled} events but only ${delivered} reached the socket`);
    const pulledAtClose = stats.pulled;
    // Nothing more is pulled for a closed watch.
    await registry.patch(pods, "default", "big", "merge", { metadata: { annotations: { data: "after" } } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(stats.pulled, pulledAtClose);
  });
});
