import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Lease, Node } from "../../api/types.js";
import { NodeHealthTracker } from "./node-health.js";

const lease = (renewMs: number): Lease => ({ metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { renewTime: new Date(renewMs).toISOString() } });
const node = (ready?: { status: string; reason?: string; lastHeartbeatTime?: string }): Node =>
  ({ metadata: { name: "n1" }, status: { conditions: ready ? [{ type: "Ready", ...ready }] : [] } });

describe("NodeHealthTracker", () => {
  test("expires after the grace period; lease renewals push the deadline out", () => {
    const h = new NodeHealthTracker({ gracePeriodMs: 50, startupGracePeriodMs: 60 });
    h.observeNode(node({ status: "True" }), 0);
    h.observeLease(lease(1000), 0);
    assert.deepEqual(h.expired(50), []);
    h.observeLease(lease(1000), 40);
    assert.deepEqual(h.expired(51), ["n1"], "an unchanged renewTime is no sign of life");
    h.observeLease(lease(2000), 60);
    assert.equal(h.isExpired("n1", 110), false);
    assert.deepEqual(h.expired(110), []);
    assert.deepEqual(h.expired(111), ["n1"]);
    assert.deepEqual(h.expired(200), [], "reported once until observed again");
  });

  test("the Unknown this controller writes is not a sign of life; a kubelet status post is", () => {
    const h = new NodeHealthTracker({ gracePeriodMs: 50, startupGracePeriodMs: 60 });
    h.observeNode(node({ status: "True" }), 0);
    h.observeNode(node({ status: "Unknown", reason: "NodeStatusUnknown" }), 55);
    assert.equal(h.isExpired("n1", 55), true);
    h.observeNode(node({ status: "True", lastHeartbeatTime: "2024-05-01T10:00:00Z" }), 70);
    assert.equal(h.isExpired("n1", 120), false);
    assert.equal(h.isExpired("n1", 121), true);
  });

  test("nodes that never reported Ready get the startup grace period; forgotten nodes are dropped", () => {
    const h = new NodeHealthTracker({ gracePeriodMs: 50, startupGracePeriodMs: 60 });
    h.observeNode(node(), 0);
    assert.deepEqual(h.expired(55), []);
    assert.deepEqual(h.expired(61), ["n1"]);
    h.observeNode(node(), 100);
    h.forget("n1");
    assert.deepEqual(h.expired(1000), []);
    assert.equal(h.isExpired("n1", 1000), false);
  });
});
