import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { waitForCacheSync, type SyncedCache } from "./cache-sync.js";

const cache = (synced: boolean): SyncedCache => ({ waitForSync: () => Promise.resolve(synced) });
const queue = (): { shutDown(): void; down: boolean } => {
  const q = { down: false, shutDown: () => { q.down = true; } };
  return q;
};

describe("waitForCacheSync", () => {
  test("true when every cache synced; the queue stays open", async () => {
    const q = queue();
    assert.equal(await waitForCacheSync([cache(true), cache(true)], new AbortController().signal, q), true);
    assert.equal(q.down, false);
  });

  test("false and the queue shut down when a cache did not sync", async () => {
    const q = queue();
    assert.equal(await waitForCacheSync([cache(true), cache(false)], new AbortController().signal, q), false);
    assert.equal(q.down, true);
  });

  test("false and the queue shut down when the signal aborted, even if the caches report synced", async () => {
    const q = queue();
    const abort = new AbortController();
    abort.abort();
    assert.equal(await waitForCacheSync([cache(true)], abort.signal, q), false);
    assert.equal(q.down, true);
  });
});
