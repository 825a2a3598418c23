import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Toleration } from "../../api/types.js";
import { addDaemonTolerations, addOrUpdateToleration, defaultDaemonTolerations } from "./tolerations.js";

const keys = (ts: Toleration[]) => ts.map((t) => `${t.key ?? ""}:${t.effect ?? ""}`);

describe("addDaemonTolerations", () => {
  test("appends the defaults in order", () => {
    assert.deepEqual(keys(addDaemonTolerations({ containers: [] })), [
      "node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/memory-pressure:NoSchedule", "node.kubernetes.io/pid-pressure:NoSchedule", "node.kubernetes.io/unschedulable:NoSchedule",
    ]);
    for (const t of addDaemonTolerations({ containers: [] })) {
      assert.equal(t.operator, "Exists");
      assert.equal(t.tolerationSeconds, undefined);
    }
  });
  test("hostNetwork adds network-unavailable", () => {
    assert.deepEqual(keys(addDaemonTolerations({ containers: [], hostNetwork: true })).at(-1), "node.kubernetes.io/network-unavailable:NoSchedule");
    assert.equal(defaultDaemonTolerations(false).length, 6);
    assert.equal(defaultDaemonTolerations(true).length, 7);
  });
  test("keeps user tolerations first and does not modify the spec", () => {
    const spec = { containers: [], tolerations: [{ key: "x", operator: "Exists" }] };
    const out = addDaemonTolerations(spec);
    assert.equal(out[0]?.key, "x");
    assert.equal(out.length, 7);
    assert.equal(spec.tolerations.length, 1);
  });
  test("replaces an equal toleration with tolerationSeconds in place", () => {
    const spec = { containers: [], tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }, { key: "y", operator: "Exists" }] };
    const out = addDaemonTolerations(spec);
    assert.deepEqual(out[0], { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" });
    assert.equal(out[1]?.key, "y");
    assert.equal(out.length, 7);
  });
});

describe("addOrUpdateToleration", () => {
  const t: Toleration = { key: "k", operator: "Exists", effect: "NoSchedule" };
  const cases: { name: string; list: Toleration[]; want: Toleration[] }[] = [
    { name: "empty", list: [], want: [t] },
    { name: "identical kept", list: [{ ...t }], want: [t] },
    { name: "differs in seconds → replaced", list: [{ ...t, tolerationSeconds: 5 }], want: [t] },
    { name: "different effect → appended", list: [{ ...t, effect: "NoExecute" }], want: [{ ...t, effect: "NoExecute" }, t] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(addOrUpdateToleration(c.list, t), c.want));
});
