import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { rolloutWaves } from "./waves.js";

const nodes = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);

describe("rolloutWaves", () => {
  test("5 nodes, maxUnavailable 2: 3 waves in node order", () => {
    assert.deepEqual(rolloutWaves({ create: [], replace: nodes(5), unavailable: new Set(), maxUnavailable: 2, maxSurge: 0 }),
      [["n1", "n2"], ["n3", "n4"], ["n5"]]);
  });

  test("unavailable pods are replaced in the first wave and use up the budget; creations too", () => {
    assert.deepEqual(rolloutWaves({ create: ["new"], replace: nodes(5), unavailable: new Set(["n4"]), maxUnavailable: 3, maxSurge: 0 }),
      [["new", "n4", "n1"], ["n2", "n3", "n5"]]);
    assert.deepEqual(rolloutWaves({ create: ["a", "b"], replace: nodes(2), unavailable: new Set(), maxUnavailable: 1, maxSurge: 0 }),
      [["a", "b"], ["n1"], ["n2"]]);
  });

  test("surging: maxSurge nodes per wave, creations and unavailable pods beside the budget", () => {
    assert.deepEqual(rolloutWaves({ create: ["new"], replace: nodes(4), unavailable: new Set(["n2"]), maxUnavailable: 0, maxSurge: 2 }),
      [["new", "n2", "n1", "n3"], ["n4"]]);
  });

  test("no budget still moves one node per wave; nothing to do gives no wave", () => {
    assert.deepEqual(rolloutWaves({ create: [], replace: nodes(2), unavailable: new Set(), maxUnavailable: 0, maxSurge: 0 }), [["n1"], ["n2"]]);
    assert.deepEqual(rolloutWaves({ create: [], replace: [], unavailable: new Set(), maxUnavailable: 1, maxSurge: 0 }), []);
  });
});
