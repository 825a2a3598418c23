/** Test harness of the scheduler: a test cluster with nodes and a running Scheduler, and polling helpers. */
import type { Node } from "../../api/types.js";
import { settle } from "../../client/testing/eventually.js";
import { R, startCluster, type TestCluster } from "../../simulator/testing/cluster.js";
import { Scheduler, type SchedulerOptions } from "../scheduler.js";

/** Runs `body` against a cluster holding `nodes` and a running scheduler (with `extra` options); stops both after. */
export async function withScheduler(nodes: Node[], body: (c: TestCluster) => Promise<void>, extra: Partial<SchedulerOptions> = {}): Promise<void> {
  const c = await startCluster();
  for (const n of nodes) await c.client.create(R.nodes, undefined, n);
  const scheduler = new Scheduler({ client: c.client, informers: c.informers, clock: c.clock, now: c.now, ...extra });
  c.startInformers();
  const run = scheduler.run(c.signal);
  try {
    await body(c);
  } finally {
    await c.stop(run);
  }
}

/** Reads until `ok` holds (up to 500 settles); throws naming `what` otherwise. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await read();
    if (ok(v)) return v;
    await settle(2);
  }
  throw new Error(`timed out waiting for ${what}`);
}
