import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreEvent, DaemonSet } from "../api/types.js";
import { R, startTestCluster, type TestCluster } from "../controller/testing/cluster.js";
import { EventRecorder, objectReference, rfc3339 } from "./event-recorder.js";

const daemonSet: DaemonSet = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "ds", namespace: "default", uid: "u1" } };
const dsRef = objectReference(daemonSet, "apps/v1", "DaemonSet");

/** Runs `body` with a recorder of `component` on a fresh cluster whose fake clock (2024-05-01T10:00:00Z) is its time. */
async function withRecorder(component: string, body: (c: TestCluster, rec: EventRecorder, errors: unknown[]) => Promise<void>): Promise<void> {
  const c = await startTestCluster();
  try {
    const errors: unknown[] = [];
    await body(c, new EventRecorder({ client: c.client, component, now: () => c.clock.now(), onError: (e) => errors.push(e) }), errors);
  } finally {
    await c.stop();
  }
}

describe("EventRecorder", () => {
  test("writes core/v1 events and aggregates identical repeats", () => withRecorder("daemonset-controller", async ({ client, clock }, rec) => {
    rec.event(dsRef, "Warning", "FailedCreate", "Error creating: boom");
    clock.advance(5000);
    rec.event(dsRef, "Warning", "FailedCreate", "Error creating: boom");
    rec.event(dsRef, "Normal", "SuccessfulCreate", "Created pod: ds-abc");
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
    rec.event(dsRef, "Warning", "FailedCreate", "Error creating: boom");
    await rec.flush();
    const again = (await client.list<CoreEvent>(R.events, "default")).items.filter((e) => e.reason === "FailedCreate");
    assert.equal(again.length, 1);
    assert.equal(again[0]?.count, 3);
  }));
  test("similar events are combined; the spam filter lets 25 through, then one per 5 minutes", () => withRecorder("daemonset-controller", async ({ client, clock }, rec) => {
    for (let i = 0; i < 30; i++) rec.event(dsRef, "Normal", "SuccessfulCreate", `Created pod: ds-${i}`);
    rec.event(dsRef, "Warning", "FailedCreate", "Error creating: x");
    await rec.flush();
    let events = (await client.list<CoreEvent>(R.events, "default")).items;
    const created = events.filter((e) => e.reason === "SuccessfulCreate");
    assert.equal(created.length, 10, "9 distinct events, then one combined event");
    const combined = created.find((e) => e.message?.startsWith("(combined from similar events): "));
    assert.equal(combined?.message, "(combined from similar events): Created pod: ds-24");
    assert.equal(combined?.count, 16, "25 admitted = 9 single + 16 combined");
    assert.equal(events.filter((e) => e.reason === "FailedCreate").length, 1, "Warning events have their own budget");
    clock.advance(5 * 60 * 1000);
    rec.event(dsRef, "Normal", "SuccessfulCreate", "Created pod: ds-late");
    rec.event(dsRef, "Normal", "SuccessfulCreate", "Created pod: ds-later");
    await rec.flush();
    events = (await client.list<CoreEvent>(R.events, "default")).items;
    assert.equal(events.find((e) => e.message?.startsWith("(combined"))?.message, "(combined from similar events): Created pod: ds-late");
  }));
  test("writes events of cluster-scoped objects to default and aggregates repeats into a count", () => withRecorder("node-controller", async (c, recorder, errors) => {
    const ref = { apiVersion: "v1", kind: "Node", name: "n1", uid: "u1" };
    recorder.event(ref, "Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady");
    c.clock.advance(2000);
    recorder.event(ref, "Normal", "NodeNotReady", "Node n1 status is now: NodeNotReady");
    recorder.event({ apiVersion: "v1", kind: "Pod", name: "p", namespace: "other", uid: "u2" }, "Warning", "NodeNotReady", "Node is not ready");
    await recorder.flush();
    assert.deepEqual(errors, []);
    const [nodeEvent, ...rest] = (await c.client.list<CoreEvent>(R.events, "default")).items;
    assert.equal(rest.length, 0);
    assert.equal(nodeEvent?.count, 2);
    assert.equal(nodeEvent?.source?.component, "node-controller");
    assert.equal(nodeEvent?.lastTimestamp, rfc3339(c.clock.now()));
    assert.match(nodeEvent?.metadata?.name ?? "", /^n1\.[0-9a-f]+$/);
    const podEvents = (await c.client.list<CoreEvent>(R.events, "other")).items;
    assert.deepEqual(podEvents.map((e) => [e.type, e.involvedObject.name]), [["Warning", "p"]]);
  }));
  test("objectReference omits an absent namespace", () => {
    assert.deepEqual(objectReference({ metadata: { name: "n1", uid: "u1" } }, "v1", "Node"), { kind: "Node", apiVersion: "v1", name: "n1", uid: "u1" });
    assert.equal(objectReference({ metadata: { name: "p", namespace: "ns" } }, "v1", "Pod").namespace, "ns");
  });
  test("rfc3339", () => assert.equal(rfc3339(Date.parse("2024-05-01T10:00:00.789Z")), "2024-05-01T10:00:00Z"));
});
