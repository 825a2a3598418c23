import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DaemonSet, Pod } from "../../api/types.js";
import { Indexer, objectKey } from "../../client/cache.js";
import { FakeClock } from "../../util/clock.js";
import { labelSelectorFromObject } from "../../api/label-selector.js";
import { DaemonSetEventHandlers } from "./event-handlers.js";
import { ControllerExpectations } from "./expectations.js";
import { byNamespaceIndex, namespaceIndex } from "./indexes.js";
import { DaemonPlacement } from "./placement.js";
import { makeDaemonSet, makeNode, makePod } from "./testing/fixtures.js";

function setup(): { handlers: DaemonSetEventHandlers; calls: string[] } {
  const daemonSets = new Indexer<DaemonSet>({ [namespaceIndex]: byNamespaceIndex });
  daemonSets.add(makeDaemonSet({ uid: "u1" }));
  const calls: string[] = [];
  const handlers = new DaemonSetEventHandlers({
    daemonSets,
    expectations: new ControllerExpectations(new FakeClock()),
    enqueue: (ds) => calls.push(`sync ${objectKey(ds)}`),
    enqueueStatus: (ds) => calls.push(`status ${objectKey(ds)}`),
    enqueueAfter: (ds, ms) => calls.push(`after ${ms} ${objectKey(ds)}`),
    compile: (ds) => ({ placement: new DaemonPlacement(ds), selector: labelSelectorFromObject(ds.spec?.selector) }),
    forget: () => undefined,
  });
  return { handlers, calls };
}

type Writable = { -readonly [K in keyof Pod]: Pod[K] };

function changed(pod: Pod, mutate: (p: Writable) => void): Pod {
  const next: Writable = structuredClone(pod);
  mutate(next);
  next.metadata = { ...next.metadata, resourceVersion: "2" };
  return next;
}

describe("DaemonSet event handlers: which changes may wait for a paced status sync", () => {
  const owned = makePod({ name: "p", node: "n1", ownerUid: "u1" });
  owned.metadata = { ...owned.metadata, resourceVersion: "1" };
  const cases: [string, Pod, string][] = [
    ["an owned pod turning Ready moves only the status", changed(owned, (p) => { p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] }; }), "status default/ds"],
    ["an owned pod that failed is replaced", changed(owned, (p) => { p.status = { phase: "Failed" }; }), "sync default/ds"],
    ["an owned pod being deleted", changed(owned, (p) => { p.metadata = { ...p.metadata, deletionTimestamp: new Date(0).toISOString() }; }), "sync default/ds"],
    ["an owned pod released by its owner", changed(owned, (p) => { p.metadata = { ...p.metadata, ownerReferences: [] }; }), "sync default/ds"],
  ];
  for (const [name, cur, expected] of cases) {
    test(name, () => {
      const { handlers, calls } = setup();
      handlers.podHandler().onUpdate?.(owned, cur);
      assert.ok(calls.length > 0);
      assert.deepEqual(new Set(calls), new Set([expected]));
    });
  }

  test("a DaemonSet's own status write may wait; a spec change or deletion syncs at once", () => {
    const ds: DaemonSet = { ...makeDaemonSet({ uid: "u1", generation: 1 }) };
    const withStatus: DaemonSet = { ...ds, status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: 1 } };
    const newSpec: DaemonSet = { ...ds, metadata: { ...ds.metadata, generation: 2 } };
    const deleting: DaemonSet = { ...ds, metadata: { ...ds.metadata, deletionTimestamp: new Date(0).toISOString() } };
    const replaced: DaemonSet = { ...ds, metadata: { ...ds.metadata, uid: "u2" } };
    const { handlers, calls } = setup();
    for (const cur of [withStatus, newSpec, deleting, replaced]) handlers.daemonSetHandler().onUpdate?.(ds, cur);
    assert.deepEqual(calls, ["status default/ds", "sync default/ds", "sync default/ds", "sync default/ds"]);
  });

  test("pod creations and new nodes sync at once", () => {
    const { handlers, calls } = setup();
    handlers.podHandler().onAdd?.(owned, false);
    handlers.nodeHandler().onAdd?.(makeNode("n2"), false);
    assert.deepEqual(calls, ["sync default/ds", "sync default/ds"]);
  });
});
