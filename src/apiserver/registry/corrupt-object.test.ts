import assert from "node:assert/strict";
import { test } from "node:test";
import { storageKey } from "../../api/resources.js";
import { CorruptObjectError } from "../watch-cache/watch-cache.js";
import { R, pod, rejects, startHarness } from "./testing/fixtures.js";

test("an undecodable stored object is an error everywhere, never silently absent", async (t) => {
  const faults: unknown[] = [];
  const h = await startHarness({ onError: (error) => faults.push(error) });
  const abort = new AbortController();
  t.after(async () => {
    abort.abort();
    await h.close();
  });
  await h.registry.create(R.pods, "default", pod("good"));
  await h.registry.create(R.pods, "default", pod("bad"));
  await h.registry.create(R.pods, "other", pod("elsewhere"));
  const watch = h.registry.watch(R.pods, "default", { resourceVersion: "0" }, abort.signal)[Symbol.asyncIterator]();
  assert.equal((await watch.next()).value?.type, "ADDED");
  assert.equal((await watch.next()).value?.type, "ADDED");

  // The stored value of default/bad is damaged behind the API's back.
  const key = storageKey(R.pods, "default", "bad");
  const { kv } = await h.backend.get(key);
  assert.ok(kv);
  await h.backend.update(key, "{\"metadata\": {\"name\": \"bad\"", kv.modRevision);

  // The open watch ends with an ERROR event naming the key.
  const failed = await watch.next();
  assert.equal(failed.value?.type, "ERROR");
  const status = failed.value?.object as { code: number; reason: string; message: string };
  assert.equal(status.code, 500);
  assert.equal(status.reason, "InternalError");
  assert.match(status.message, new RegExp(`^Internal error occurred: StorageError: corrupt object, Code: 7, Key: ${key}, ResourceVersion: \\d+, AdditionalErrorMsg: `));
  assert.equal((await watch.next()).done, true);

  // GET of it is a 500 naming the key and the decode error; a list over it fails the same way.
  const got = await rejects(h.registry.get(R.pods, "default", "bad"), 500);
  assert.match(got.message, new RegExp(`corrupt object, Code: 7, Key: ${key}, .*AdditionalErrorMsg: .*JSON`));
  await rejects(h.registry.list(R.pods, "default"), 500);
  await rejects(h.registry.list(R.pods, undefined), 500);
  await rejects(h.registry.list(R.pods, "default", { resourceVersion: "1", resourceVersionMatch: "NotOlderThan", limit: 10 }), 500);
  // Other objects and other namespaces are served as before.
  assert.equal((await h.registry.get(R.pods, "default", "good")).metadata?.name, "good");
  assert.equal((await h.registry.list(R.pods, "other")).items.length, 1);
  // The fault was reported once, naming the key.
  assert.equal(faults.length, 1);
  assert.ok(faults[0] instanceof CorruptObjectError);
  assert.equal(faults[0].corrupt.key, key);

  // Once the damaged value is replaced, the object is readable again.
  const damaged = (await h.backend.get(key)).kv;
  assert.ok(damaged);
  await h.backend.delete(key, damaged.modRevision);
  await h.registry.create(R.pods, "default", pod("after"));
  await rejects(h.registry.get(R.pods, "default", "bad"), 404);
  assert.deepEqual((await h.registry.list(R.pods, "default")).items.map((p) => p.metadata?.name), ["after", "good"]);
});
