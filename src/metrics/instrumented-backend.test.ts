import { test } from "node:test";
import assert from "node:assert/strict";
import { InstrumentedBackend, keyResource } from "./instrumented-backend.js";
import { MemoryBackend } from "../storage/memory-backend.js";

void test("keyResource takes the fourth segment of a storage key, as splitting it on slashes does", () => {
  const keys = [
    "/registry/coordination.k8s.io/leases/kube-node-lease/node-1", "/registry/apps/deployments/ns/x", "/registry//pods/ns/x",
    "/registry/core/pods", "/registry/core/pods/", "/registry/core", "/registry", "", "//", "///", "////x", "a/b/c/d/e", "/a/b/c",
  ];
  for (const key of keys) assert.equal(keyResource(key), key.split("/")[3] ?? "", JSON.stringify(key));
});

void test("InstrumentedBackend reports each write with its resource once it settled, failed or not", async () => {
  const seen: [string, string][] = [];
  const backend = new InstrumentedBackend(new MemoryBackend(), (operation, type, seconds) => {
    assert.ok(seconds >= 0);
    seen.push([operation, type]);
  });
  const created = await backend.create("/registry/g/things/ns/a", "1");
  await assert.rejects(backend.update("/registry/g/things/ns/a", "2", created.revision + 5));
  await backend.get("/registry/g/others/ns/b");
  assert.deepEqual(seen, [["create", "things"], ["update", "things"], ["get", "others"]]);
  await backend.close();
});
