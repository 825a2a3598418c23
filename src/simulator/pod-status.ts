/** The pod status a stage writes, computed from the pod's current status and the stage's `next`. */
import { createHash } from "node:crypto";
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from "../api/types.js";
import type { Stage, StageContainers, StageNext } from "./stages.js";

/** Where the pod runs and when: the inputs of a status change besides the pod and the stage. */
export interface PodStatusContext {
  /** Current time in metav1.Time form (seconds precision). */
  now: string;
  hostIP: string;
  /** The pod's IP (the host IP for hostNetwork pods); only used when the pod has none yet. */
  podIP: string;
}

type ContainerState = NonNullable<ContainerStatus["state"]>;

function digest(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

function condition(existing: readonly PodCondition[], type: string, status: string, now: string, reason?: string, message?: string): PodCondition {
  const old = existing.find((c) => c.type === type);
  const c: PodCondition = {
    type, status,
    lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
  };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function isTerminal(phase: string | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed";
}

/** The conditions after the change: kubelet-owned ones recomputed, PodScheduled and others kept. */
function conditions(pod: Pod, phase: string, ready: boolean, containers: ContainerStatus[], now: string): PodCondition[] {
  const existing = pod.status?.conditions ?? [];
  const terminal = isTerminal(phase);
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const notReadyReason = terminal ? "PodCompleted" : "ContainersNotReady";
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  const out: PodCondition[] = [
    condition(existing, "PodReadyToStartContainers", terminal ? "False" : "True", now),
    condition(existing, "Initialized", "True", now),
    ready ? condition(existing, "Ready", "True", now) : condition(existing, "Ready", "False", now, notReadyReason, notReadyMessage),
    ready ? condition(existing, "ContainersReady", "True", now) : condition(existing, "ContainersReady", "False", now, notReadyReason, notReadyMessage),
  ];
  const scheduled = existing.find((c) => c.type === "PodScheduled");
  out.push(scheduled ?? condition(existing, "PodScheduled", "True", now));
  const owned = new Set(out.map((c) => c.type));
  for (const c of existing) if (!owned.has(c.type)) out.push(c);
  return out;
}

function startedAt(prev: ContainerStatus | undefined, now: string): string {
  return prev?.state?.running?.startedAt ?? prev?.state?.terminated?.startedAt ?? now;
}

function containerStatus(pod: Pod, c: Container, prev: ContainerStatus | undefined, want: StageContainers, ready: boolean, now: string): ContainerStatus {
  const restartCount = (prev?.restartCount ?? 0) + (want.restart ? 1 : 0);
  const containerID = `everynode://${digest(`${pod.metadata?.uid ?? ""}/${c.name}/${restartCount}`).slice(0, 64)}`;
  const exitCode = want.exitCode ?? (want.reason === "Completed" ? 0 : 1);
  let state: ContainerState;
  if (want.state === "running") {
    state = { running: { startedAt: prev?.state?.running && !want.restart ? startedAt(prev, now) : now } };
  } else if (want.state === "waiting") {
    state = { waiting: { reason: want.reason ?? "ContainerCreating", ...(want.message ? { message: want.message } : {}) } };
  } else {
    state = { terminated: { exitCode, reason: want.reason ?? (exitCode === 0 ? "Completed" : "Error"), startedAt: startedAt(prev, now), finishedAt: now, containerID, ...(want.message ? { message: want.message } : {}) } };
  }
  let lastState: ContainerState = prev?.lastState ?? {};
  if (want.restart) {
    lastState = { terminated: { exitCode, reason: "Error", startedAt: startedAt(prev, now), finishedAt: now, containerID: prev?.containerID ?? containerID } };
  }
  const image = c.image ?? "";
  const status: ContainerStatus = {
    name: c.name, image, imageID: `${image.replace(/[:@].*$/, "")}@sha256:${digest(image)}`,
    ready: ready && want.state === "running", restartCount, started: want.state === "running", state, lastState,
  };
  if (want.state !== "waiting" || prev?.containerID) status.containerID = want.state === "waiting" ? prev?.containerID : containerID;
  return status;
}

/** Init containers after start: regular ones completed, restartable (sidecar) ones running. */
function initContainerStatuses(pod: Pod, now: string): ContainerStatus[] {
  const prevs = pod.status?.initContainerStatuses ?? [];
  return (pod.spec?.initContainers ?? []).map((c) => {
    const prev = prevs.find((p) => p.name === c.name);
    const sidecar = c.restartPolicy === "Always";
    return containerStatus(pod, c, prev, sidecar ? { state: "running" } : { state: "terminated", reason: "Completed", exitCode: 0 }, sidecar, now);
  });
}

/**
 * The complete new status of `pod` after `next` (a status change, not a deletion): phase, conditions, IPs,
 * startTime and container statuses. Lists are complete so the result can be written with a merge patch.
 */
export function nextPodStatus(pod: Pod, next: StageNext, ctx: PodStatusContext): PodStatus {
  const old = pod.status ?? {};
  const phase = next.phase ?? old.phase ?? "Pending";
  const ready = next.ready ?? false;
  const prevs = old.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? []).map((c) => {
    const prev = prevs.find((p) => p.name === c.name);
    const want = next.containers ?? stateOf(prev);
    return containerStatus(pod, c, prev, want, ready, ctx.now);
  });
  const podIP = old.podIP || ctx.podIP;
  const hostIP = old.hostIP || ctx.hostIP;
  const status: PodStatus = {
    phase,
    conditions: conditions(pod, phase, ready && containers.every((c) => c.ready), containers, ctx.now),
    hostIP, hostIPs: [{ ip: hostIP }],
    podIP, podIPs: [{ ip: podIP }],
    startTime: old.startTime ?? ctx.now,
    containerStatuses: containers,
    qosClass: old.qosClass,
  };
  if (pod.spec?.initContainers?.length) status.initContainerStatuses = initContainerStatuses(pod, ctx.now);
  if (next.reason) status.reason = next.reason;
  if (next.message) status.message = next.message;
  if (!status.qosClass) delete status.qosClass;
  return status;
}

function stateOf(prev: ContainerStatus | undefined): StageContainers {
  if (prev?.state?.terminated) return { state: "terminated", reason: prev.state.terminated.reason, exitCode: prev.state.terminated.exitCode };
  if (prev?.state?.waiting) return { state: "waiting", reason: prev.state.waiting.reason };
  return { state: "running" };
}

/** A merge patch body that sets `status` (explicitly clearing pod-level reason and message when absent). */
export function statusMergePatch(status: PodStatus): { status: Record<string, unknown> } {
  return { status: { reason: null, message: null, ...status } };
}

/** Stage of the kubelet re-reporting a running pod whose Ready/ContainersReady conditions disagree with its containers. */
function resyncStage(ready: boolean): Stage {
  return {
    name: ready ? "kubelet-status-resync-ready" : "kubelet-status-resync-not-ready",
    selector: { phases: ["Running"], deleting: false },
    delay: { ms: 500, jitterMs: 200 },
    next: { ready },
  };
}

const resyncReady = resyncStage(true);
const resyncNotReady = resyncStage(false);

/**
 * The write a kubelet's status manager makes when the stored status of a running pod no longer says what the
 * kubelet reports (e.g. the node lifecycle controller marked the pod and its containers not ready while the node
 * was unreachable, and the node is back): the containers' ready flags and the Ready and ContainersReady
 * conditions as the kubelet sees them. `reportedReady` is the kubelet's own verdict for running containers (the
 * readiness its start stage gives them); without it the stored container flags are taken as the truth. Undefined
 * when the stored status agrees, for pods not running, and for pods being deleted. The same stage object is
 * returned for the same verdict, so a plan made from it can be recognised when the pod is seen again.
 */
export function statusResyncStage(pod: Pod, reportedReady?: boolean): Stage | undefined {
  const status = pod.status;
  const containers = status?.containerStatuses ?? [];
  if (pod.metadata?.deletionTimestamp || status?.phase !== "Running" || containers.length === 0) return undefined;
  const allRunning = containers.every((c) => c.state?.running !== undefined);
  const ready = allRunning && reportedReady !== undefined ? reportedReady : containers.every((c) => c.ready === true);
  const want = ready ? "True" : "False";
  const conditions = status.conditions ?? [];
  const agrees = ["Ready", "ContainersReady"].every((type) => conditions.find((c) => c.type === type)?.status === want) &&
    containers.every((c) => c.ready === (ready && c.state?.running !== undefined));
  if (agrees) return undefined;
  return ready ? resyncReady : resyncNotReady;
}
