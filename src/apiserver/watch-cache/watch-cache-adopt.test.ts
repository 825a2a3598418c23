import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../api/types.js";
import type { KeyValue } from "../../storage/backend.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { WatchCache } from "./watch-cache.js";

const prefix = "/registry/core/pods/";

function decode(kv: KeyValue): KubeObject {
  const object = JSON.parse(kv.value) as KubeObject;
  object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  return object;
}

test("an object offered for the value about to be stored is kept instead of a decoded one; other values are decoded", async (t) => {
  const backend = new MemoryBackend();
  const stop = new AbortController();
  t.after(async () => { stop.abort(); await backend.close(); });
  const cache = new WatchCache({ backend, prefix, decode });
  await cache.start(stop.signal);
  const key = `${prefix}a/p`;
  const object: KubeObject = { metadata: { name: "p" }, spec: { nodeName: "n1" } };
  const value = JSON.stringify(object);
  cache.expect(key, value, object);
  const created = await backend.create(key, value);
  await cache.waitUntilFresh(created.revision);
  assert.equal(cache.get(key), object, "the offered object itself");
  assert.deepEqual(object, decode(created.kv));
  assert.equal(cache.storedValueOf(object), value);

  // An offer whose value is not what gets stored is not taken (the value is decoded), and stays for its own write.
  const offered: KubeObject = { metadata: { name: "p" }, spec: { nodeName: "n2" } };
  cache.expect(key, JSON.stringify(offered), offered);
  const other = await backend.update(key, JSON.stringify({ metadata: { name: "p" }, spec: { nodeName: "n3" } }), created.revision);
  await cache.waitUntilFresh(other.revision);
  assert.notEqual(cache.get(key), offered);
  assert.deepEqual(cache.get(key), decode(other.kv));
  const taken = await backend.update(key, JSON.stringify(offered), other.revision);
  await cache.waitUntilFresh(taken.revision);
  assert.equal(cache.get(key), offered);
  assert.equal(offered.metadata?.resourceVersion, String(taken.revision));

  // A withdrawn offer (its write failed) is never taken.
  const withdrawn: KubeObject = { metadata: { name: "p" }, spec: { nodeName: "n4" } };
  cache.expect(key, JSON.stringify(withdrawn), withdrawn);
  cache.unexpect(key, withdrawn);
  const later = await backend.update(key, JSON.stringify(withdrawn), taken.revision);
  await cache.waitUntilFresh(later.revision);
  assert.notEqual(cache.get(key), withdrawn);
  assert.deepEqual(cache.get(key), decode(later.kv));
});
