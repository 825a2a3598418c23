import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { eventually, startTestCluster, type TestCluster } from "./harness.js";

/** A simulated node with room for 1 cpu and 3 pods. */
const smallNode = `apiVersion: v1
kind: Node
metadata:
  name: small
  labels:
    kubernetes.io/hostname: small
  annotations:
    everynode.dev/simulated: "true"
status:
  capacity: {cpu: "1", memory: 2Gi, pods: "3"}
  allocatable: {cpu: "1", memory: 2Gi, pods: "3"}
`;

const lowPriority = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata:
  name: batch-low
value: 100
description: batch work that may be preempted
---
apiVersion: v1
kind: Pod
metadata:
  name: filler
spec:
  priorityClassName: batch-low
  containers:
  - name: work
    image: busybox
    resources:
      requests: {cpu: 800m}
`;

const criticalDaemon = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-agent
  namespace: kube-system
spec:
  selector:
    matchLabels: {app: node-agent}
  template:
    metadata:
      labels: {app: node-agent}
    spec:
      priorityClassName: system-node-critical
      containers:
      - name: agent
        image: registry.k8s.io/node-agent:1.0
        resources:
          requests: {cpu: 500m}
`;

describe("kubectl: a system-node-critical DaemonSet preempts a low-priority pod", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster(); });
  after(async () => { await c.stop(); });

  test("the low pod is preempted with upstream's events and condition; the daemon pod runs", async () => {
    await c.kubectlOk(["create", "-f", "-"], smallNode);
    await c.kubectlOk(["create", "-f", "-"], lowPriority);
    await eventually(async () => {
      const phase = await c.kubectlOk(["get", "pod", "filler", "-o", "jsonpath={.status.phase}"]);
      if (phase !== "Running") throw new Error(`filler is ${phase}`);
    });
    const fillerUid = await c.kubectlOk(["get", "pod", "filler", "-o", "jsonpath={.metadata.uid}"]);
    await c.kubectlOk(["create", "-f", "-"], criticalDaemon);
    const daemonPod = await eventually(async () => {
      const out = await c.kubectlOk(["get", "pods", "-n", "kube-system", "-l", "app=node-agent", "-o", "jsonpath={.items[0].metadata.name} {.items[0].status.phase}"]);
      const [name, phase] = out.split(" ");
      if (!name || phase !== "Running") throw new Error(`daemon pod not running yet: ${out}`);
      return name;
    }, 30_000);
    const daemonUid = await c.kubectlOk(["get", "pod", daemonPod, "-n", "kube-system", "-o", "jsonpath={.metadata.uid}"]);
    assert.equal(await c.kubectlOk(["get", "pod", daemonPod, "-n", "kube-system", "-o", "jsonpath={.spec.nodeName} {.status.nominatedNodeName} {.spec.priority}"]),
      "small small 2000001000");
    const gone = await c.kubectl(["get", "pod", "filler"]);
    assert.match(gone.stderr, /pods "filler" not found/);

    // The victim's event, as `kubectl get events` shows it.
    const events = await c.kubectlOk(["get", "events", "--field-selector", `involvedObject.uid=${fillerUid}`, "-o", "custom-columns=TYPE:.type,REASON:.reason,SOURCE:.source.component,ACTION:.action,MESSAGE:.message", "--no-headers"]);
    assert.match(events, new RegExp(`^Normal\\s+Preempted\\s+default-scheduler\\s+Preempting\\s+Preempted by pod ${daemonUid} on node small$`, "m"));
    const table = await c.kubectlOk(["get", "events"]);
    assert.match(table, /Normal\s+Preempted\s+pod\/filler\s+Preempted by pod \S+ on node small/);
    // The preemptor's own FailedScheduling before it was nominated, without a preemption verdict.
    const daemonEvents = await c.kubectlOk(["get", "events", "-n", "kube-system", "--field-selector", `involvedObject.name=${daemonPod}`, "-o", "custom-columns=REASON:.reason,MESSAGE:.message", "--no-headers"]);
    assert.match(daemonEvents, /^FailedScheduling\s+0\/1 nodes are available: 1 Insufficient cpu\.$/m);
    assert.match(daemonEvents, /^Scheduled\s+Successfully assigned kube-system\/\S+ to small$/m);

    // The simulated kubelet's events, as the kubelet records them: kubectl describe reads as on a real node.
    const describe = await c.kubectlOk(["describe", "pod", daemonPod, "-n", "kube-system"]);
    const described = describe.slice(describe.indexOf("Events:"));
    for (const line of [
      /Normal\s+Pulled\s+\S+\s+kubelet\s+Container image "registry.k8s.io\/node-agent:1.0" already present on machine/,
      /Normal\s+Created\s+\S+\s+kubelet\s+Created container agent/,
      /Normal\s+Started\s+\S+\s+kubelet\s+Started container agent/,
    ]) assert.match(described, line);
    const kubelet = await c.kubectlOk(["get", "events", "-n", "kube-system", "--field-selector", `involvedObject.name=${daemonPod},reason=Started`,
      "-o", "jsonpath={.items[0].source.component} {.items[0].source.host} {.items[0].involvedObject.fieldPath}"]);
    assert.equal(kubelet, "kubelet small spec.containers{agent}");
  });
});
