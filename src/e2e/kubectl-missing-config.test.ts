import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestCluster, until, type TestCluster } from "./harness.js";

const daemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: log-agent
spec:
  selector:
    matchLabels: { app: log-agent }
  template:
    metadata:
      labels: { app: log-agent }
    spec:
      containers:
      - name: agent
        image: fluent/fluent-bit:3.1
        volumeMounts:
        - { name: config, mountPath: /fluent-bit/etc }
      volumes:
      - name: config
        configMap:
          name: log-agent-config
`;

describe("kubectl: a DaemonSet mounting a ConfigMap that does not exist yet", () => {
  let c: TestCluster;
  before(async () => { c = await startTestCluster({ nodes: 2 }); });
  after(async () => { await c.stop(); });

  test("its pods wait in ContainerCreating with FailedMount, then run once the ConfigMap is created", async () => {
    await until(async () => (await c.kubectlOk(["get", "nodes", "--no-headers"])).trim().split("\n").filter((l) => / Ready /.test(l)).length === 2, "2 ready nodes");
    assert.equal((await c.kubectlOk(["apply", "-f", "-"], daemonSet)).trim(), "daemonset.apps/log-agent created");
    const podLines = async (): Promise<string[]> => (await c.kubectlOk(["get", "pods", "-l", "app=log-agent", "--no-headers"])).trim().split("\n").filter(Boolean);
    await until(async () => {
      const lines = await podLines();
      return lines.length === 2 && lines.every((l) => /\s0\/1\s+ContainerCreating\s+0\s/.test(l));
    }, "2 pods ContainerCreating");
    const name = (await podLines())[0]?.split(/\s+/)[0] ?? "";
    await until(async () => /Warning\s+FailedMount\s+\S+\s+kubelet\s+MountVolume\.SetUp failed for volume "config" : configmap "log-agent-config" not found/
      .test(await c.kubectlOk(["describe", "pod", name])), "FailedMount in describe");
    const describe = await c.kubectlOk(["describe", "pod", name]);
    assert.match(describe, /^Status:\s+Pending$/m);
    assert.match(describe, /State:\s+Waiting\n\s+Reason:\s+ContainerCreating/);
    // Still not running a while later: the kubelet never starts a pod without its volumes.
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok((await podLines()).every((l) => /ContainerCreating/.test(l)), (await podLines()).join("\n"));
    assert.match(await c.kubectlOk(["get", "ds", "log-agent", "--no-headers"]), /^log-agent\s+2\s+2\s+0\s+2\s+0\s/);

    assert.equal((await c.kubectlOk(["create", "configmap", "log-agent-config", "--from-literal=fluent-bit.conf=[SERVICE]"])).trim(), "configmap/log-agent-config created");
    await until(async () => {
      const lines = await podLines();
      return lines.length === 2 && lines.every((l) => /\s1\/1\s+Running\s+0\s/.test(l));
    }, "2 pods Running");
    await until(async () => /^log-agent\s+2\s+2\s+2\s+2\s+2\s/.test(await c.kubectlOk(["get", "ds", "log-agent", "--no-headers"])), "ds converged");
    assert.match(await c.kubectlOk(["rollout", "status", "ds/log-agent", "--timeout=30s"]), /successfully rolled out/);
  });

  test("a pod whose env names a missing Secret is CreateContainerConfigError with a Failed event", async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: env-from-secret
spec:
  nodeName: node-1
  containers:
  - name: app
    image: busybox
    env:
    - name: TOKEN
      valueFrom:
        secretKeyRef: { name: api-token, key: token }
`;
    await c.kubectlOk(["apply", "-f", "-"], pod);
    await until(async () => /^env-from-secret\s+0\/1\s+CreateContainerConfigError\s/.test(await c.kubectlOk(["get", "pod", "env-from-secret", "--no-headers"])), "CreateContainerConfigError");
    await until(async () => /Warning\s+Failed\s+\S+\s+kubelet\s+Error: secret "api-token" not found/.test(await c.kubectlOk(["describe", "pod", "env-from-secret"])), "Failed event");
    await c.kubectlOk(["create", "secret", "generic", "api-token", "--from-literal=other=x"]);
    await until(async () => (await c.kubectlOk(["get", "pod", "env-from-secret", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}"])) === "couldn't find key token in Secret default/api-token", "missing key message");
    await c.kubectlOk(["create", "secret", "generic", "api-token", "--from-literal=token=t", "--dry-run=client", "-o", "yaml"]).then((y) => c.kubectlOk(["apply", "-f", "-"], y));
    await until(async () => /^env-from-secret\s+1\/1\s+Running\s/.test(await c.kubectlOk(["get", "pod", "env-from-secret", "--no-headers"])), "Running");
  });
});
