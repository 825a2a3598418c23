import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreEvent } from "../../api/types.js";
import { ensureNamespaces, Registry } from "../../apiserver/registry/index.js";
import { createLoopbackClient } from "../../client/loopback.js";
import { MemoryBackend } from "../../storage/memory-backend.js";
import { EventRecorder, objectReference, rfc3339Seconds } from "./event-recorder.js";
import { R } from "./testing/cluster.js";
import { makeDaemonSet } from "./testing/fixtures.js";

describe("EventRecorder", () => {
  test("writes core/v1 events and aggregates identical repeats", async () => {
    const backend = new MemoryBackend();
    const registry = new Registry({ backend });
    const abort = new AbortController();
    await registry.start(abort.signal);
    try {
      const client = createLoopbackClient(registry);
      await ensureNamespaces(client);
      let now = Date.parse("2024-05-01T10:00:00Z");
      const rec = new EventRecorder({ client, component: "daemonset-controller", now: () => now });
      const ref = objectReference(makeDaemonSet({ uid: "u1" }), "apps/v1", "DaemonSet");
      rec.event(ref, "Warning", "FailedCreate", "Error creating: boom");
      now += 5000;
      rec.event(ref, "Warning", "FailedCreate", "Error creating: boom");
      rec.event(ref, "Normal", "SuccessfulCreate", "Created pod: ds-abc");
      await rec.flush();
      const events = (await client.list<CoreEvent>(R.events, "default")).items.sort((a, b) => (a.reason ?? "").localeCompare(b.reason ?? ""));
      assert.equal(events.length, 2);
      const failed = events[0]!;
      assert.equal(failed.reason, "FailedCreate");
      assert.equal(failed.count, 2);
      assert.equal(failed.type, "Warning");
      assert.equal(failed.firstTimestamp, "2024-05-01T10:00:00Z");
      assert.equal(failed.lastTimestamp, "2024-05-01T10:00:05Z");
      assert.deepEqual(failed.source, { component: "daemonset-controller" });
      assert.deepEqual({ ...failed.involvedObject }, { kind: "DaemonSet", apiVersion: "apps/v1", name: "ds", namespace: "default", uid: "u1" });
      assert.match(failed.metadata?.name ?? "", /^ds\.[0-9a-f]+$/);
      assert.equal(events[1]?.count, 1);
      // The aggregated event disappeared: the next repeat creates a new one carrying the count.
      await client.delete(R.events, "default", failed.metadata!.name!);
      rec.event(ref, "Warning", "FailedCreate", "Error creating: boom");
      await rec.flush();
      const again = (await client.list<CoreEvent>(R.events, "default")).items.filter((e) => e.reason === "FailedCreate");
      assert.equal(again.length, 1);
      assert.equal(again[0]?.count, 3);
    } finally {
      abort.abort();
      registry.close();
      await backend.close();
    }
  });
  test("similar events are combined; the spam filter lets 25 through, then one per 5 minutes", async () => {
    const backend = new MemoryBackend();
    const registry = new Registry({ backend });
    const abort = new AbortController();
    await registry.start(abort.signal);
    try {
      const client = createLoopbackClient(registry);
      await ensureNamespaces(client);
      let now = Date.parse("2024-05-01T10:00:00Z");
      const rec = new EventRecorder({ client, component: "daemonset-controller", now: () => now });
      const ref = objectReference(makeDaemonSet({ uid: "u1" }), "apps/v1", "DaemonSet");
      for (let i = 0; i < 30; i++) rec.event(ref, "Normal", "SuccessfulCreate", `Created pod: ds-${i}`);
      rec.event(ref, "Warning", "FailedCreate", "Error creating: x");
      await rec.flush();
      let events = (await client.list<CoreEvent>(R.events, "default")).items;
      const created = events.filter((e) => e.reason === "SuccessfulCreate");
      assert.equal(created.length, 10, "9 distinct events, then one combined event");
      const combined = created.find((e) => e.message?.startsWith("(combined from similar events): "));
      assert.equal(combined?.message, "(combined from similar events): Created pod: ds-24");
      assert.equal(combined?.count, 16, "25 admitted = 9 single + 16 combined");
      assert.equal(events.filter((e) => e.reason === "FailedCreate").length, 1, "Warning events have their own budget");
      now += 5 * 60 * 1000;
      rec.event(ref, "Normal", "SuccessfulCreate", "Created pod: ds-late");
      rec.event(ref, "Normal", "SuccessfulCreate", "Created pod: ds-later");
      await rec.flush();
      events = (await client.list<CoreEvent>(R.events, "default")).items;
      assert.equal(events.find((e) => e.message?.startsWith("(combined"))?.message, "(combined from similar events): Created pod: ds-late");
    } finally {
      abort.abort();
      registry.close();
      await backend.close();
    }
  });
  test("rfc3339Seconds", () => assert.equal(rfc3339Seconds(Date.parse("2024-05-01T10:00:00.789Z")), "2024-05-01T10:00:00Z"));
});
