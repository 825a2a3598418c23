import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Client, WatchEvent } from "../../client/client.js";
import { serveApi } from "./testing/serve.js";
import { stubClient } from "./testing/stub-client.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe("an open watch", () => {
  test("keeps none of the events it has delivered", async (t) => {
    const total = 2000;
    const delivered: WeakRef<object>[] = [];
    let release: (() => void) | undefined;
    // A watch that yields `total` events, then stays open (waiting for a next event that never comes) until aborted.
    const client = stubClient({
      watch: ((_resource: unknown, _ns: unknown, _opts: unknown, signal: AbortSignal) => ({
        async *[Symbol.asyncIterator]() {
          for (let i = 0; i < total; i++) {
            const event: WatchEvent = { type: "MODIFIED", object: { apiVersion: "v1", kind: "Pod", metadata: { name: `p${i}`, resourceVersion: String(i + 1) } } };
            delivered.push(new WeakRef(event));
            delivered.push(new WeakRef(event.object));
            yield event;
          }
          await new Promise<void>((resolve) => { release = resolve; signal.addEventListener("abort", () => resolve(), { once: true }); });
        },
      })) as unknown as Client["watch"],
    });
    const server = await serveApi({ client });
    t.after(() => server.close());

    const url = new URL(server.url);
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    t.after(() => socket.destroy());
    let lines = 0;
    socket.on("data", (d: Buffer) => { for (const c of d) if (c === 10) lines++; });
    socket.write("GET /api/v1/namespaces/default/pods?watch=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    // The status line and headers end in CRLF (no bare LF), so every LF counted is the end of one event line.
    while (lines < total) await sleep(10);

    // The watch is still open; every event it delivered is garbage now.
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(0);
    }
    const alive = delivered.filter((ref) => ref.deref() !== undefined).length;
    assert.ok(alive <= 4, `${alive} of ${delivered.length} delivered events (and their objects) are still held by the open watch`);
    assert.ok(release !== undefined, "the watch was not waiting for its next event");
  });
});
