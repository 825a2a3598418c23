import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../api/types.js";
import { defaultWaveSeconds, podReadySeconds, waveTiming } from "./timing.js";

const pod = (created: string, ready?: string): Pod => ({
  metadata: { creationTimestamp: created },
  status: ready ? { conditions: [{ type: "Ready", status: "True", lastTransitionTime: ready }] } : {},
});

describe("timing", () => {
  test("creation to Ready, only for Ready pods with sane timestamps", () => {
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:04Z")), 4);
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:00Z")), undefined);
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:05Z", "2024-05-01T10:00:04Z")), undefined);
  });

  test("the median of the DaemonSet's own pods, else of every pod, plus minReadySeconds", () => {
    const own = [pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:02Z"), pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:08Z"), pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:03Z")];
    const others = [pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:30Z")];
    assert.deepEqual(waveTiming(own, [...own, ...others], 5), { waveSeconds: 8, observedPods: 3, medianReadySeconds: 3 });
    assert.deepEqual(waveTiming([pod("2024-05-01T10:00:00Z")], others, 0), { waveSeconds: 30, observedPods: 1, medianReadySeconds: 30 });
    assert.deepEqual(waveTiming([], [], 2), { waveSeconds: defaultWaveSeconds + 2, observedPods: 0 });
    assert.equal(waveTiming([pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z")], [], 0).waveSeconds, 1, "whole-second timestamps: at least 1 s");
  });
});
