import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { startEtcdCluster, type EtcdCluster } from "../storage/testing/etcd-cluster.js";
import { eventually, kubectlStream, startTestCluster, until, type TestCluster } from "./harness.js";

const names = async (c: TestCluster): Promise<string[]> =>
  (await c.kubectlOk(["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])).trim().split(" ");

/** etcd failures as kubectl sees them through an API server on etcd. */
describe("API server on etcd: store outages", () => {
  const started: { etcd?: EtcdCluster; server?: TestCluster }[] = [];
  after(async () => {
    for (const s of started) {
      await s.server?.stop().catch(() => undefined);
      await s.etcd?.stop();
    }
  });

  test("etcd down: 5xx saying the store is unavailable, watches end, and it recovers with every acknowledged write", async () => {
    const etcd = await startEtcdCluster();
    const server = await startTestCluster({ storage: { kind: "etcd", endpoints: etcd.endpoints }, controllers: false });
    started.push({ etcd, server });
    for (let i = 0; i < 5; i++) await server.kubectlOk(["create", "namespace", `before-${i}`]);
    const watch = kubectlStream(server, ["get", "namespaces", "-w", "-o", "name"]);
    try {
      await watch.waitFor(/namespace\/before-4/);
      const member = etcd.members[0]!;
      await member.kill();

      const write = await server.kubectl(["create", "namespace", "during"]);
      assert.notEqual(write.code, 0);
      assert.match(write.stderr, /storage is unavailable|the storage is not available/);
      const read = await server.kubectl(["get", "namespaces"]);
      assert.notEqual(read.code, 0);
      assert.match(read.stderr, /storage is unavailable|the storage is not available/);
      await until(() => watch.exited(), "the watch to end while etcd is down", 20_000);

      await member.restart();
      await eventually(() => server.kubectlOk(["create", "namespace", "after"]), 30_000);
      const all = await names(server);
      for (const n of ["before-0", "before-1", "before-2", "before-3", "before-4", "after"]) assert.ok(all.includes(n), `${n} in ${all.join(",")}`);
    } finally {
      await watch.stop();
    }
  });

  test("one of three etcd members killed: writes and watches continue", async () => {
    const etcd = await startEtcdCluster({ members: 3 });
    const server = await startTestCluster({ storage: { kind: "etcd", endpoints: etcd.endpoints }, controllers: false });
    started.push({ etcd, server });
    await server.kubectlOk(["create", "namespace", "first"]);
    await etcd.members[1]!.kill();
    for (let i = 0; i < 5; i++) await eventually(() => server.kubectlOk(["create", "namespace", `while-down-${i}`]), 15_000);
    const all = await names(server);
    for (const n of ["first", "while-down-0", "while-down-4"]) assert.ok(all.includes(n), `${n} in ${all.join(",")}`);
    const watch = kubectlStream(server, ["get", "namespaces", "-w", "-o", "name"]);
    try {
      await watch.waitFor(/namespace\/while-down-4/);
      await server.kubectlOk(["create", "namespace", "watched"]);
      await watch.waitFor(/namespace\/watched/);
    } finally {
      await watch.stop();
    }
  });
});
