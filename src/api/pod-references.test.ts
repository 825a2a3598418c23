import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod } from "./types.js";
import { blockedStart, podObjectNames, ReferenceWaits, type ReferencedObject, type ReferenceLookup } from "./pod-references.js";

function lookupOf(objects: Record<string, ReferencedObject>): ReferenceLookup {
  return (kind, namespace, name) => objects[`${kind}/${namespace}/${name}`];
}

function podWith(spec: Partial<NonNullable<Pod["spec"]>>): Pod {
  return { metadata: { name: "p", namespace: "ns" }, spec: { containers: [{ name: "app", image: "nginx" }], ...spec } };
}

describe("blockedStart", () => {
  test("a missing ConfigMap or Secret volume is a FailedMount; optional ones and present ones are not", () => {
    const cm = podWith({ volumes: [{ name: "config", configMap: { name: "cfg" } }] });
    assert.deepEqual(blockedStart(cm, lookupOf({})), {
      reason: "ContainerCreating",
      event: { reason: "FailedMount", message: 'MountVolume.SetUp failed for volume "config" : configmap "cfg" not found' },
      waitsFor: ["configmap/ns/cfg"],
    });
    assert.equal(blockedStart(cm, lookupOf({ "configmap/ns/cfg": { data: {} } })), undefined);
    const optional = podWith({ volumes: [{ name: "config", configMap: { name: "cfg", optional: true } }] });
    assert.equal(blockedStart(optional, lookupOf({})), undefined);
    const secret = podWith({ volumes: [{ name: "certs", secret: { secretName: "tls" } }] });
    assert.equal(blockedStart(secret, lookupOf({}))?.event.message, 'MountVolume.SetUp failed for volume "certs" : secret "tls" not found');
    const items = podWith({ volumes: [{ name: "config", configMap: { name: "cfg", items: [{ key: "a.conf", path: "a" }] } }] });
    assert.equal(blockedStart(items, lookupOf({ "configmap/ns/cfg": { data: { other: "x" } } }))?.event.message,
      'MountVolume.SetUp failed for volume "config" : configmap references non-existent config key: a.conf');
    assert.equal(blockedStart(items, lookupOf({ "configmap/ns/cfg": { binaryData: { "a.conf": "eA==" } } })), undefined);
    const projected = podWith({ volumes: [{ name: "all", projected: { sources: [{ secret: { name: "s" } }] } }] });
    assert.deepEqual(blockedStart(projected, lookupOf({}))?.waitsFor, ["secret/ns/s"]);
  });

  test("a missing environment source is a CreateContainerConfigError with the kubelet's messages", () => {
    const envFrom = podWith({ containers: [{ name: "app", envFrom: [{ configMapRef: { name: "env" } }] }] });
    assert.deepEqual(blockedStart(envFrom, lookupOf({})), {
      reason: "CreateContainerConfigError", message: 'configmap "env" not found',
      event: { reason: "Failed", message: 'Error: configmap "env" not found' }, waitsFor: ["configmap/ns/env"],
    });
    const keyRef = podWith({ containers: [{ name: "app", env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "password" } } }] }] });
    assert.equal(blockedStart(keyRef, lookupOf({}))?.message, 'secret "db" not found');
    assert.equal(blockedStart(keyRef, lookupOf({ "secret/ns/db": { data: { user: "dQ==" } } }))?.message, "couldn't find key password in Secret ns/db");
    assert.equal(blockedStart(keyRef, lookupOf({ "secret/ns/db": { data: { password: "cA==" } } })), undefined);
    const cmKey = podWith({ containers: [{ name: "app", env: [{ name: "L", valueFrom: { configMapKeyRef: { name: "c", key: "level" } } }] }] });
    assert.equal(blockedStart(cmKey, lookupOf({ "configmap/ns/c": { data: {} } }))?.message, "couldn't find key level in ConfigMap ns/c");
    const optional = podWith({ containers: [{ name: "app", envFrom: [{ secretRef: { name: "s", optional: true } }], env: [{ name: "L", valueFrom: { configMapKeyRef: { name: "c", key: "k", optional: true } } }] }] });
    assert.equal(blockedStart(optional, lookupOf({})), undefined);
    const both = podWith({ volumes: [{ name: "v", secret: { secretName: "s" } }], containers: [{ name: "app", envFrom: [{ configMapRef: { name: "env" } }] }] });
    assert.equal(blockedStart(both, lookupOf({}))?.reason, "ContainerCreating", "volumes are mounted before containers are configured");
  });

  test("ReferenceWaits finds the pods waiting for an object and forgets them", () => {
    const waits = new ReferenceWaits();
    waits.set("ns/a", ["configmap/ns/c"]);
    waits.set("ns/b", ["configmap/ns/c", "secret/ns/s"]);
    assert.deepEqual(waits.podsWaitingFor("configmap/ns/c"), ["ns/a", "ns/b"]);
    waits.set("ns/b", []);
    assert.deepEqual(waits.podsWaitingFor("configmap/ns/c"), ["ns/a"]);
    assert.deepEqual(waits.podsWaitingFor("secret/ns/s"), []);
    waits.clear("ns/a");
    assert.equal(waits.size, 0);
  });
});

describe("podObjectNames", () => {
  test("walks environment, every volume kind and image pull secrets, optional references included", () => {
    const names = podObjectNames(podWith({
      serviceAccountName: "agent", imagePullSecrets: [{ name: "pull" }],
      initContainers: [{ name: "init", env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "init-cm", key: "k", optional: true } } }] }],
      containers: [{ name: "app", envFrom: [{ secretRef: { name: "env-secret" } }, { configMapRef: { name: "env-cm" } }] }],
      volumes: [
        { name: "a", configMap: { name: "vol-cm" } }, { name: "b", secret: { secretName: "vol-secret" } },
        { name: "c", projected: { sources: [{ configMap: { name: "proj-cm" } }, { secret: { name: "proj-secret" } }, { serviceAccountToken: { path: "t" } }] } },
        { name: "d", csi: { driver: "x", nodePublishSecretRef: { name: "csi-secret" } } }, { name: "e", azureFile: { secretName: "az", shareName: "s" } },
      ],
    }));
    assert.deepEqual([...names.configmaps].sort(), ["env-cm", "init-cm", "proj-cm", "vol-cm"]);
    assert.deepEqual([...names.secrets].sort(), ["az", "csi-secret", "env-secret", "proj-secret", "pull", "vol-secret"]);
    assert.equal(names.serviceAccount, "agent");
    assert.equal(podObjectNames(podWith({})).serviceAccount, undefined);
  });
});
