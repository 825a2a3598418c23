import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, type TestCluster } from "./harness.js";

/** A DaemonSet using fields that Kubernetes 1.31 and 1.32 added to the pod template. */
const podLevelResources = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: pod-level-resources
spec:
  selector:
    matchLabels: {app: plr}
  template:
    metadata:
      labels: {app: plr}
    spec:
      resources:
        limits: {cpu: 500m, memory: 256Mi}
      securityContext:
        supplementalGroupsPolicy: Strict
      containers:
      - name: main
        image: nginx
      volumes:
      - name: models
        image:
          reference: quay.io/example/models:v1
          pullPolicy: IfNotPresent
`;

describe("kubectl sees the Kubernetes 1.32 field set", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ controllers: false }); });
  after(async () => { await c.stop(); });

  test("explain describes fields added in 1.31 and 1.32", async () => {
    const resources = await c.kubectlOk(["explain", "pod.spec.resources"]);
    assert.match(resources, /FIELD:\s+resources <ResourceRequirements>/);
    assert.match(resources, /Resources is the total amount of CPU and Memory resources required by all\s+containers in the pod/);
    assert.match(resources, /PodLevelResources feature/);
    assert.match(await c.kubectlOk(["explain", "pod.status.containerStatuses.user"]), /FIELD:\s+user <ContainerUser>/);
    assert.match(await c.kubectlOk(["explain", "pod.status.containerStatuses.allocatedResourcesStatus"]),
      /FIELD:\s+allocatedResourcesStatus <\[\]ResourceStatus>/);
    const image = await c.kubectlOk(["explain", "daemonset.spec.template.spec.volumes.image"]);
    assert.match(image, /FIELD:\s+image <ImageVolumeSource>/);
    assert.match(image, /image represents an OCI object \(a container image or artifact\)/);
  });

  test("explain knows no field from 1.33 or later", async () => {
    const r = await c.kubectl(["explain", "pod.spec.containers.lifecycle.stopSignal"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /field "stopSignal" does not exist/);
    assert.doesNotMatch(await c.kubectlOk(["explain", "pod.status.containerStatuses"]), /stopSignal/);
  });

  test("apply validates a manifest using 1.32 fields and rejects a misspelt one", async () => {
    assert.equal((await c.kubectlOk(["apply", "--validate=strict", "-f", "-"], podLevelResources)).trim(),
      "daemonset.apps/pod-level-resources created");
    const typo = podLevelResources.replace("name: pod-level-resources", "name: typo").replace("      resources:\n", "      resourcez:\n");
    const r = await c.kubectl(["apply", "--validate=strict", "-f", "-"], typo);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown field "spec\.template\.spec\.resourcez"/);
  });
});
