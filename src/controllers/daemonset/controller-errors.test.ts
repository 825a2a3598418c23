import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { internalError } from "../../api/status-error.js";
import type { ControllerRevision, DaemonSet } from "../../api/types.js";
import type { Client } from "../../client/client.js";
import { computeTemplateHash } from "./history-hash.js";
import { R, startCluster } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

/** A client whose first `failures` pod creations fail; counts create attempts. */
function failingPodCreates(failures: number, attempts: { n: number }): (c: Client) => Client {
  return (inner) => ({
    ...inner,
    create: async (resource, namespace, object, options) => {
      if (resource.resource === "pods") {
        attempts.n++;
        if (attempts.n <= failures) throw internalError("injected failure");
      }
      return inner.create(resource, namespace, object, options);
    },
  }) as Client;
}

describe("DaemonSet controller: failures", () => {
  test("slow start stops after a failed batch; FailedCreate is recorded; creation is retried", async () => {
    const attempts = { n: 0 };
    const c = await startCluster({ wrapClient: failingPodCreates(1, attempts) });
    try {
      for (let i = 0; i < 8; i++) await c.createNode(`n${i}`);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("8 available", async () => (await c.getDaemonSet()).status?.numberAvailable === 8, { kubelet: true });
      assert.equal(attempts.n, 9, "the failed first batch (1 pod) stopped the series; 8 successful creates followed");
      const failed = await c.events("FailedCreate");
      assert.equal(failed.length, 1);
      assert.equal(failed[0]?.type, "Warning");
      assert.match(failed[0]?.message ?? "", /^Error creating: Internal error occurred: injected failure/);
      assert.equal((await c.pods()).length, 8);
    } finally {
      await c.stop();
    }
  });

  test("a revision name taken by other data bumps collisionCount and uses the next hash", async () => {
    const c = await startCluster();
    try {
      await c.createNode("n1");
      const defaulted = await c.client.create<DaemonSet>(R.daemonSets, "default", makeDaemonSet(), { dryRun: true });
      const taken = computeTemplateHash(defaulted.spec?.template);
      const squatter: ControllerRevision = { apiVersion: "apps/v1", kind: "ControllerRevision", metadata: { name: `ds-${taken}`, labels: { unrelated: "x" } }, data: { other: true } as ControllerRevision["data"], revision: 1 };
      await c.client.create(R.revisions, "default", squatter);
      await c.createDaemonSet(makeDaemonSet());
      await c.waitFor("available", async () => (await c.getDaemonSet()).status?.numberAvailable === 1, { kubelet: true });
      const ds = await c.getDaemonSet();
      assert.equal(ds.status?.collisionCount, 1);
      const expected = computeTemplateHash(ds.spec?.template, 1);
      const owned = (await c.revisions()).filter((r) => r.metadata?.ownerReferences?.[0]?.uid === ds.metadata?.uid);
      assert.deepEqual(owned.map((r) => r.metadata?.name), [`ds-${expected}`]);
      assert.equal((await c.pods())[0]?.metadata?.labels?.["controller-revision-hash"], expected);
    } finally {
      await c.stop();
    }
  });
});
