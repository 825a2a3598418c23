import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { daemonPodGenerateName, newDaemonPod, replaceNodeNameAffinity } from "./pod-template.js";
import { makeDaemonSet } from "./testing/fixtures.js";

describe("newDaemonPod", () => {
  const ds = makeDaemonSet({ name: "fluentd", uid: "u1", labels: { app: "fluentd" } });
  ds.spec!.template.metadata!.annotations = { note: "x" };
  ds.spec!.template.spec!.affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z"] }] }] },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: "ssd", operator: "Exists" }] } }],
    },
    podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [] },
  };
  const pod = newDaemonPod(ds, "node-7", "6b8f9c", 3);

  test("metadata", () => {
    assert.equal(pod.metadata?.generateName, "fluentd-");
    assert.equal(pod.metadata?.name, undefined);
    assert.equal(pod.metadata?.namespace, "default");
    assert.deepEqual(pod.metadata?.labels, { app: "fluentd", "pod-template-generation": "3", "controller-revision-hash": "6b8f9c" });
    assert.deepEqual(pod.metadata?.annotations, { note: "x" });
    assert.deepEqual(pod.metadata?.ownerReferences, [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "fluentd", uid: "u1", controller: true, blockOwnerDeletion: true }]);
  });
  test("affinity: required replaced by the node term, preferred and pod anti-affinity kept", () => {
    assert.deepEqual(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["node-7"] }] }],
    });
    assert.equal(pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.weight, 5);
    assert.deepEqual(pod.spec?.affinity?.podAntiAffinity, { requiredDuringSchedulingIgnoredDuringExecution: [] });
  });
  test("nodeName left empty, default tolerations added, DaemonSet untouched", () => {
    assert.equal(pod.spec?.nodeName, undefined);
    assert.equal(pod.spec?.tolerations?.length, 6);
    assert.equal(ds.spec?.template.spec?.tolerations, undefined);
    assert.equal(ds.spec?.template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.key, "zone");
    assert.equal(ds.spec?.template.metadata?.labels?.["controller-revision-hash"], undefined);
  });
  test("no generation label without a template generation; no hash label with an empty hash", () => {
    const p = newDaemonPod(ds, "n", "", undefined);
    assert.deepEqual(p.metadata?.labels, { app: "fluentd" });
  });
});

describe("replaceNodeNameAffinity", () => {
  const term = { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }] };
  const cases = [
    { name: "no affinity", in: undefined },
    { name: "empty affinity", in: {} },
    { name: "empty node affinity", in: { nodeAffinity: {} } },
    { name: "existing required", in: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["other"] }] }] } } } },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(replaceNodeNameAffinity(c.in, "n1").nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, term));
  }
});

test("daemonPodGenerateName", () => {
  assert.equal(daemonPodGenerateName("x"), "x-");
  assert.equal(daemonPodGenerateName("a".repeat(253)), "a".repeat(253));
});
