import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fieldErrorString } from "./status-error.js";
import {
  autoRevertAnnotation, partitionAnnotation, pausedAnnotation, parseRolloutControls, progressDeadlineAnnotation,
  rolloutHeldBack, selectorAnnotation,
} from "./rollout-controls.js";

describe("parseRolloutControls", () => {
  test("no annotations: defaults, nothing held back", () => {
    for (const annotations of [undefined, {}, { unrelated: "x" }] as Array<Record<string, string> | undefined>) {
      const { controls, errors } = parseRolloutControls(annotations);
      assert.deepEqual(errors, []);
      assert.deepEqual(controls, { paused: false, partition: 0, autoRevert: false });
      assert.equal(rolloutHeldBack(controls), false);
    }
  });

  test("every annotation valid", () => {
    const { controls, errors } = parseRolloutControls({
      [pausedAnnotation]: "true", [partitionAnnotation]: "3", [selectorAnnotation]: "zone=a,tier in (x,y)",
      [progressDeadlineAnnotation]: "10", [autoRevertAnnotation]: "true",
    });
    assert.deepEqual(errors, []);
    assert.equal(controls.paused, true);
    assert.equal(controls.partition, 3);
    assert.equal(controls.progressDeadlineSeconds, 10);
    assert.equal(controls.autoRevert, true);
    assert.equal(controls.selector?.toString(), "tier in (x,y),zone=a");
    assert.equal(controls.selector.matches({ zone: "a", tier: "x" }), true);
    assert.equal(controls.selector.matches({ zone: "b", tier: "x" }), false);
    assert.equal(rolloutHeldBack(controls), true);
  });

  test("\"false\", partition 0 and an empty selector hold nothing back", () => {
    const { controls, errors } = parseRolloutControls({
      [pausedAnnotation]: "false", [partitionAnnotation]: "0", [selectorAnnotation]: " ", [autoRevertAnnotation]: "false",
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(controls, { paused: false, partition: 0, autoRevert: false });
  });

  test("each invalid value is one field error on the annotation's path and is treated as absent", () => {
    const { controls, errors } = parseRolloutControls({
      [pausedAnnotation]: "yes", [partitionAnnotation]: "-1", [selectorAnnotation]: "zone in a",
      [progressDeadlineAnnotation]: "0", [autoRevertAnnotation]: "True",
    });
    assert.deepEqual(controls, { paused: false, partition: 0, autoRevert: false });
    assert.deepEqual(errors.map(fieldErrorString), [
      'metadata.annotations[rollout.everynode.dev/paused]: Invalid value: "yes": must be "true" or "false"',
      'metadata.annotations[rollout.everynode.dev/partition]: Invalid value: "-1": must be a non-negative integer (at most 2147483647)',
      "metadata.annotations[rollout.everynode.dev/selector]: Invalid value: \"zone in a\": must be a label selector: unable to parse requirement: found 'a' expected: '('",
      'metadata.annotations[rollout.everynode.dev/progress-deadline-seconds]: Invalid value: "0": must be an integer greater than or equal to 1 (at most 2147483647)',
      'metadata.annotations[rollout.everynode.dev/auto-revert]: Invalid value: "True": must be "true" or "false"',
    ]);
    assert.ok(errors.every((e) => e.type === "FieldValueInvalid"));
  });

  test("integers: no signs, fractions, blanks or values beyond int32", () => {
    for (const bad of ["+1", "1.5", "", " 2", "2147483648", "1e3", "0x10"]) {
      const { controls, errors } = parseRolloutControls({ [partitionAnnotation]: bad });
      assert.equal(errors.length, 1, bad);
      assert.equal(controls.partition, 0);
    }
    assert.equal(parseRolloutControls({ [partitionAnnotation]: "2147483647" }).controls.partition, 2147483647);
    assert.equal(parseRolloutControls({ [partitionAnnotation]: "007" }).controls.partition, 7);
  });

  test("valid annotations survive next to invalid ones", () => {
    const { controls, errors } = parseRolloutControls({ [pausedAnnotation]: "true", [partitionAnnotation]: "x" });
    assert.equal(errors.length, 1);
    assert.equal(controls.paused, true);
  });
});
