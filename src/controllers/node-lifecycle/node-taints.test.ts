import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Node, NodeCondition, Taint } from "../../api/types.js";
import { reconcileTaints } from "./node-taints.js";

const now = "2024-05-01T10:00:00Z";
const earlier = "2024-05-01T09:00:00Z";

function node(conditions: Partial<Record<string, string>>, taints: Taint[] = [], unschedulable = false): Node {
  const list: NodeCondition[] = Object.entries(conditions).map(([type, status]) => ({ type, status: status ?? "" }));
  return { metadata: { name: "n" }, spec: { taints, unschedulable }, status: { conditions: list } };
}

const show = (taints: Taint[] | undefined): string[] | undefined => taints?.map((t) => `${t.key}:${t.effect}${t.timeAdded ? `@${t.timeAdded}` : ""}`);

describe("reconcileTaints", () => {
  const cases: { name: string; node: Node; want: string[] | undefined }[] = [
    { name: "ready node without taints: nothing to do", node: node({ Ready: "True" }), want: undefined },
    {
      name: "Ready Unknown: unreachable NoSchedule + NoExecute (timeAdded on NoExecute only)",
      node: node({ Ready: "Unknown" }),
      want: ["node.kubernetes.io/unreachable:NoSchedule", `node.kubernetes.io/unreachable:NoExecute@${now}`],
    },
    {
      name: "Ready False after Unknown: swaps to not-ready, keeps the user's taints in place",
      node: node({ Ready: "False" }, [{ key: "user", effect: "NoSchedule" }, { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }, { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: earlier }]),
      want: ["user:NoSchedule", "node.kubernetes.io/not-ready:NoSchedule", `node.kubernetes.io/not-ready:NoExecute@${now}`],
    },
    {
      name: "Ready True again: the managed taints go, others stay",
      node: node({ Ready: "True" }, [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: earlier }, { key: "user", effect: "NoExecute" }]),
      want: ["user:NoExecute"],
    },
    {
      name: "an existing managed taint keeps its timeAdded",
      node: node({ Ready: "Unknown" }, [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: earlier }, { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" }]),
      want: undefined,
    },
    { name: "cordoned: unschedulable NoSchedule", node: node({ Ready: "True" }, [], true), want: ["node.kubernetes.io/unschedulable:NoSchedule"] },
    { name: "uncordoned: removed", node: node({ Ready: "True" }, [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]), want: [] },
    {
      name: "pressure and network conditions map to their NoSchedule taints",
      node: node({ Ready: "True", MemoryPressure: "True", DiskPressure: "False", PIDPressure: "True", NetworkUnavailable: "True" }),
      want: ["node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/network-unavailable:NoSchedule"],
    },
    {
      name: "no Ready condition: NoExecute taints are left alone, condition NoSchedule taints reconciled",
      node: node({}, [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: earlier }, { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }]),
      want: [`node.kubernetes.io/unreachable:NoExecute@${earlier}`],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(show(reconcileTaints(c.node, now)), c.want));
  }
});
