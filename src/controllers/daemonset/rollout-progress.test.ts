import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { RolloutControls } from "../../api/rollout-controls.js";
import { nextProgress, rfc3339, withProgressCondition, type ProgressCondition, type ProgressInput } from "./rollout-progress.js";
import type { DaemonSetCounts } from "./status.js";

const t0 = Date.parse("2026-01-01T00:00:00Z");
const counts = (updated: number, available: number, desired = 5): DaemonSetCounts => ({
  desiredNumberScheduled: desired, currentNumberScheduled: desired, numberMisscheduled: 0, numberReady: available,
  updatedNumberScheduled: updated, numberAvailable: available, numberUnavailable: desired - available,
});
const controls = (c: Partial<RolloutControls> = {}): RolloutControls => ({ paused: false, partition: 0, autoRevert: false, progressDeadlineSeconds: 10, ...c });

function input(over: Partial<ProgressInput>): ProgressInput {
  return {
    name: "web", controls: controls(), previous: undefined, previousCounts: counts(0, 5), counts: counts(1, 4),
    specChanged: false, scopeDone: false, revision: 2, nowMs: t0, stuck: () => "1 node stuck: node-1 (why)", ...over,
  };
}

describe("nextProgress", () => {
  test("no deadline: no condition", () => {
    assert.deepEqual(nextProgress(input({ controls: controls({ progressDeadlineSeconds: undefined }) })), { condition: undefined, deadlineExceeded: false });
  });

  test("a rollout starts: True RevisionRollingOut, both times now, a requeue after the deadline", () => {
    const out = nextProgress(input({ specChanged: true }));
    assert.deepEqual(out.condition, {
      type: "Progressing", status: "True", reason: "RevisionRollingOut", lastUpdateTime: rfc3339(t0), lastTransitionTime: rfc3339(t0),
      message: 'DaemonSet "web" is rolling out revision 2: 1 of 5 nodes updated, 4 available',
    });
    assert.equal(out.requeueAfterMs, 11_000);
  });

  test("progress moves lastUpdateTime only; no progress past the deadline turns False and names the stuck nodes", () => {
    const started = nextProgress(input({ specChanged: true })).condition as ProgressCondition;
    const progressed = nextProgress(input({ previous: started, previousCounts: counts(1, 4), counts: counts(2, 4), nowMs: t0 + 5000 })).condition as ProgressCondition;
    assert.equal(progressed.lastUpdateTime, rfc3339(t0 + 5000));
    assert.equal(progressed.lastTransitionTime, rfc3339(t0));
    const waiting = nextProgress(input({ previous: progressed, previousCounts: counts(2, 4), counts: counts(2, 4), nowMs: t0 + 14_000 }));
    assert.equal(waiting.deadlineExceeded, false);
    assert.equal(waiting.condition?.status, "True");
    assert.equal(waiting.requeueAfterMs, 2000);
    const exceeded = nextProgress(input({ previous: progressed, previousCounts: counts(2, 4), counts: counts(2, 4), nowMs: t0 + 15_000 }));
    assert.equal(exceeded.deadlineExceeded, true);
    assert.deepEqual(exceeded.condition, {
      type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
      lastUpdateTime: rfc3339(t0 + 15_000), lastTransitionTime: rfc3339(t0 + 15_000),
      message: 'DaemonSet "web" has timed out progressing: revision 2 made no progress for 10s; 1 node stuck: node-1 (why)',
    });
    const later = nextProgress(input({ previous: exceeded.condition, previousCounts: counts(2, 4), counts: counts(2, 4), nowMs: t0 + 60_000 }));
    assert.equal(later.deadlineExceeded, false, "reported once");
    assert.deepEqual(later.condition, exceeded.condition);
    const fixed = nextProgress(input({ previous: exceeded.condition, specChanged: true, nowMs: t0 + 61_000 }));
    assert.equal(fixed.condition?.status, "True");
    assert.equal(fixed.condition?.lastTransitionTime, rfc3339(t0 + 61_000));
  });

  test("paused and held rollouts are Unknown RolloutPaused; resuming restarts the clock", () => {
    const paused = nextProgress(input({ controls: controls({ paused: true }) })).condition as ProgressCondition;
    assert.deepEqual([paused.status, paused.reason, paused.message], ["Unknown", "RolloutPaused", 'DaemonSet "web" is paused']);
    const held = nextProgress(input({ controls: controls({ partition: 3 }), counts: counts(2, 5), scopeDone: true })).condition;
    assert.deepEqual([held?.status, held?.reason, held?.message], ["Unknown", "RolloutPaused", 'DaemonSet "web" rollout is held by partition 3: 2 of 5 nodes updated']);
    const resumed = nextProgress(input({ previous: paused, previousCounts: counts(1, 4), counts: counts(1, 4), nowMs: t0 + 99_000 }));
    assert.equal(resumed.condition?.reason, "RevisionRollingOut");
    assert.equal(resumed.condition?.lastUpdateTime, rfc3339(t0 + 99_000));
  });

  test("every node updated and available: True RolloutComplete", () => {
    const done = nextProgress(input({ counts: counts(5, 5) })).condition;
    assert.deepEqual([done?.status, done?.reason], ["True", "RolloutComplete"]);
  });
});

describe("withProgressCondition", () => {
  test("replaces in place, appends, removes", () => {
    const other = { type: "Other", status: "True" };
    const p = { type: "Progressing", status: "True" };
    assert.deepEqual(withProgressCondition([p, other], { ...p, status: "False" }), [{ ...p, status: "False" }, other]);
    assert.deepEqual(withProgressCondition([other], p), [other, p]);
    assert.deepEqual(withProgressCondition([other, p], undefined), [other]);
    assert.equal(withProgressCondition([p], undefined), undefined);
  });
});
