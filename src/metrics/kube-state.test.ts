import assert from "node:assert/strict";
import { test } from "node:test";
import type { DaemonSet, Node, Pod } from "../api/types.js";
import { eventually } from "../client/testing/eventually.js";
import { R, startTestCluster } from "../controller/testing/cluster.js";
import { KubeStateMetrics } from "./kube-state.js";

function samples(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

test("kube-state series follow DaemonSets, nodes and pods through the informers, with upstream names and labels", async () => {
  const c = await startTestCluster();
  const ksm = new KubeStateMetrics({ informers: c.informers });
  c.startInformers();
  try {
    await c.client.create<Node>(R.nodes, undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { unschedulable: true } });
    const ds = await c.client.create<DaemonSet>(R.daemonsets, "default", {
      apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", labels: { app: "agent" } },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "img" }] } } },
    });
    await c.client.create<Pod>(R.pods, "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "p1" }, spec: { containers: [{ name: "c", image: "img" }] } });
    await eventually(() => samples(ksm.render(), "kube_pod_status_phase").length === 5, "pod phase series");
    const text = ksm.render();
    assert.match(text, /^# HELP kube_daemonset_status_desired_number_scheduled \[STABLE\] The number of nodes that should be running the daemon pod\.$/m);
    assert.match(text, /^# TYPE kube_pod_container_status_restarts_total counter$/m);
    assert.deepEqual(samples(text, "kube_daemonset_metadata_generation"), ['kube_daemonset_metadata_generation{namespace="default",daemonset="agent"} 1']);
    assert.deepEqual(samples(text, "kube_daemonset_status_number_ready"), ['kube_daemonset_status_number_ready{namespace="default",daemonset="agent"} 0']);
    assert.deepEqual(samples(text, "kube_daemonset_labels"), [], "no labels without an allowlist, as upstream");
    assert.deepEqual(samples(text, "kube_node_spec_unschedulable"), ['kube_node_spec_unschedulable{node="n1"} 1']);
    const uid = (await c.client.get<Pod>(R.pods, "default", "p1")).metadata?.uid ?? "";
    assert.ok(samples(text, "kube_pod_status_phase").includes(`kube_pod_status_phase{namespace="default",pod="p1",uid="${uid}",phase="Pending"} 1`));
    assert.ok(samples(text, "kube_pod_status_phase").includes(`kube_pod_status_phase{namespace="default",pod="p1",uid="${uid}",phase="Running"} 0`));

    // Status changes show at the next scrape; deletions remove the object's series.
    const current = await c.client.get<DaemonSet>(R.daemonsets, "default", "agent");
    await c.client.updateStatus<DaemonSet>(R.daemonsets, "default", { ...current, status: { currentNumberScheduled: 2, desiredNumberScheduled: 3, numberMisscheduled: 0, numberReady: 2, observedGeneration: 1 } });
    await c.client.updateStatus<Node>(R.nodes, undefined, { ...(await c.client.get<Node>(R.nodes, undefined, "n1")), status: { conditions: [{ type: "Ready", status: "True" }] } });
    await eventually(() => samples(ksm.render(), "kube_node_status_condition").length === 3, "node condition series");
    const after = ksm.render();
    assert.deepEqual(samples(after, "kube_daemonset_status_number_ready"), ['kube_daemonset_status_number_ready{namespace="default",daemonset="agent"} 2']);
    assert.deepEqual(samples(after, "kube_node_status_condition"), [
      'kube_node_status_condition{node="n1",condition="Ready",status="true"} 1',
      'kube_node_status_condition{node="n1",condition="Ready",status="false"} 0',
      'kube_node_status_condition{node="n1",condition="Ready",status="unknown"} 0',
    ]);
    await c.client.delete(R.daemonsets, "default", ds.metadata?.name ?? "");
    await eventually(() => samples(ksm.render(), "kube_daemonset_status_number_ready").length === 0, "series of the deleted DaemonSet gone");
  } finally {
    await c.stop();
  }
});

test("kube_daemonset_labels carries allowlisted labels as label_<sanitized>", async () => {
  const c = await startTestCluster();
  const ksm = new KubeStateMetrics({ informers: c.informers, daemonSetLabels: ["app.kubernetes.io/name"] });
  c.startInformers();
  try {
    await c.client.create<DaemonSet>(R.daemonsets, "default", {
      apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "agent", labels: { "app.kubernetes.io/name": "agent", other: "x" } },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "c", image: "img" }] } } },
    });
    await eventually(() => samples(ksm.render(), "kube_daemonset_labels").length === 1, "labels series");
    assert.deepEqual(samples(ksm.render(), "kube_daemonset_labels"), ['kube_daemonset_labels{namespace="default",daemonset="agent",label_app_kubernetes_io_name="agent"} 1']);
  } finally {
    await c.stop();
  }
});
