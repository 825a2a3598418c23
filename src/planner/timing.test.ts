import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod } from "../api/types.js";
import { assumedStopSeconds, defaultReadySeconds, podReadySeconds, waveTiming, type TimingInput } from "./timing.js";

const pod = (created: string, ready?: string): Pod => ({
  metadata: { creationTimestamp: created },
  status: ready ? { conditions: [{ type: "Ready", status: "True", lastTransitionTime: ready }] } : {},
});
/** A pod that took `s` seconds from creation to Ready. */
const took = (s: number): Pod => pod("2024-05-01T10:00:00Z", new Date(Date.parse("2024-05-01T10:00:00Z") + s * 1000).toISOString());

const base: TimingInput = { ownPods: [], allPods: [], waves: [], minReadySeconds: 0, gracePeriodSeconds: 30 };

describe("timing", () => {
  test("creation to Ready, only for Ready pods with sane timestamps", () => {
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:00Z", "2024-05-01T10:00:04Z")), 4);
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:00Z")), undefined);
    assert.equal(podReadySeconds(pod("2024-05-01T10:00:05Z", "2024-05-01T10:00:04Z")), undefined);
  });

  test("one pod per wave: the median of the DaemonSet's own pods, else of every pod, plus minReadySeconds", () => {
    const own = [took(2), took(8), took(3)];
    const t = waveTiming({ ...base, ownPods: own, allPods: [...own, took(30)], waves: [{ pods: 1, inPlace: false }], minReadySeconds: 5 });
    assert.deepEqual([t.seconds, t.waveSeconds, t.observedPods, t.medianReadySeconds], [8, [8], 3, 3]);
    const others = waveTiming({ ...base, ownPods: [pod("2024-05-01T10:00:00Z")], allPods: [took(30)], waves: [{ pods: 1, inPlace: false }] });
    assert.deepEqual([others.seconds, others.observedPods], [30, 1]);
    const none = waveTiming({ ...base, waves: [{ pods: 1, inPlace: false }], minReadySeconds: 2 });
    assert.deepEqual([none.seconds, none.observedPods, none.medianReadySeconds], [defaultReadySeconds + 2, 0, undefined]);
    assert.equal(waveTiming({ ...base, ownPods: [took(0)], waves: [{ pods: 1, inPlace: false }] }).seconds, 1, "whole-second timestamps: at least 1 s");
  });

  test("a wave waits for its slowest pod: larger waves take a higher quantile of the observed times", () => {
    const own = [1, 1, 1, 1, 1, 1, 2, 2, 3, 9].map(took);
    const t = waveTiming({ ...base, ownPods: own, waves: [{ pods: 1, inPlace: false }, { pods: 3, inPlace: false }, { pods: 20, inPlace: false }] });
    assert.deepEqual(t.waveSeconds, [1, 2, 9], "median for 1 pod, the 3/4 quantile for 3, the slowest for 20");
    assert.equal(t.seconds, 12);
  });

  test("in place, old pods stop first: assumed briefly, their grace period in the worst case", () => {
    const t = waveTiming({ ...base, ownPods: [took(3)], waves: [{ pods: 2, inPlace: true }, { pods: 2, inPlace: true }, { pods: 1, inPlace: false }], minReadySeconds: 1 });
    assert.equal(t.stopSeconds, assumedStopSeconds);
    assert.deepEqual(t.waveSeconds, [4 + assumedStopSeconds, 4 + assumedStopSeconds, 4]);
    assert.equal(t.worstCaseSeconds, 2 * (4 + 30) + 4);
    assert.equal(waveTiming({ ...base, ownPods: [took(3)], waves: [{ pods: 1, inPlace: true }], gracePeriodSeconds: 0 }).seconds, 3, "a zero grace period stops at once");
  });
});
