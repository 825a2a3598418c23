import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compareDaemonPods, isPodAvailable, isPodReady, isPodUpdated, msUntilAvailable } from "./pod-util.js";
import { makePod } from "./testing/fixtures.js";

describe("availability", () => {
  const cases = [
    { name: "not ready", pod: makePod({ name: "p" }), min: 0, now: 0, ready: false, available: false },
    { name: "ready, no minReadySeconds", pod: makePod({ name: "p", ready: true, readySince: 1000 }), min: 0, now: 1000, ready: true, available: true },
    { name: "ready for less than minReadySeconds", pod: makePod({ name: "p", ready: true, readySince: 1000 }), min: 10, now: 10_999, ready: true, available: false },
    { name: "ready exactly minReadySeconds is not enough", pod: makePod({ name: "p", ready: true, readySince: 1000 }), min: 10, now: 11_000, ready: true, available: false },
    { name: "ready longer than minReadySeconds", pod: makePod({ name: "p", ready: true, readySince: 1000 }), min: 10, now: 11_001, ready: true, available: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(isPodReady(c.pod), c.ready);
      assert.equal(isPodAvailable(c.pod, c.min, c.now), c.available);
    });
  }
  test("msUntilAvailable", () => {
    const pod = makePod({ name: "p", ready: true, readySince: 1000 });
    assert.equal(msUntilAvailable(pod, 10, 20_000), 0);
    assert.equal(msUntilAvailable(pod, 10, 6000), 5001);
    assert.equal(msUntilAvailable(makePod({ name: "q" }), 10, 0), undefined);
  });
});

describe("compareDaemonPods", () => {
  test("bound first, then oldest, then name", () => {
    const pods = [
      makePod({ name: "unbound-old", target: "n", created: 0 }),
      makePod({ name: "b", node: "n", created: 5000 }),
      makePod({ name: "a", node: "n", created: 5000 }),
      makePod({ name: "c", node: "n", created: 1000 }),
    ];
    assert.deepEqual(pods.sort(compareDaemonPods).map((p) => p.metadata?.name), ["c", "a", "b", "unbound-old"]);
  });
});

describe("isPodUpdated", () => {
  const cases: { name: string; labels: Record<string, string>; hash: string; gen: number | undefined; want: boolean }[] = [
    { name: "hash matches", labels: { "controller-revision-hash": "h1" }, hash: "h1", gen: 2, want: true },
    { name: "generation matches", labels: { "pod-template-generation": "2" }, hash: "h1", gen: 2, want: true },
    { name: "neither", labels: { "controller-revision-hash": "h0", "pod-template-generation": "1" }, hash: "h1", gen: 2, want: false },
    { name: "empty hash never matches", labels: {}, hash: "", gen: undefined, want: false },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(isPodUpdated(makePod({ name: "p", labels: c.labels }), c.hash, c.gen), c.want));
  }
});
