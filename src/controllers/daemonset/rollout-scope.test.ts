import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseLabelSelector } from "../../api/label-selector.js";
import type { Pod } from "../../api/types.js";
import type { NodeDecision } from "./placement.js";
import { updatableNodes } from "./rollout-scope.js";
import { makeNode, makePod } from "./testing/fixtures.js";

const run: NodeDecision = { shouldRun: true, shouldContinueRunning: true };
const old = (node: string) => makePod({ name: `old-${node}`, node, hash: "h1", ready: true, readySince: 0 });
const cur = (node: string) => makePod({ name: `new-${node}`, node, hash: "h2", ready: true, readySince: 0 });
const zones: Record<string, string> = { "node-1": "a", "node-2": "b", "node-3": "a", "node-4": "b", "node-5": "a", "node-6": "a" };

function scope(pods: Record<string, Pod[]>, names: string[], partition: number, selector?: string): string[] | undefined {
  const nodes = names.map((n) => makeNode(n, { zone: zones[n] ?? "" }));
  const labels = new Map(nodes.map((n) => [n.metadata!.name!, n.metadata!.labels]));
  const set = updatableNodes(nodes, () => run, new Map(Object.entries(pods)), { partition, selector: selector ? parseLabelSelector(selector) : undefined }, {
    hash: "h2", generation: undefined, labelsOf: (name) => labels.get(name),
  });
  return set === undefined ? undefined : [...set].sort();
}

const five = ["node-1", "node-2", "node-3", "node-4", "node-5"];
const allOld = Object.fromEntries(five.map((n) => [n, [old(n)]]));

describe("updatableNodes", () => {
  test("no partition and no selector restrict nothing", () => {
    assert.equal(scope(allOld, five, 0), undefined);
  });
  test("partition 3 of 5: the two nodes whose names sort last are updated, the first three keep the old revision", () => {
    assert.deepEqual(scope(allOld, five, 3), ["node-4", "node-5"]);
  });
  test("nodes already updated count first, so the partition holds when updates happened elsewhere", () => {
    assert.deepEqual(scope({ ...allOld, "node-1": [cur("node-1")] }, five, 3), ["node-1", "node-5"]);
  });
  test("a new node without a pod gets the current revision and counts against the partition", () => {
    const six = [...five, "node-6"];
    assert.deepEqual(scope(allOld, six, 3), ["node-4", "node-5", "node-6"]);
    assert.deepEqual(scope(allOld, six, 5), ["node-6"]);
  });
  test("lowering the partition widens the set; a partition at or above the node count holds every old pod", () => {
    assert.deepEqual(scope(allOld, five, 1), ["node-2", "node-3", "node-4", "node-5"]);
    assert.deepEqual(scope(allOld, five, 5), []);
    assert.deepEqual(scope(allOld, five, 9), []);
  });
  test("a selector limits the update to matching nodes; with a partition both apply", () => {
    assert.deepEqual(scope(allOld, five, 0, "zone=a"), ["node-1", "node-3", "node-5"]);
    assert.deepEqual(scope(allOld, five, 3, "zone=a"), ["node-3", "node-5"]);
    assert.deepEqual(scope(allOld, five, 0, "zone=c"), []);
  });
});
