import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mustFindResource } from "../api/resources.js";
import type { CoreEvent, Pod } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { NodeSimulator } from "./node-simulator.js";
import { blockedStart, ReferenceWaits, type ReferencedObject, type ReferenceLookup } from "./pod-references.js";
import { R, startCluster } from "./testing/cluster.js";

const configMaps = mustFindResource("", "configmaps");
const secrets = mustFindResource("", "secrets");
const events = mustFindResource("", "events");

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

describe("NodeSimulator pods with missing references", () => {
  test("a pod mounting a missing ConfigMap stays ContainerCreating with FailedMount until the ConfigMap exists", async () => {
    const c = await startCluster();
    const sim = new NodeSimulator({ client: c.client, informers: c.informers, clock: c.clock, now: c.now, random: () => 0.5, graceScale: 0.01, nodeCount: 1 });
    c.startInformers();
    const run = sim.run(c.signal);
    try {
      const mounts: Pod = {
        apiVersion: "v1", kind: "Pod", metadata: { name: "agent", namespace: "default" },
        spec: { nodeName: "node-1", volumes: [{ name: "config", configMap: { name: "agent-config" } }], containers: [{ name: "app", image: "fluent-bit" }] },
      };
      const envs: Pod = {
        apiVersion: "v1", kind: "Pod", metadata: { name: "env", namespace: "default" },
        spec: { nodeName: "node-1", containers: [{ name: "app", image: "x", env: [{ name: "T", valueFrom: { secretKeyRef: { name: "token", key: "t" } } }] }] },
      };
      await c.client.create(R.pods, "default", mounts);
      await c.client.create(R.pods, "default", envs);
      const waiting = (name: string, reason: string) => async (): Promise<Pod | undefined> => {
        const p = await c.client.get<Pod>(R.pods, "default", name);
        return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === reason ? p : undefined;
      };
      const blocked = await eventually(waiting("agent", "ContainerCreating"), c);
      assert.equal(blocked.status?.phase, "Pending");
      const config = await eventually(waiting("env", "CreateContainerConfigError"), c);
      assert.equal(config.status?.containerStatuses?.[0]?.state?.waiting?.message, 'secret "token" not found');
      const evs = await eventually(async () => {
        const list = (await c.client.list<CoreEvent>(events, "default")).items;
        return list.length >= 2 ? list : undefined;
      }, c);
      const byPod = new Map(evs.map((e) => [e.involvedObject?.name, e]));
      assert.equal(byPod.get("agent")?.reason, "FailedMount");
      assert.equal(byPod.get("agent")?.type, "Warning");
      assert.equal(byPod.get("agent")?.message, 'MountVolume.SetUp failed for volume "config" : configmap "agent-config" not found');
      assert.equal(byPod.get("env")?.reason, "Failed");
      assert.equal(byPod.get("env")?.message, 'Error: secret "token" not found');
      for (let i = 0; i < 5; i++) {
        c.clock.advance(2000);
        await settle(20);
      }
      assert.equal((await c.client.get<Pod>(R.pods, "default", "agent")).status?.phase, "Pending", "never Running while the ConfigMap is missing");
      await c.client.create(configMaps, "default", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "agent-config" }, data: { "a.conf": "x" } });
      await c.client.create(secrets, "default", { apiVersion: "v1", kind: "Secret", metadata: { name: "token" }, data: { t: "dA==" } });
      for (const name of ["agent", "env"]) {
        await eventually(async () => {
          const p = await c.client.get<Pod>(R.pods, "default", name);
          return p.status?.phase === "Running" ? p : undefined;
        }, c);
      }
    } finally {
      await c.stop(run);
    }
  });
});

/** Polls `read` while advancing the fake clock until it returns a value. */
async function eventually<T>(read: () => Promise<T | undefined>, c: { clock: { advance: (ms: number) => void } }): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await read();
    if (v !== undefined) return v;
    c.clock.advance(200);
    await settle(5);
  }
  throw new Error("timed out");
}
