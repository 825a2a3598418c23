/** Test support: a started registry behind the loopback client, shared informers and a fake clock. */
import { setMaxListeners } from "node:events";
import { setImmediate as nextTurn } from "node:timers/promises";
import { R, startHarness } from "../../../apiserver/registry/testing/fixtures.js";
import type { Registry } from "../../../apiserver/registry/index.js";
import type { Client } from "../../../client/client.js";
import { SharedInformerFactory } from "../../../client/informer-factory.js";
import { createLoopbackClient } from "../../../client/loopback.js";
import { FakeClock } from "../../../controller/clock.js";

/** The served resources by plural name (re-exported from the registry fixtures). */
export { R };

/** Everything a controller test needs; always `await stop()`. */
export interface TestCluster {
  registry: Registry;
  client: Client;
  informers: SharedInformerFactory;
  clock: FakeClock;
  signal: AbortSignal;
  /** Aborts controllers and informers, waits for them, closes the registry. */
  stop(...running: Promise<unknown>[]): Promise<void>;
}

/** Starts a registry (namespaces default, other + `namespaces`) whose timestamps follow the fake clock. */
export async function startCluster(namespaces: string[] = []): Promise<TestCluster> {
  const clock = new FakeClock(Date.parse("2024-05-01T10:00:00Z"));
  const harness = await startHarness({ now: () => new Date(clock.now()), namespaces: ["default", "other", ...namespaces] });
  const client = createLoopbackClient(harness.registry);
  const informers = new SharedInformerFactory(client, { clock });
  const ac = new AbortController();
  // Every informer and worker waits on the one signal.
  setMaxListeners(100, ac.signal);
  return {
    registry: harness.registry, client, informers, clock, signal: ac.signal,
    async stop(...running) {
      ac.abort();
      await Promise.all(running);
      await informers.stopped();
      await harness.close();
    },
  };
}

/** Polls `condition` between event-loop turns, moving the fake clock by `stepMs` each round; throws after `rounds`. */
export async function until(clock: FakeClock, condition: () => boolean | Promise<boolean>, what = "condition", stepMs = 10, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await condition()) return;
    for (let t = 0; t < 5; t++) await nextTurn();
    clock.advance(stepMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Lets pending work run for a few event-loop turns without moving the clock. */
export async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}
