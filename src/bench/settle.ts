/**
 * The settle heuristics and the steady-state window of the cluster benchmark: wait until backlogs drained, then
 * measure the serving process's CPU over an otherwise idle window.
 */
import { mustFindResource } from "../api/resources.js";
import type { Client } from "../client/client.js";
import { round } from "./bench-stats.js";
import type { BenchTarget } from "./bench-target.js";
import { follow } from "./cluster-observe.js";
import { measured, type PhaseMeasure, type RevisionProbe } from "./revision-probe.js";

const events = mustFindResource("", "events");

/** CPU share of the serving process over `seconds` of otherwise idle cluster (heartbeats and leases only). */
export interface SteadyMeasure extends PhaseMeasure {
  /** Percent of one core. */
  cpuPercent: number;
}

/**
 * Waits at least `minSeconds`, then until no Event was written for 3 seconds and the store's write rate has levelled
 * off (two consecutive 2-second windows within 15% of each other), at most `maxSeconds` in all (0: not at all):
 * backlogs (events, deferred renewals) drain before a steady window.
 */
export async function settle(client: Client, probe: RevisionProbe, minSeconds: number, maxSeconds: number): Promise<void> {
  if (maxSeconds <= 0) return;
  const sleep = (s: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, s * 1000));
  const t0 = performance.now();
  await sleep(minSeconds);
  const left = (): number => Math.max(0, maxSeconds * 1000 - (performance.now() - t0));
  const start = await client.list(events, undefined, { limit: 1 });
  let quiet: NodeJS.Timeout | undefined;
  const stop = new AbortController();
  const arm = (): void => { clearTimeout(quiet); quiet = setTimeout(() => stop.abort(), 3000); };
  arm();
  await follow(client, {
    resource: events, resourceVersion: start.metadata.resourceVersion, what: "quiet events", timeoutMs: left(), signal: stop.signal,
    describe: () => "events still written", onEvent: () => { arm(); return false; },
  }).catch(() => undefined);
  clearTimeout(quiet);
  let last = await probe.read();
  let previous: number | undefined;
  while ((performance.now() - t0) / 1000 < maxSeconds) {
    await sleep(2);
    const now = await probe.read();
    const rate = now - last;
    last = now;
    if (previous !== undefined && Math.abs(rate - previous) <= 0.15 * Math.max(previous, 1)) return;
    previous = rate;
  }
}

/** Measures CPU use of the serving process over `seconds`. */
export async function measureSteady(target: BenchTarget, probe: RevisionProbe, seconds: number): Promise<SteadyMeasure> {
  const before = await target.usage();
  const { measure } = await measured(probe, () => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)));
  const after = await target.usage();
  const cpuPercent = round(((after.cpuMs - before.cpuMs) / (measure.seconds * 1000)) * 100, 1);
  return { ...measure, cpuPercent };
}
