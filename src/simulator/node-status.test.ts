import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PodIPAllocator } from "./ip-allocator.js";
import { microTime, missingLabels, nextSlotDelay, nodeInternalIP, nodePodCIDR } from "./node-status.js";

describe("node addresses", () => {
  test("are deterministic per name and distinct for numbered nodes", () => {
    assert.equal(nodeInternalIP("node-1"), "10.0.0.1");
    assert.equal(nodeInternalIP("node-254"), "10.0.0.254");
    assert.equal(nodeInternalIP("node-255"), "10.0.1.1");
    assert.equal(nodePodCIDR("node-1"), "10.64.0.0/24");
    assert.equal(nodePodCIDR("node-257"), "10.65.0.0/24");
    assert.equal(nodeInternalIP("worker-a"), nodeInternalIP("worker-a"));
    const ips = new Set(Array.from({ length: 5000 }, (_, i) => nodeInternalIP(`node-${i + 1}`)));
    assert.equal(ips.size, 5000);
    for (const ip of ips) assert.match(ip, /^10\.\d+\.\d+\.([1-9]|[1-9]\d|1\d\d|2[0-4]\d|25[0-4])$/);
  });
});

describe("labels", () => {
  test("only missing standard labels are added", () => {
    assert.deepEqual(missingLabels({ metadata: { name: "n", labels: { "kubernetes.io/os": "windows" } } }),
      { "kubernetes.io/hostname": "n", "kubernetes.io/arch": "amd64" });
    assert.deepEqual(missingLabels({ metadata: { name: "n", labels: { "kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64", "kubernetes.io/hostname": "x" } } }), {});
  });
});

describe("nextSlotDelay", () => {
  test("lands every node on its own slot of the interval, whenever asked", () => {
    for (const now of [0, 1234, 98_765]) {
      const d = nextSlotDelay(now, 10_000, "node-7");
      assert.ok(d > 0 && d <= 10_000);
      assert.equal(nextSlotDelay(now + d, 10_000, "node-7"), 10_000, "the next slot is one interval later");
    }
    const slots = new Set(Array.from({ length: 1000 }, (_, i) => Math.floor(nextSlotDelay(0, 10_000, `node-${i}`) / 1000)));
    assert.equal(slots.size, 10, "1000 nodes spread over every second of the interval");
  });
});

describe("microTime", () => {
  test("formats with microseconds", () => {
    assert.equal(microTime(new Date("2026-03-04T05:06:07.089Z")), "2026-03-04T05:06:07.089000Z");
  });
});

describe("PodIPAllocator", () => {
  test("hands out distinct IPs per node, reuses released ones and respects known ones", () => {
    const a = new PodIPAllocator();
    assert.equal(a.allocate("node-1", "ns/a"), "10.64.0.2");
    assert.equal(a.allocate("node-1", "ns/a"), "10.64.0.2");
    a.markUsed("node-1", "ns/b", "10.64.0.3");
    assert.equal(a.allocate("node-1", "ns/c"), "10.64.0.4");
    assert.equal(a.allocate("node-2", "ns/d"), "10.64.1.2");
    a.release("ns/a");
    const seen = new Set<string>();
    for (let i = 0; i < 251; i++) seen.add(a.allocate("node-1", `ns/x${i}`));
    assert.ok(seen.has("10.64.0.2"), "released IP comes back around");
    assert.ok(!seen.has("10.64.0.3") && !seen.has("10.64.0.4"), "held IPs are skipped");
  });
});
