/** Test harness of the simulator and scheduler: the shared control-loop cluster with a wall clock that follows it. */
import { systemNamespaces } from "../../apiserver/registry/index.js";
import { R, startTestCluster, type TestCluster as ControlLoopTestCluster } from "../../controller/testing/cluster.js";

/** Served resources by plural name. */
export { R };

/** What a test gets from startCluster. */
export interface TestCluster extends ControlLoopTestCluster {
  /** Wall-clock time that moves with `clock` (starting 2026-01-01T00:00:00Z). */
  now: () => Date;
}

/** Starts a registry (system time) with the system namespaces and `default`; the fake clock starts at 0. */
export async function startCluster(): Promise<TestCluster> {
  const c = await startTestCluster({ clockStart: 0, registryOnClock: false, informersOnClock: false, namespaces: systemNamespaces });
  const base = Date.parse("2026-01-01T00:00:00Z");
  return { ...c, now: () => new Date(base + c.clock.now()) };
}
