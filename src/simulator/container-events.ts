/**
 * The kubelet events a simulated pod's change brings, as the kubelet records them for the same change: a container
 * that starts (from waiting or nothing to running or terminated) gets Pulled (its image is always present on a
 * simulated node), Created and Started; one entering CrashLoopBackOff gets BackOff; the running containers of a pod
 * being deleted get Killing.
 */
import { KubeletEvents, type ContainerEvent } from "../api/kubelet-events.js";
import type { ContainerStatus, Pod, PodStatus } from "../api/types.js";

function isUp(s: ContainerStatus | undefined): boolean {
  return Boolean(s?.state?.running ?? s?.state?.terminated);
}

function imageOf(pod: Pod, container: string): string {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].find((c) => c.name === container)?.image ?? "";
}

/** The events of `pod`'s status becoming `next`. */
export function transitionEvents(pod: Pod, next: PodStatus): ContainerEvent[] {
  const out: ContainerEvent[] = [];
  const old = pod.status ?? {};
  const pairs: [ContainerStatus[] | undefined, ContainerStatus[] | undefined][] = [
    [old.initContainerStatuses, next.initContainerStatuses], [old.containerStatuses, next.containerStatuses],
  ];
  for (const [before, after] of pairs) {
    for (const s of after ?? []) {
      const prior = before?.find((b) => b.name === s.name);
      if (isUp(s) && !isUp(prior)) {
        out.push(KubeletEvents.alreadyPresent(s.name, imageOf(pod, s.name)), KubeletEvents.created(s.name), KubeletEvents.started(s.name));
      } else if (s.state?.waiting?.reason === "CrashLoopBackOff" && prior?.state?.waiting?.reason !== "CrashLoopBackOff") {
        out.push(KubeletEvents.backOff(s.name, pod));
      }
    }
  }
  return out;
}

/** Killing for each running container of a pod that is being deleted. */
export function killingEvents(pod: Pod): ContainerEvent[] {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return statuses.filter((s) => s.state?.running).map((s) => KubeletEvents.killing(s.name));
}
