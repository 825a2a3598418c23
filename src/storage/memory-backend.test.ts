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
