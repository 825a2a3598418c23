import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { R, pod, startHarness } from "./testing/fixtures.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

test("a watch with bookmarks keeps none of the events it delivered until its next bookmark", async (t) => {
  // A history of 10 events and an hour between bookmarks: what the watch delivered is garbage at once.
  const h = await startHarness({ watchBufferSize: 10, bookmarkIntervalMs: 3_600_000 });
  const abort = new AbortController();
  t.after(async () => {
    abort.abort();
    await h.close();
  });
  await h.registry.create(R.pods, "default", pod("big"));
  const iterator = h.registry.watch(R.pods, "default", { resourceVersion: "0", allowWatchBookmarks: true }, abort.signal)[Symbol.asyncIterator]();
  assert.equal((await iterator.next()).value?.type, "ADDED");

  // The backend's history would hold every write: compacted away before each measurement.
  await h.backend.compact(await h.backend.currentRevision());
  const before = await heapAfterGc();
  const writes = 1500;
  const payload = "x".repeat(20_000);
  for (let i = 0; i < writes; i++) {
    await h.registry.patch(R.pods, "default", "big", "merge", { metadata: { annotations: { data: `${i}-${payload}` } } });
    const step = await iterator.next();
    assert.equal(step.value?.type, "MODIFIED");
  }
  await h.backend.compact(await h.backend.currentRevision());
  const growth = (await heapAfterGc()) - before;
  // Kept alive, the 1,500 delivered events would hold some 30 MB of annotations.
  assert.ok(growth < 5_000_000, `the heap grew by ${(growth / 1e6).toFixed(1)} MB over ${writes} delivered events`);
});
