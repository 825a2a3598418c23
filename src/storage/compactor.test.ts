import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../util/clock.js";
import { CompactedError } from "./backend.js";
import { runCompactor } from "./compactor.js";
import { MemoryBackend } from "./memory-backend.js";

const turns = async (n = 20): Promise<void> => { for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r)); };

test("compacts to the revision one interval old, keeping the latest interval of history", async () => {
  const backend = new MemoryBackend();
  const clock = new FakeClock();
  const abort = new AbortController();
  const running = runCompactor(backend, { intervalMs: 1000, clock }, abort.signal);
  try {
    const first = await backend.create("/a", "1");
    const other = await backend.create("/b", "1");
    clock.advance(1000);
    await turns();
    assert.equal(await backend.compactedRevision(), 0, "the first round only records the revision");
    const second = await backend.update("/a", "2", first.revision);
    clock.advance(1000);
    await turns();
    assert.equal(await backend.compactedRevision(), other.revision);
    await assert.rejects(backend.get("/a", first.revision), CompactedError);
    assert.equal((await backend.get("/a", second.revision)).kv?.value, "2");
    clock.advance(1000);
    await turns();
    assert.equal(await backend.compactedRevision(), second.revision);
    assert.equal((await backend.get("/a")).kv?.value, "2");
  } finally {
    abort.abort();
    await running;
    await backend.close();
  }
});
