/** The pod status an agent reports, computed from its containers' records as the kubelet's status generator does. */
import { withPodCondition } from "../api/pod-conditions.js";
import type { ContainerStatus, Pod, PodCondition, PodStatus } from "../api/types.js";
import { secondsTime } from "../simulator/node-status.js";

/** A terminated container instance. */
export interface Terminated {
  exitCode: number;
  reason: string;
  message?: string;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number;
  containerID?: string;
}

/** A container's current state. */
export type ContainerState =
  | { kind: "waiting"; reason: string; message?: string }
  | { kind: "running"; startedAt: number; containerID: string }
  | ({ kind: "terminated" } & Terminated);

/** What the agent knows of one container of a pod. */
export interface ContainerRecord {
  name: string;
  image: string;
  init: boolean;
  restartCount: number;
  state: ContainerState;
  lastState?: Terminated;
  ready: boolean;
  started: boolean;
}

const iso = (ms: number): string => secondsTime(new Date(ms));

function terminatedState(t: Terminated): NonNullable<ContainerStatus["state"]>["terminated"] {
  return {
    exitCode: t.exitCode, reason: t.reason, ...(t.message ? { message: t.message } : {}),
    startedAt: iso(t.startedAt), finishedAt: iso(t.finishedAt), ...(t.containerID ? { containerID: t.containerID } : {}),
  };
}

/** The API form of a container record. */
export function containerStatus(r: ContainerRecord): ContainerStatus {
  const s = r.state;
  const state: ContainerStatus["state"] = s.kind === "waiting" ? { waiting: { reason: s.reason, ...(s.message ? { message: s.message } : {}) } }
    : s.kind === "running" ? { running: { startedAt: iso(s.startedAt) } } : { terminated: terminatedState(s) };
  const containerID = s.kind === "running" ? s.containerID : s.kind === "terminated" ? s.containerID : undefined;
  return {
    name: r.name, image: r.image, imageID: "", ...(containerID ? { containerID } : {}), state,
    lastState: r.lastState ? { terminated: terminatedState(r.lastState) } : {},
    ready: r.ready, restartCount: r.restartCount, started: r.started,
  };
}

/** Whether an init container finished successfully. */
function initDone(r: ContainerRecord): boolean {
  return r.state.kind === "terminated" && r.state.exitCode === 0;
}

/** The pod phase (kubelet getPhase) of `pod` whose containers are `records`. */
export function podPhase(pod: Pod, records: readonly ContainerRecord[]): NonNullable<PodStatus["phase"]> {
  const policy = pod.spec?.restartPolicy ?? "Always";
  const inits = records.filter((r) => r.init);
  const apps = records.filter((r) => !r.init);
  const failedInit = inits.some((r) => r.state.kind === "terminated" && r.state.exitCode !== 0);
  if (failedInit && policy === "Never") return "Failed";
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const r of apps) {
    if (r.state.kind === "running") running++;
    else if (r.state.kind === "terminated") { stopped++; if (r.state.exitCode === 0) succeeded++; }
    else if (r.lastState) { stopped++; if (r.lastState.exitCode === 0) succeeded++; }
    else waiting++;
  }
  const deleting = pod.metadata?.deletionTimestamp !== undefined;
  if (deleting && running === 0 && waiting === 0 && apps.length > 0) return stopped === succeeded ? "Succeeded" : "Failed";
  if (!inits.every(initDone) && apps.every((r) => r.state.kind === "waiting" && !r.lastState)) return "Pending";
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped > 0) {
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }
  return "Pending";
}

function condition(type: string, ok: boolean, now: string, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? "True" : "False", lastProbeTime: null as unknown as undefined, lastTransitionTime: now, ...(ok || !reason ? {} : { reason, message }) };
}

/** The full status of `pod`: phase, kubelet conditions, IPs, container statuses (sorted by name; init in spec order). */
export function generatePodStatus(pod: Pod, records: readonly ContainerRecord[], ips: { hostIP: string; podIP: string }, sandboxReady: boolean, now: number): PodStatus {
  const phase = podPhase(pod, records);
  const at = iso(now);
  const inits = records.filter((r) => r.init);
  const apps = records.filter((r) => !r.init);
  const incomplete = inits.filter((r) => !initDone(r)).map((r) => r.name);
  const unready = apps.filter((r) => !r.ready).map((r) => r.name);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const containersReady = terminal
    ? condition("ContainersReady", false, at, phase === "Succeeded" ? "PodCompleted" : "PodFailed", "")
    : condition("ContainersReady", unready.length === 0, at, "ContainersNotReady", `containers with unready status: [${unready.join(" ")}]`);
  const ready = { ...containersReady, type: "Ready" };
  let conditions = pod.status?.conditions ?? [];
  const kubeletConditions = [
    condition("PodReadyToStartContainers", sandboxReady && !terminal, at),
    condition("Initialized", incomplete.length === 0, at, "ContainersNotInitialized", `containers with incomplete status: [${incomplete.join(" ")}]`),
    ready, containersReady,
  ];
  for (const c of kubeletConditions) conditions = withPodCondition(conditions, c);
  if (!conditions.some((c) => c.type === "PodScheduled")) conditions = withPodCondition(conditions, condition("PodScheduled", true, at));
  const status: PodStatus = {
    phase, conditions,
    hostIP: ips.hostIP, hostIPs: [{ ip: ips.hostIP }], podIP: ips.podIP, podIPs: [{ ip: ips.podIP }],
    startTime: pod.status?.startTime ?? at,
    containerStatuses: apps.map(containerStatus).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    qosClass: pod.status?.qosClass ?? "BestEffort",
  };
  if (inits.length > 0) status.initContainerStatuses = inits.map(containerStatus);
  return status;
}

/**
 * The readiness a status states: its Ready and ContainersReady conditions and each container's ready flag. Two
 * statuses with different readiness disagree on what kubectl shows as READY; the pod worker re-reports when the
 * stored one drifts from what it wrote (the node lifecycle controller marks pods of an unreachable node not ready).
 */
export function statusReadiness(status: PodStatus | undefined): string {
  const cond = (type: string): string => status?.conditions?.find((c) => c.type === type)?.status ?? "";
  return [cond("Ready"), cond("ContainersReady"), ...(status?.containerStatuses ?? []).map((c) => `${c.name}=${String(c.ready)}`)].join(",");
}
