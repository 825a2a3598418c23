import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mustFindResource } from "../api/resources.js";
import type { CoreEvent, Pod } from "../api/types.js";
import { settle } from "../client/testing/eventually.js";
import { NodeSimulator } from "./node-simulator.js";
import { R, startCluster } from "./testing/cluster.js";

const configMaps = mustFindResource("", "configmaps");
const secrets = mustFindResource("", "secrets");
const events = mustFindResource("", "events");

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
