/**
 * The kubelet's container events, with its reasons and messages (pkg/kubelet/events, images/image_manager.go),
 * shared by the node agent and the simulated kubelet so that `kubectl describe pod` reads the same on both.
 * Each is about one container: its involvedObject fieldPath is `spec.containers{<c>}` (or `spec.initContainers{<c>}`).
 */
import type { ObjectReference, Pod, PodSpec } from "./types.js";

/** One kubelet event about a container. */
export interface ContainerEvent {
  container: string;
  type: "Normal" | "Warning";
  reason: string;
  message: string;
}

/** The involvedObject fieldPath of an event about `container` of a pod with `spec`. */
export function containerFieldPath(spec: PodSpec | undefined, container: string): string {
  const init = (spec?.initContainers ?? []).some((c) => c.name === container);
  return `spec.${init ? "initContainers" : "containers"}{${container}}`;
}

/** The involvedObject of an event about `container` of `pod`. */
export function containerReference(pod: Pod, container: string): ObjectReference {
  const meta = pod.metadata ?? {};
  const ref: ObjectReference = { kind: "Pod", apiVersion: "v1", name: meta.name, uid: meta.uid, fieldPath: containerFieldPath(pod.spec, container) };
  if (meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

/** Builders of the kubelet's container events. */
export const KubeletEvents = {
  /** Pulling: an image pull begins. */
  pulling: (container: string, image: string): ContainerEvent => ({ container, type: "Normal", reason: "Pulling", message: `Pulling image "${image}"` }),
  /** Pulled, for an image the node already has (no pull happened). */
  alreadyPresent: (container: string, image: string): ContainerEvent =>
    ({ container, type: "Normal", reason: "Pulled", message: `Container image "${image}" already present on machine` }),
  /** Created: the container was created. */
  created: (container: string): ContainerEvent => ({ container, type: "Normal", reason: "Created", message: `Created container ${container}` }),
  /** Started: the container was started. */
  started: (container: string): ContainerEvent => ({ container, type: "Normal", reason: "Started", message: `Started container ${container}` }),
  /** Killing: the container is stopped (pod deletion). */
  killing: (container: string): ContainerEvent => ({ container, type: "Normal", reason: "Killing", message: `Stopping container ${container}` }),
  /** BackOff: the container waits in CrashLoopBackOff. */
  backOff: (container: string, pod: Pod): ContainerEvent => {
    const meta = pod.metadata ?? {};
    return {
      container, type: "Warning", reason: "BackOff",
      message: `Back-off restarting failed container ${container} in pod ${meta.name ?? ""}_${meta.namespace ?? ""}(${meta.uid ?? ""})`,
    };
  },
} as const;
