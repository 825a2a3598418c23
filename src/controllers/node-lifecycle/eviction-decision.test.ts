import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Pod, Taint, Toleration } from "../../api/types.js";
import { evictionDecision, type EvictionDecision } from "./eviction-decision.js";

const t0 = Date.parse("2024-05-01T10:00:00Z");
const at = (s: number): string => new Date(t0 + s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: at(0) };
const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: at(20) };

function pod(tolerations: Toleration[], createdAt = -100): Pod {
  return { metadata: { name: "p", creationTimestamp: at(createdAt) }, spec: { containers: [], tolerations } };
}

const tolerate = (key: string, seconds?: number): Toleration => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });

describe("evictionDecision", () => {
  const cases: { name: string; pod: Pod; taints: Taint[]; nowS: number; want: EvictionDecision }[] = [
    { name: "no NoExecute taint", pod: pod([]), taints: [{ key: "x", effect: "NoSchedule" }], nowS: 5, want: { kind: "keep" } },
    { name: "untolerated → now", pod: pod([]), taints: [unreachable], nowS: 5, want: { kind: "now" } },
    { name: "tolerated forever", pod: pod([tolerate(unreachable.key)]), taints: [unreachable], nowS: 5, want: { kind: "keep" } },
    { name: "tolerated 30 s from timeAdded", pod: pod([tolerate(unreachable.key, 30)]), taints: [unreachable], nowS: 5, want: { kind: "at", atMs: t0 + 30_000 } },
    { name: "toleration already used up", pod: pod([tolerate(unreachable.key, 30)]), taints: [unreachable], nowS: 30, want: { kind: "now" } },
    { name: "zero seconds → now", pod: pod([tolerate(unreachable.key, 0)]), taints: [unreachable], nowS: 1, want: { kind: "now" } },
    { name: "a pod created after the taint gets its full toleration", pod: pod([tolerate(unreachable.key, 30)], 10), taints: [unreachable], nowS: 12, want: { kind: "at", atMs: t0 + 40_000 } },
    {
      name: "each taint counts from its own timeAdded; the earliest expiry wins",
      pod: pod([tolerate(unreachable.key), tolerate(notReady.key, 5)]), taints: [unreachable, notReady], nowS: 21, want: { kind: "at", atMs: t0 + 25_000 },
    },
    { name: "one untolerated taint among tolerated ones → now", pod: pod([tolerate(unreachable.key)]), taints: [unreachable, notReady], nowS: 21, want: { kind: "now" } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const addedAt = (t: Taint): number => Date.parse(t.timeAdded ?? "");
      assert.deepEqual(evictionDecision(c.pod, c.taints, addedAt, t0 + c.nowS * 1000), c.want);
    });
  }
});
