import { test } from "node:test";
import assert from "node:assert/strict";
import { backendConformance } from "./conformance.js";
import { MemoryBackend } from "./memory-backend.js";

backendConformance("MemoryBackend", async () => ({ backend: new MemoryBackend(), cleanup: async () => undefined }));

backendConformance("MemoryBackend with a tiny watch backlog", async () => ({
  backend: new MemoryBackend({ backlogLimit: 2, catchUpBatch: 3 }),
  cleanup: async () => undefined,
}));

void test("MemoryBackend: results are copies and watch events are frozen", async () => {
  const backend = new MemoryBackend();
  const created = await backend.create("/a", "1");
  created.kv.value = "changed";
  const read = await backend.get("/a");
  assert.equal(read.kv?.value, "1");
  read.kv!.value = "changed";
  assert.equal((await backend.list("/")).kvs[0]?.value, "1");
  const controller = new AbortController();
  for await (const batch of backend.watch("/", 0, controller.signal)) {
    assert.throws(() => { (batch[0]!.kv as { value: string }).value = "x"; }, TypeError);
    break;
  }
  await backend.close();
});

void test("MemoryBackend: single-event commits reach exactly the live watchers whose prefix they match", async () => {
  const backend = new MemoryBackend();
  await backend.create("/a/0", "0");
  const controller = new AbortController();
  const prefixes = ["/a/", "/b/", "/", "/a/x", "/c/"];
  const seen = prefixes.map(() => [] as string[]);
  const readers = prefixes.map(async (prefix, i) => {
    for await (const batch of backend.watch(prefix, 1, controller.signal)) {
      for (const e of batch) seen[i]!.push(e.kv.key);
      if (seen[i]!.includes("/end")) break;
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (const key of ["/a/x1", "/b/y", "/a/z", "/d/w"]) {
    await backend.create(key, "v");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await backend.create("/end", "v");
  await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  await Promise.all(readers);
  assert.deepEqual(seen, [["/a/x1", "/a/z"], ["/b/y"], ["/a/x1", "/b/y", "/a/z", "/d/w", "/end"], ["/a/x1"], []]);
  await backend.close();
});
