/**
 * How long a rollout takes in this cluster: each wave's pods are observed to take the cluster's creation-to-Ready
 * time (read from existing pods' timestamps and conditions); in place, the old pods stop first.
 */
import type { Pod } from "../api/types.js";

/** Seconds from creation to Ready assumed when the cluster shows no pod that became Ready. */
export const defaultReadySeconds = 10;
/**
 * Seconds an old pod is assumed to take to stop once deleted (a daemon that exits on SIGTERM). The pods that remain
 * do not show how long stopping took; a daemon that ignores SIGTERM takes its terminationGracePeriodSeconds.
 */
export const assumedStopSeconds = 1;

/** The pod's creation-to-Ready time in seconds, when its Ready condition is True; undefined otherwise. */
export function podReadySeconds(pod: Pod): number | undefined {
  const created = Date.parse(pod.metadata?.creationTimestamp ?? "");
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  const at = Date.parse(ready?.lastTransitionTime ?? "");
  if (!Number.isFinite(created) || !Number.isFinite(at) || at < created) return undefined;
  return (at - created) / 1000;
}

/** One wave as the estimate sees it. */
export interface WaveShape {
  /** Pods the wave waits for. */
  pods: number;
  /** Old pods are deleted first and the new ones created once they are gone (maxSurge 0). */
  inPlace: boolean;
}

/** What the estimate rests on, and the estimate. */
export interface WaveTiming {
  /** The estimate: the sum of `waveSeconds`, rounded up. */
  seconds: number;
  /** Seconds each wave takes. */
  waveSeconds: number[];
  /** The estimate if every old pod took its whole grace period to stop (rounded up). */
  worstCaseSeconds: number;
  /** How many pods the creation-to-Ready times were taken from (0: `defaultReadySeconds` was assumed). */
  observedPods: number;
  /** Median creation-to-Ready seconds (undefined without observations). */
  medianReadySeconds?: number;
  /** Seconds an old pod is assumed to take to stop (in-place waves). */
  stopSeconds: number;
  /** The old pods' terminationGracePeriodSeconds (the worst case of stopping). */
  gracePeriodSeconds: number;
  minReadySeconds: number;
}

/** What the estimate is computed from. */
export interface TimingInput {
  /** The DaemonSet's pods (their times are preferred). */
  ownPods: readonly Pod[];
  /** Every pod of the cluster (used when the DaemonSet has no Ready pod). */
  allPods: readonly Pod[];
  waves: readonly WaveShape[];
  minReadySeconds: number;
  /** terminationGracePeriodSeconds of the pods being replaced (default 30). */
  gracePeriodSeconds: number;
}

/** The `q`-quantile (0 < q ≤ 1) of sorted values by nearest rank. */
function quantile(sorted: readonly number[], q: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * The estimate. A wave lasts until its slowest pod is available: for a wave of k pods, the k/(k+1) quantile of the
 * observed creation-to-Ready times (the expected largest of k draws; the median for one pod), at least 1 s
 * (timestamps have whole seconds), plus minReadySeconds, plus — in place — the time its old pods take to stop.
 * Creation-to-Ready includes scheduling and start-up; the controller's own reaction between waves (milliseconds)
 * is not counted.
 */
export function waveTiming(input: TimingInput): WaveTiming {
  const sample = (pods: readonly Pod[]): number[] => pods.map(podReadySeconds).filter((s): s is number => s !== undefined);
  let times = sample(input.ownPods);
  if (times.length === 0) times = sample(input.allPods);
  times.sort((a, b) => a - b);
  const readyFor = (pods: number): number => (times.length === 0 ? defaultReadySeconds : Math.max(1, quantile(times, pods / (pods + 1))));
  const stopSeconds = Math.min(assumedStopSeconds, input.gracePeriodSeconds);
  const wave = (w: WaveShape, stop: number): number => readyFor(Math.max(1, w.pods)) + input.minReadySeconds + (w.inPlace ? stop : 0);
  const waveSeconds = input.waves.map((w) => wave(w, stopSeconds));
  const sum = (xs: number[]): number => Math.ceil(xs.reduce((a, b) => a + b, 0));
  const out: WaveTiming = {
    seconds: sum(waveSeconds),
    waveSeconds,
    worstCaseSeconds: sum(input.waves.map((w) => wave(w, input.gracePeriodSeconds))),
    observedPods: times.length,
    stopSeconds,
    gracePeriodSeconds: input.gracePeriodSeconds,
    minReadySeconds: input.minReadySeconds,
  };
  if (times.length > 0) out.medianReadySeconds = quantile(times, 0.5);
  return out;
}
