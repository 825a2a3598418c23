import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { CoreEvent } from "../../api/types.js";
import { R, startCluster } from "../garbage-collector/testing/cluster.js";
import { EventRecorder, rfc3339 } from "./event-recorder.js";

describe("EventRecorder", () => {
  test("writes events (cluster-scoped objects to default) and aggregates repeats into a count", async () => {
    const c = await startCluster();
    try {
      const errors: unknown[] = [];
      const recorder = new EventRecorder({ client: c.client, component: "node-controller", now: () => c.clock.now(), onError: (e) => errors.push(e) });
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
    } finally {
      await c.stop();
    }
  });
});
