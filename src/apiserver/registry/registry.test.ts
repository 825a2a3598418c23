import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { Registry } from "./registry.js";
import { R, pod, rejects, watch, type Harness } from "./testing/fixtures.js";

type Mutable = Record<string, any>;

describe("Registry lifecycle", () => {
  test("calls made before start wait for it; a second start is refused", async (t) => {
    const backend = new MemoryBackend();
    const registry = new Registry({ backend });
    const stop = new AbortController();
    t.after(async () => { stop.abort(); await backend.close(); });
    const early = registry.create(R.namespaces, undefined, { metadata: { name: "early" } });
    await registry.start(stop.signal);
    assert.equal((await early).metadata?.name, "early");
    await assert.rejects(registry.start(stop.signal));
  });

  test("a failed start answers 503 to waiting calls", async (t) => {
    const backend = new MemoryBackend();
    await backend.close();
    const registry = new Registry({ backend });
    const pending = registry.get(R.nodes, undefined, "n");
    await assert.rejects(registry.start(new AbortController().signal));
    await rejects(pending, 503);
    t.after(() => registry.close());
  });

  test("namespace finalization resumes after a restart", async (t) => {
    const backend = new MemoryBackend();
    t.after(() => backend.close());
    const first = new Registry({ backend });
    await first.start(new AbortController().signal);
    await first.create(R.namespaces, undefined, { metadata: { name: "team" } });
    await first.create(R.pods, "team", pod("held", { finalizers: ["example.com/hold"] }));
    await first.delete(R.namespaces, undefined, "team");
    // Finalization runs in the background: let it ask for the pod's deletion (held by its finalizer) before the
    // first registry goes away, so the second one finds a namespace half-way through finalization.
    for (let i = 0; i < 200 && !(await first.get<Mutable>(R.pods, "team", "held")).metadata.deletionTimestamp; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    first.close();

    const second = new Registry({ backend });
    const stop = new AbortController();
    t.after(() => stop.abort());
    await second.start(stop.signal);
    const h = { registry: second } as Harness;
    const start = (await second.list(R.namespaces, undefined)).metadata.resourceVersion;
    const w = watch(h, R.namespaces, undefined, { resourceVersion: start });
    t.after(() => w.close());
    const held: Mutable = await second.get(R.pods, "team", "held");
    assert.ok(held.metadata.deletionTimestamp, "the first registry already asked for the pod's deletion");
    held.metadata.finalizers = [];
    await second.update(R.pods, "team", held);
    const events = await w.take(2);
    assert.deepEqual(events.map((e) => e.type), ["MODIFIED", "DELETED"]);
    await rejects(second.get(R.namespaces, undefined, "team"), 404);
  });
});
