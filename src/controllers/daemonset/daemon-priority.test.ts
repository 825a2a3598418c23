import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { DaemonSet } from "../../api/types.js";
import { daemonSetPriority, type PriorityClassView } from "./daemon-priority.js";
import { makeDaemonSet } from "./testing/fixtures.js";

const lookup = (classes: PriorityClassView[]) => ({
  get: (name: string) => classes.find((c) => c.metadata?.name === name),
  list: () => classes,
});
const withClass = (name?: string, priority?: number): DaemonSet => {
  const ds = makeDaemonSet();
  const spec = ds.spec?.template.spec;
  if (spec && name) spec.priorityClassName = name;
  if (spec && priority !== undefined) spec.priority = priority;
  return ds;
};

describe("daemonSetPriority", () => {
  const classes = lookup([
    { metadata: { name: "system-node-critical" }, value: 2_000_001_000 },
    { metadata: { name: "low" }, value: -10 },
    { metadata: { name: "default" }, value: 50, globalDefault: true },
  ]);
  test("the template's class value; 0 for an unknown class", () => {
    assert.equal(daemonSetPriority(withClass("system-node-critical"), classes), 2_000_001_000);
    assert.equal(daemonSetPriority(withClass("low"), classes), -10);
    assert.equal(daemonSetPriority(withClass("missing"), classes), 0);
  });
  test("without a class: the template's priority, else the global default, else 0", () => {
    assert.equal(daemonSetPriority(withClass(undefined, 7), classes), 7);
    assert.equal(daemonSetPriority(withClass(), classes), 50);
    assert.equal(daemonSetPriority(withClass(), lookup([])), 0);
    assert.equal(daemonSetPriority(undefined, classes), 0);
  });
});
