/** Test harness of control loops: a started in-memory registry behind a loopback client, shared informers, a fake clock. */
import assert from "node:assert/strict";
import { setMaxListeners } from "node:events";
import type { Registry } from "../../apiserver/registry/index.js";
import { R, startHarness } from "../../apiserver/registry/testing/fixtures.js";
import type { Client } from "../../client/client.js";
import { SharedInformerFactory } from "../../client/informer-factory.js";
import { createLoopbackClient } from "../../client/loopback.js";
import { settle as settleTurns } from "../../client/testing/eventually.js";
import { FakeClock } from "../../util/clock.js";
import type { ControlLoopOptions } from "../control-loop.js";

/** The served resources by plural name (those of the registry fixtures). */
export { R };

/** Options of startTestCluster; the defaults suit controller tests. */
export interface TestClusterOptions {
  /** Epoch ms the fake clock starts at (default 2024-05-01T10:00:00Z). */
  clockStart?: number;
  /** Registry timestamps follow the fake clock (default true); false: the system time. */
  registryOnClock?: boolean;
  /** The informers' backoff and resync run on the fake clock (default true); false: the real clock. */
  informersOnClock?: boolean;
  /** Namespaces created (default `default` and `other`). */
  namespaces?: readonly string[];
}

/** Everything a control-loop test needs; always `await stop()`. */
export interface TestCluster {
  registry: Registry;
  /** Loopback client over the registry. */
  client: Client;
  /** Shared informers over `client` (started by startInformers). */
  informers: SharedInformerFactory;
  /** Drives the components' timers. */
  clock: FakeClock;
  /** Aborted by stop(): run components on it. */
  signal: AbortSignal;
  /** Starts the informers (call after the components requested theirs). */
  startInformers(): void;
  /** Aborts components and informers, waits for `running`, closes registry and backend; rethrows a failed run. */
  stop(...running: Promise<unknown>[]): Promise<void>;
}

/** Starts a registry on a MemoryBackend with the namespaces, a loopback client, informers and a fake clock. */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const clock = new FakeClock(options.clockStart ?? Date.parse("2024-05-01T10:00:00Z"));
  const now = (options.registryOnClock ?? true) ? () => new Date(clock.now()) : () => new Date();
  const harness = await startHarness({ now, namespaces: [...(options.namespaces ?? ["default", "other"])] });
  const client = createLoopbackClient(harness.registry);
  const informers = new SharedInformerFactory(client, (options.informersOnClock ?? true) ? { clock } : {});
  const abort = new AbortController();
  // Every informer and worker waits on the one signal.
  setMaxListeners(100, abort.signal);
  return {
    registry: harness.registry, client, informers, clock, signal: abort.signal,
    startInformers: () => informers.start(abort.signal),
    async stop(...running) {
      abort.abort();
      try {
        const failed = (await Promise.allSettled(running)).find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
      } finally {
        await informers.stopped();
        await harness.close();
      }
    },
  };
}

/** A control loop as tests run it. */
export interface RunnableLoop {
  /** Runs until `signal` is aborted. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Starts a cluster, builds a loop with `make` from the cluster's client, informers and clock (and an onError that
 * collects failures), runs it during `fn`, stops everything and asserts that the loop reported no failure.
 */
export async function withControlLoop<L extends RunnableLoop>(make: (base: ControlLoopOptions) => L, fn: (c: TestCluster, loop: L) => Promise<void>, options?: TestClusterOptions): Promise<void> {
  const c = await startTestCluster(options);
  const errors: unknown[] = [];
  const loop = make({ client: c.client, informers: c.informers, clock: c.clock, onError: (e) => errors.push(e) });
  c.startInformers();
  const running = loop.run(c.signal);
  try {
    await fn(c, loop);
  } finally {
    await c.stop(running);
  }
  assert.deepEqual(errors, []);
}

/** Polls `condition` between event-loop turns, moving the fake clock by `stepMs` each round; throws after `rounds`. */
export async function until(clock: FakeClock, condition: () => boolean | Promise<boolean>, what = "condition", stepMs = 10, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await condition()) return;
    await settleTurns(5);
    clock.advance(stepMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets pending work run for `turns` event-loop turns without moving the clock. */
export async function settle(turns = 30): Promise<void> {
  await settleTurns(turns);
}
