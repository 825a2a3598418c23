import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, Pod } from "../../api/types.js";
import { collectionOrder, isOutOfService, isTerminated } from "./pod-conditions.js";

const pod = (name: string, created: string, phase = "Succeeded", reason?: string): Pod =>
  ({ metadata: { name, creationTimestamp: created }, status: { phase, reason } });

describe("pod-conditions", () => {
  test("collectionOrder: evicted first, then oldest, then by name", () => {
    const pods = [pod("c", "2024-01-02T00:00:00Z"), pod("b", "2024-01-01T00:00:00Z"), pod("a", "2024-01-01T00:00:00Z"), pod("z", "2024-01-03T00:00:00Z", "Failed", "Evicted")];
    assert.deepEqual(pods.sort(collectionOrder).map((p) => p.metadata?.name), ["z", "a", "b", "c"]);
  });

  test("isTerminated covers Succeeded and Failed only", () => {
    assert.deepEqual(["Pending", "Running", "Succeeded", "Failed", "Unknown"].map((phase) => isTerminated(pod("x", "", phase))), [false, false, true, true, false]);
  });

  test("isOutOfService needs the taint and a Ready condition that is not True", () => {
    const node = (ready: string, taint: boolean): Node => ({
      spec: { taints: taint ? [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }] : [] },
      status: { conditions: [{ type: "Ready", status: ready }] },
    });
    assert.deepEqual([node("False", true), node("True", true), node("Unknown", false)].map(isOutOfService), [true, false, false]);
  });
});
