import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { withPodCondition } from "./pod-conditions.js";
import type { PodCondition } from "./types.js";

describe("pod-conditions", () => {
  test("withPodCondition replaces by type and keeps the transition time of an unchanged status", () => {
    const old: PodCondition[] = [{ type: "Ready", status: "True", lastTransitionTime: "t0" }, { type: "DisruptionTarget", status: "True", lastTransitionTime: "t0" }];
    const next = withPodCondition(old, { type: "DisruptionTarget", status: "True", reason: "R", lastTransitionTime: "t1" });
    assert.deepEqual(next[1], { type: "DisruptionTarget", status: "True", reason: "R", lastTransitionTime: "t0" });
    assert.equal(withPodCondition([], { type: "X", status: "True" }).length, 1);
    assert.equal(old[1]?.reason, undefined, "input untouched");
  });
});
