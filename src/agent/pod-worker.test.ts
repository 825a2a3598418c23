import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Pod } from "../api/types.js";
import type { Client } from "../client/client.js";
import type { EventRecorder } from "../client/event-recorder.js";
import { FakeClock } from "../util/clock.js";
import type { ObjectCache } from "./object-cache.js";
import { PodWorker, type PodWorkerContext } from "./pod-worker.js";
import type { ContainerExit, ContainerHandle, ContainerLaunch, Runtime } from "./runtime.js";
import type { TokenManager } from "./token-manager.js";

/** A runtime whose instances exit when the test says so. */
class FakeRuntime implements Runtime {
  readonly version = "fake://1";
  readonly started: ContainerLaunch[] = [];
  private readonly exits = new Map<string, (exit: ContainerExit) => void>();
  unavailable(): Promise<string | undefined> { return Promise.resolve(undefined); }
  cannotRun(): string | undefined { return undefined; }
  start(launch: ContainerLaunch): Promise<ContainerHandle> {
    this.started.push(launch);
    const key = `${launch.containerName}/${launch.attempt}`;
    const exited = new Promise<ContainerExit>((resolve) => this.exits.set(key, resolve));
    return Promise.resolve({
      id: `fake://${key}`, podUID: launch.podUID, containerName: launch.containerName, attempt: launch.attempt,
      startedAt: Date.now(), pid: 1, exited, signal: () => undefined,
    });
  }
  /** Ends instance `attempt` of `container` with `exitCode`. */
  exit(container: string, attempt: number, exitCode: number): void {
    const end = this.exits.get(`${container}/${attempt}`);
    assert.ok(end, `instance ${container}/${attempt} was started`);
    end({ exitCode, finishedAt: Date.now() });
  }
  detach(): void { /* nothing to let go of */ }
  adopt(): Promise<ContainerHandle[]> { return Promise.resolve([]); }
  exec(): never { throw new Error("no exec in this fake"); }
  removePod(): Promise<void> { return Promise.resolve(); }
}

/** Lets every pending promise callback, I/O callback and immediate run. */
const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

const pod: Pod = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "p", namespace: "default", uid: "uid-1" },
  spec: { nodeName: "n", restartPolicy: "Always", containers: [{ name: "main", image: "busybox", command: ["sleep", "infinity"] }] },
};

describe("PodWorker", () => {
  let dir = "";
  before(async () => { dir = await mkdtemp(join(tmpdir(), "everynode-pod-worker-")); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  const start = (): { runtime: FakeRuntime; clock: FakeClock; worker: PodWorker; statuses: unknown[] } => {
    const runtime = new FakeRuntime();
    const clock = new FakeClock(Date.now());
    const statuses: unknown[] = [];
    const client = {
      patch: (_r: unknown, _ns: unknown, _name: unknown, _type: unknown, body: { status: Pod["status"] }) => { statuses.push(body.status); return Promise.resolve({ ...pod, status: body.status }); },
      delete: () => Promise.resolve({}),
    } as unknown as Client;
    const ctx: PodWorkerContext = {
      client, runtime, clock, now: () => clock.now(), recorder: { event: () => undefined } as unknown as EventRecorder,
      nodeIP: () => "10.0.0.1", allocatable: () => ({}), podDir: (uid) => join(dir, uid), syncMs: 60_000,
      volumes: { objects: {} as ObjectCache, tokens: {} as TokenManager, allocatable: () => ({}) },
      serviceEnv: () => ({}), output: () => ({ write: () => undefined, close: () => undefined }),
      onError: (err) => assert.fail(err instanceof Error ? err : String(err)),
    };
    return { runtime, clock, worker: new PodWorker(pod, ctx), statuses };
  };

  test("a container that exits is started again (restartPolicy Always)", async () => {
    const { runtime } = start();
    await settle();
    assert.equal(runtime.started.length, 1);
    runtime.exit("main", 0, 1);
    await settle();
    assert.deepEqual(runtime.started.map((l) => l.attempt), [0, 1]);
  });

  test("once stopped (agent shutdown) the worker starts nothing and writes no status when a container exits", async () => {
    const { runtime, clock, worker, statuses } = start();
    await settle();
    assert.equal(runtime.started.length, 1);
    const written = statuses.length;
    worker.stop();
    runtime.exit("main", 0, 1);
    await settle();
    clock.advance(10 * 60_000);
    await settle();
    assert.equal(runtime.started.length, 1, "no container was started after stop");
    assert.equal(statuses.length, written, "the next agent reports the exit, not this one");
    worker.update({ ...pod, metadata: { ...pod.metadata, labels: { changed: "yes" } } });
    await settle();
    assert.equal(runtime.started.length, 1, "an update after stop starts nothing either");
  });
});
