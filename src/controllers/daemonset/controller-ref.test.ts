import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { labelSelectorFromObject } from "../../api/label-selector.js";
import type { Pod } from "../../api/types.js";
import { classifyClaim } from "./controller-ref.js";
import { groupPodsByNode, selectsAll } from "./sync.js";
import { makeDaemonSet, makePod } from "./testing/fixtures.js";

describe("classifyClaim", () => {
  const ds = makeDaemonSet({ uid: "me" });
  const deletingDs = { ...ds, metadata: { ...ds.metadata, deletionTimestamp: "2024-01-01T00:00:00Z" } };
  const sel = labelSelectorFromObject(ds.spec?.selector);
  const other = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, namespace: "elsewhere" } });
  const cases: { name: string; pod: Pod; ds?: typeof ds; want: string }[] = [
    { name: "owned and matching", pod: makePod({ name: "p", ownerUid: "me" }), want: "own" },
    { name: "owned, matching, being deleted", pod: makePod({ name: "p", ownerUid: "me", deleting: true }), want: "own" },
    { name: "owned by another controller", pod: makePod({ name: "p", ownerUid: "you" }), want: "ignore" },
    { name: "owned but not matching", pod: makePod({ name: "p", ownerUid: "me", labels: { app: "x" } }), want: "release" },
    { name: "owned, not matching, DaemonSet deleting", pod: makePod({ name: "p", ownerUid: "me", labels: { app: "x" } }), ds: deletingDs, want: "ignore" },
    { name: "orphan matching", pod: makePod({ name: "p" }), want: "adopt" },
    { name: "orphan not matching", pod: makePod({ name: "p", labels: { app: "x" } }), want: "ignore" },
    { name: "orphan being deleted", pod: makePod({ name: "p", deleting: true }), want: "ignore" },
    { name: "orphan in another namespace", pod: other(makePod({ name: "p" })), want: "ignore" },
    { name: "orphan, DaemonSet deleting", pod: makePod({ name: "p" }), ds: deletingDs, want: "ignore" },
  ];
  for (const c of cases) test(c.name, () => assert.equal(classifyClaim(c.pod, c.ds ?? ds, sel), c.want));
});

describe("sync helpers", () => {
  test("selectsAll", () => {
    const ds = makeDaemonSet();
    assert.equal(selectsAll(ds), false);
    assert.equal(selectsAll({ ...ds, spec: { ...ds.spec!, selector: {} } }), true);
    assert.equal(selectsAll({ ...ds, spec: { ...ds.spec!, selector: { matchLabels: {}, matchExpressions: [] } } }), true);
  });
  test("groupPodsByNode: bound or targeted pods grouped; terminal deleting pods left out but their hashes live", () => {
    const { nodeToPods, live } = groupPodsByNode([
      makePod({ name: "a", node: "n1", hash: "h1" }),
      makePod({ name: "b", target: "n2", hash: "h2" }),
      makePod({ name: "c", node: "n1", hash: "h3", phase: "Failed", deleting: true }),
      makePod({ name: "d", hash: "h4" }),
    ]);
    assert.deepEqual([...nodeToPods].map(([n, ps]) => [n, ps.map((p) => p.metadata?.name)]), [["n1", ["a"]], ["n2", ["b"]]]);
    assert.deepEqual([...live].sort(), ["h1", "h2", "h3", "h4"]);
  });
});
