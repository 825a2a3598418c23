/** Test harness: a started in-memory registry, a loopback client, shared informers and a fake clock. */
import { findResource, type ResourceInfo } from "../../api/resources.js";
import { ensureNamespaces, Registry } from "../../apiserver/registry/index.js";
import type { Client } from "../../client/client.js";
import { SharedInformerFactory } from "../../client/informer-factory.js";
import { createLoopbackClient } from "../../client/loopback.js";
import { FakeClock } from "../../controller/clock.js";
import { MemoryBackend } from "../../storage/memory-backend.js";

function resource(group: string, name: string): ResourceInfo {
  const r = findResource(group, name);
  if (!r) throw new Error(`no resource ${group}/${name}`);
  return r;
}

/** Served resources by plural name. */
export const R = {
  nodes: resource("", "nodes"),
  pods: resource("", "pods"),
  events: resource("", "events"),
  leases: resource("coordination.k8s.io", "leases"),
};

/** What a test gets from startCluster. */
export interface TestCluster {
  client: Client;
  informers: SharedInformerFactory;
  /** Drives component timers. */
  clock: FakeClock;
  /** Wall-clock time that moves with `clock` (starting 2026-01-01T00:00:00Z). */
  now: () => Date;
  signal: AbortSignal;
  /** Starts the informers (call after components requested theirs). */
  startInformers(): void;
  /** Aborts everything, waits for `runs`, closes the registry and backend. */
  stop(...runs: Promise<unknown>[]): Promise<void>;
}

/** Starts a registry with the system namespaces and `default`. */
export async function startCluster(): Promise<TestCluster> {
  const backend = new MemoryBackend();
  const registry = new Registry({ backend });
  const abort = new AbortController();
  await registry.start(abort.signal);
  const client = createLoopbackClient(registry);
  await ensureNamespaces(client);
  const informers = new SharedInformerFactory(client);
  const clock = new FakeClock();
  const base = Date.parse("2026-01-01T00:00:00Z");
  return {
    client, informers, clock, signal: abort.signal,
    now: () => new Date(base + clock.now()),
    startInformers: () => informers.start(abort.signal),
    async stop(...runs) {
      abort.abort();
      await Promise.allSettled(runs);
      await informers.stopped();
      registry.close();
      await backend.close();
    },
  };
}
