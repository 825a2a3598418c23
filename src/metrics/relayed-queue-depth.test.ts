import { test } from "node:test";
import assert from "node:assert/strict";
import { LoopMetricsReplay, RelayedLoopMetrics, type LoopObservation } from "../controller/loop-metrics-relay.js";
import { WorkQueue } from "../controller/workqueue.js";
import { FakeClock } from "../util/clock.js";
import { ServerMetrics } from "./server-metrics.js";

async function depth(metrics: ServerMetrics, name: string): Promise<number> {
  const line = (await metrics.text()).split("\n").find((l) => l.startsWith(`workqueue_depth{name="${name}"}`));
  return Number(line?.split(" ")[1]);
}

test("workqueue_depth of a queue in another thread counts what waits there, batch after batch", async () => {
  const server = new ServerMetrics();
  const batches: LoopObservation[][] = [];
  const relayed = new RelayedLoopMetrics((b) => batches.push(structuredClone(b)), 60_000);
  const queue = new WorkQueue<string>({ clock: new FakeClock(0), metrics: relayed.workQueue("gate") });
  const replayer = new LoopMetricsReplay(server);
  const replay = (): void => { relayed.flush(); for (const b of batches.splice(0)) replayer.apply(b); };
  queue.add("a");
  queue.add("b");
  queue.add("c");
  replay();
  assert.equal(await depth(server, "gate"), 3);
  const a = await queue.get();
  replay();
  assert.equal(await depth(server, "gate"), 2);
  queue.done(a ?? "");
  await queue.get();
  replay();
  assert.equal(await depth(server, "gate"), 1);
  queue.shutDown();
  // The controller started again (as after a lost and regained lease): its new queue starts at 0, as in one thread.
  const again = new WorkQueue<string>({ clock: new FakeClock(0), metrics: relayed.workQueue("gate") });
  again.add("d");
  replay();
  assert.equal(await depth(server, "gate"), 1);
  again.shutDown();
});
