import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PodIPAllocator } from "./ip-allocator.js";
import { choosePodCIDR, microTime, missingLabels, nextSlotDelay, nodeInternalIP, nodeInternalIPOf, nodePodCIDR, nodePodRangePrefixOf, podCIDRIndex, secondsTime } from "./node-status.js";

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

describe("pod CIDRs of nodes created without one", () => {
  test("podCIDRIndex reads back only the ranges the simulator hands out", () => {
    const cases: [string | undefined, number | undefined][] = [
      ["10.64.0.0/24", 0], ["10.64.255.0/24", 255], ["10.65.0.0/24", 256], ["10.255.255.0/24", 192 * 256 - 1],
      ["10.63.0.0/24", undefined], ["10.64.0.0/16", undefined], ["10.64.1.1/24", undefined], ["192.168.0.0/24", undefined],
      ["10.64.256.0/24", undefined], ["", undefined], [undefined, undefined],
    ];
    for (const [cidr, want] of cases) assert.equal(podCIDRIndex(cidr), want, String(cidr));
  });

  test("a node gets its name's range unless another node holds it, then the highest free one", () => {
    assert.equal(choosePodCIDR("node-7", new Set([0, 1, 2])), "10.64.6.0/24");
    assert.equal(choosePodCIDR("node-1", new Set([0, 1, 2])), "10.255.255.0/24");
    assert.equal(choosePodCIDR("node-1", new Set([0, 192 * 256 - 1])), "10.255.254.0/24");
    assert.equal(choosePodCIDR("node-1", new Set(Array.from({ length: 192 * 256 }, (_, i) => i))), undefined, "all taken");
  });

  test("names ending in a number other than node-N do not borrow node-N's addresses", () => {
    assert.notEqual(nodeInternalIP("worker-1"), nodeInternalIP("node-1"));
    assert.notEqual(nodePodCIDR("worker-1"), nodePodCIDR("node-1"));
  });

  test("a node's addresses follow its pod CIDR", () => {
    const worker = { metadata: { name: "worker-1" }, spec: { podCIDR: "10.255.255.0/24" } };
    assert.equal(nodePodRangePrefixOf(worker), "10.255.255");
    assert.equal(nodeInternalIPOf(worker), nodeInternalIPOf({ metadata: { name: "node-49152" } }));
    assert.equal(nodeInternalIPOf({ metadata: { name: "node-1" }, spec: { podCIDR: "172.16.0.0/24" } }), "10.0.0.1", "a foreign CIDR: the name decides");
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
    assert.equal(microTime(new Date("2026-03-04T05:06:07Z")), "2026-03-04T05:06:07.000000Z");
  });
});

describe("secondsTime", () => {
  test("formats with second precision", () => {
    assert.equal(secondsTime(new Date("2026-03-04T05:06:07.989Z")), "2026-03-04T05:06:07Z");
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

  test("follows the node's range, starting over when it changes", () => {
    const ranges = new Map([["worker-1", "10.64.0"]]);
    const a = new PodIPAllocator((node) => ranges.get(node) ?? "10.99.99");
    assert.equal(a.allocate("worker-1", "ns/a"), "10.64.0.2");
    ranges.set("worker-1", "10.255.255");
    assert.equal(a.allocate("worker-1", "ns/b"), "10.255.255.2");
    assert.equal(a.allocate("worker-1", "ns/a"), "10.255.255.3", "an IP of the old range is not handed out again");
    assert.equal(a.allocate("other", "ns/c"), "10.99.99.2");
  });
});
