import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Indexer } from "../client/cache.js";
import type { Client } from "../client/client.js";
import { FakeClock } from "../util/clock.js";
import type { Node } from "../api/types.js";
import { NodeKeeper, nextTickedSlot, type NodeKeeperOptions } from "./node-keeper.js";
import { defaultCapacity, nextSlotDelay } from "./node-status.js";

function keeper(extra: Partial<NodeKeeperOptions>, nodes: number): NodeKeeper {
  const options: NodeKeeperOptions = {
    client: {} as Client, clock: new FakeClock(), now: () => new Date(0), capacity: defaultCapacity,
    leaseDurationSeconds: 40, leaseRenewIntervalMs: 10_000, nodeStatusIntervalMs: 60_000, ...extra,
  };
  const k = new NodeKeeper(options, new Indexer<Node>());
  for (let i = 1; i <= nodes; i++) k.track(`node-${i}`);
  return k;
}

describe("NodeKeeper intervals", () => {
  type IntervalCase = [string, Partial<NodeKeeperOptions>, number, number];
  const cases: [string, (k: NodeKeeper) => number, IntervalCase[]][] = [
    ["lease renewals", (k) => k.leaseRenewIntervalMs(), [
      ["no bound keeps the configured interval", {}, 50_000, 10_000],
      ["few nodes keep the configured interval", { maxLeaseRenewalsPerSecond: 500 }, 100, 10_000],
      ["more nodes stretch it to keep within the rate", { maxLeaseRenewalsPerSecond: 500 }, 7_500, 15_000],
      ["never beyond half the lease duration", { maxLeaseRenewalsPerSecond: 500 }, 50_000, 20_000],
    ]],
    ["status heartbeats", (k) => k.nodeStatusIntervalMs(), [
      ["no bound keeps the configured interval", {}, 50_000, 60_000],
      ["few nodes keep the configured interval", { maxStatusUpdatesPerSecond: 40 }, 1_000, 60_000],
      ["more nodes stretch it to keep within the rate", { maxStatusUpdatesPerSecond: 40 }, 4_000, 100_000],
      ["never beyond the kubelet's 5 minute report frequency", { maxStatusUpdatesPerSecond: 40 }, 50_000, 300_000],
    ]],
  ];
  for (const [what, interval, list] of cases) {
    for (const [name, options, nodes, expected] of list) {
      test(`${what}: ${name}`, () => assert.equal(interval(keeper(options, nodes)), expected));
    }
  }
  test("nodes expected but not registered yet count already, so the intervals do not shift while they register", () => {
    assert.equal(keeper({ maxLeaseRenewalsPerSecond: 500, expectedNodes: 10_000 }, 100).leaseRenewIntervalMs(), 20_000);
    assert.equal(keeper({ maxStatusUpdatesPerSecond: 40, expectedNodes: 4_000 }, 10).nodeStatusIntervalMs(), 100_000);
    assert.equal(keeper({ maxLeaseRenewalsPerSecond: 500, expectedNodes: 100 }, 7_500).leaseRenewIntervalMs(), 15_000, "more tracked than expected");
  });

  test("untracked nodes no longer count", () => {
    const k = keeper({ maxLeaseRenewalsPerSecond: 500 }, 10_000);
    for (let i = 1; i <= 5_000; i++) k.untrack(`node-${i}`);
    assert.equal(k.leaseRenewIntervalMs(), 10_000);
  });
});

describe("nextTickedSlot", () => {
  test("lands on a 100 ms tick no later than the node's slot, and then on the following slot", () => {
    for (const now of [0, 37, 12_345, 98_765]) {
      for (let i = 0; i < 200; i++) {
        const name = `node-${i}`;
        const slot = nextSlotDelay(now, 10_000, name);
        const d = nextTickedSlot(now, 10_000, name);
        assert.ok(d > 0 && d <= slot + 10_000, `${name} at ${now}: ${d}`);
        if (d <= slot) assert.ok((now + d) % 100 === 0 || d === slot, `${name} at ${now}: ${d} is on a tick or the slot itself`);
        const next = nextTickedSlot(now + d, 10_000, name);
        assert.ok(next > 10_000 - 200, `${name}: the run at ${now + d} waits about an interval, not ${next} ms`);
      }
    }
  });
});
