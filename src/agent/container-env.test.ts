import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, Pod } from "../api/types.js";
import type { ReferencedObject, ReferenceLookup } from "../api/pod-references.js";
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

test("env takes ConfigMaps and Secrets from the lookup: envFrom (prefixed) before env, optional sources skipped", () => {
  const objects: Record<string, ReferencedObject> = {
    "configmap/ns/cfg": { data: { LEVEL: "debug", "BAD=NAME": "x" } },
    "secret/ns/db": { data: { password: Buffer.from("s3cret").toString("base64") } },
  };
  const lookup: ReferenceLookup = (kind, ns, name) => objects[`${kind}/${ns}/${name}`];
  const c: Container = {
    name: "c",
    envFrom: [{ configMapRef: { name: "cfg" }, prefix: "APP_" }, { secretRef: { name: "absent", optional: true } }],
    env: [
      { name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
      { name: "OPT", valueFrom: { configMapKeyRef: { name: "cfg", key: "nope", optional: true } } },
      { name: "MSG", value: "$(APP_LEVEL)@$(KUBERNETES_SERVICE_HOST)" },
    ],
  };
  assert.deepEqual(containerEnv(pod, c, {}, lookup, { KUBERNETES_SERVICE_HOST: "192.0.2.1" }),
    { KUBERNETES_SERVICE_HOST: "192.0.2.1", APP_LEVEL: "debug", PW: "s3cret", MSG: "debug@192.0.2.1" });
  const missingKey: Container = { name: "c", env: [{ name: "X", valueFrom: { secretKeyRef: { name: "db", key: "user" } } }] };
  assert.throws(() => containerEnv(pod, missingKey, {}, lookup), (e: unknown) => e instanceof ContainerConfigError && e.message === "couldn't find key user in Secret ns/db");
  const missingFrom: Container = { name: "c", envFrom: [{ secretRef: { name: "gone" } }] };
  assert.throws(() => containerEnv(pod, missingFrom, {}, lookup), (e: unknown) => e instanceof ContainerConfigError && e.message === 'secret "gone" not found');
});

test("API data volumes live in the pod's directory and are mounted read-only", () => {
  const p: Pod = { ...pod, spec: { containers: [], volumes: [{ name: "cfg", configMap: { name: "x" } }, { name: "tok", projected: { sources: [] } }, { name: "pvc", persistentVolumeClaim: { claimName: "c" } }] } };
  const c: Container = { name: "c", volumeMounts: [{ name: "cfg", mountPath: "/etc/cfg" }, { name: "tok", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: false }] };
  assert.deepEqual(containerMounts(p, c, podVolumeDirs(p, "/d/pods/u")), [
    { hostPath: "/d/pods/u/volumes/cfg", containerPath: "/etc/cfg", readOnly: true },
    { hostPath: "/d/pods/u/volumes/tok", containerPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
  ]);
  assert.throws(() => containerMounts(p, { name: "c", volumeMounts: [{ name: "pvc", mountPath: "/data" }] }, podVolumeDirs(p, "/d")), /cannot provide/);
});
