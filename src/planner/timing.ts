/** How long pods take to start and become Ready in this cluster, read from existing pods' timestamps and conditions. */
import type { Pod } from "../api/types.js";

/** Seconds per wave assumed when the cluster shows no pod that became Ready. */
export const defaultWaveSeconds = 10;

/** The pod's creation-to-Ready time in seconds, when its Ready condition is True; undefined otherwise. */
export function podReadySeconds(pod: Pod): number | undefined {
  const created = Date.parse(pod.metadata?.creationTimestamp ?? "");
  const ready = pod.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True");
  const at = Date.parse(ready?.lastTransitionTime ?? "");
  if (!Number.isFinite(created) || !Number.isFinite(at) || at < created) return undefined;
  return (at - created) / 1000;
}

/** What the estimate rests on. */
export interface WaveTiming {
  /** Seconds one wave takes: the median creation-to-Ready time plus minReadySeconds. */
  waveSeconds: number;
  /** How many pods the median was taken over (0: the default was assumed). */
  observedPods: number;
  /** Median creation-to-Ready seconds (undefined without observations). */
  medianReadySeconds?: number;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * The time one wave takes: the median creation-to-Ready time of `ownPods` (the DaemonSet's pods), or without a
 * Ready one of every pod of the cluster, plus minReadySeconds. How long old pods take to stop is not observable
 * from the pods that remain and is not counted.
 */
export function waveTiming(ownPods: readonly Pod[], allPods: readonly Pod[], minReadySeconds: number): WaveTiming {
  const sample = (pods: readonly Pod[]): number[] => pods.map(podReadySeconds).filter((s): s is number => s !== undefined);
  let times = sample(ownPods);
  if (times.length === 0) times = sample(allPods);
  if (times.length === 0) return { waveSeconds: defaultWaveSeconds + minReadySeconds, observedPods: 0 };
  const m = median(times);
  // Timestamps have whole-second precision: a pod Ready within the second it was created still takes about one.
  return { waveSeconds: Math.max(1, m) + minReadySeconds, observedPods: times.length, medianReadySeconds: m };
}
