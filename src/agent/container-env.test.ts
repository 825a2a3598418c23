import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, Pod } from "../api/types.js";
import { ContainerConfigError, containerArgv, containerEnv, containerMounts, expandVars, podVolumeDirs } from "./container-env.js";

const container: Container = {
  name: "c", command: ["echo", "$(NODE)", "$$(NODE)"], args: ["$(MISSING)"],
  resources: { requests: { cpu: "250m" }, limits: { memory: "64Mi" } },
  env: [
    { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } },
    { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: "GREETING", value: "hi $(NODE)" },
    { name: "CPU", valueFrom: { resourceFieldRef: { resource: "requests.cpu" } } },
    { name: "MEM", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } } },
    { name: "CPULIMIT", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
  ],
  volumeMounts: [{ name: "scratch", mountPath: "/scratch" }, { name: "logs", mountPath: "/var/log", readOnly: true }],
};
const pod: Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u", labels: { app: "demo" } },
  spec: { nodeName: "agent-a", containers: [container], volumes: [{ name: "scratch", emptyDir: {} }, { name: "logs", hostPath: { path: "/var/log" } }] },
  status: { hostIP: "192.0.2.2" },
};

test("env resolves downward API fields and resources, and $(VAR) references to earlier variables", () => {
  const env = containerEnv(pod, container, { cpu: "2", memory: "1Gi" });
  assert.deepEqual(env, { NODE: "agent-a", IP: "192.0.2.2", APP: "demo", GREETING: "hi agent-a", CPU: "1", MEM: "64", CPULIMIT: "2" });
  assert.deepEqual(containerArgv(container, env), ["echo", "agent-a", "$(NODE)", "$(MISSING)"]);
  assert.equal(expandVars("$(A)-$$(A)", { A: "x" }), "x-$(A)");
});

test("a missing ConfigMap is a CreateContainerConfigError; mounts map emptyDir to the pod's directory", () => {
  const bad: Container = { name: "c", env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cm", key: "k" } } }] };
  assert.throws(() => containerEnv(pod, bad, {}), (e: unknown) => e instanceof ContainerConfigError && e.message === 'configmap "cm" not found');
  assert.deepEqual(containerMounts(pod, container, podVolumeDirs(pod, "/data/pods/u")), [
    { hostPath: "/data/pods/u/volumes/scratch", containerPath: "/scratch", readOnly: false },
    { hostPath: "/var/log", containerPath: "/var/log", readOnly: true },
  ]);
});
