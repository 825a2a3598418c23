import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { backendConformance } from "./conformance.js";
import { EtcdBackend } from "./etcd-backend.js";
import { startEtcdCluster } from "./testing/etcd-cluster.js";

const cluster = await startEtcdCluster();
after(() => cluster.stop());

let opened = 0;

/** Each test gets its own key prefix on the one etcd of this file; its revisions start at etcd's current one. */
async function openOnSharedEtcd() {
  const prefix = `/conformance-${++opened}`;
  const connect = (): EtcdBackend => new EtcdBackend({ endpoints: cluster.endpoints, prefix });
  let backend = connect();
  return {
    backend,
    baseRevision: await backend.currentRevision(),
    reopen: async () => {
      await backend.close();
      backend = connect();
      return backend;
    },
    cleanup: async () => { await backend.close(); },
  };
}

backendConformance("EtcdBackend", openOnSharedEtcd);

void describe("EtcdBackend specifics", () => {
  void test("keys live under the prefix in etcd and another prefix does not see them", async () => {
    const a = new EtcdBackend({ endpoints: cluster.endpoints, prefix: "/tenant-a" });
    const b = new EtcdBackend({ endpoints: cluster.endpoints, prefix: "/tenant-b" });
    const whole = new EtcdBackend({ endpoints: cluster.endpoints });
    try {
      const created = await a.create("/registry/core/pods/default/p", "{}");
      assert.deepEqual((await b.list("/registry/")).kvs, []);
      assert.deepEqual((await whole.get("/tenant-a/registry/core/pods/default/p")).kv?.modRevision, created.revision);
      assert.equal(await b.currentRevision(), created.revision, "one revision for the whole etcd");
    } finally {
      await Promise.all([a.close(), b.close(), whole.close()]);
    }
  });

  void test("a list answer larger than gRPC's default 4 MiB limit is read", async () => {
    const backend = new EtcdBackend({ endpoints: cluster.endpoints, prefix: "/large" });
    try {
      const value = "x".repeat(1_200_000);
      for (let i = 0; i < 4; i++) await backend.create(`/k${i}`, value);
      const listed = await backend.list("/");
      assert.equal(listed.kvs.length, 4);
      assert.equal(listed.kvs.reduce((n, kv) => n + kv.value.length, 0), 4_800_000);
    } finally {
      await backend.close();
    }
  });
});
