/** The Pod row: READY, STATUS (upstream's reason logic), RESTARTS with the last restart's age, and wide cells. */
import { num, obj, objs, str } from "./fields.js";
import { humanDuration, parseTimestamp, translateTimestampSince } from "./duration.js";

/** A metav1.TableRowCondition. */
export interface TableRowCondition { type: string; status: string; reason?: string; message?: string }

/** Cells and row conditions of one pod. */
export interface PodRow { cells: unknown[]; conditions?: TableRowCondition[] }

/** The latest of two optional instants (ms). */
function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b > a ? b : a;
}

function lastTerminationFinishedAt(status: Record<string, unknown>): number | undefined {
  const terminated = obj(status.lastState).terminated;
  return terminated === undefined || terminated === null ? undefined : parseTimestamp(obj(terminated).finishedAt) ?? 0;
}

function terminatedReason(terminated: Record<string, unknown>, prefix: string): string {
  const reason = str(terminated.reason);
  if (reason) return prefix + reason;
  const signal = num(terminated.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${num(terminated.exitCode)}`;
}

function conditionTrue(conditions: Array<Record<string, unknown>>, type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === "True");
}

/** Cells for NAME READY STATUS RESTARTS AGE IP NODE NOMINATED-NODE READINESS-GATES. */
export function podRow(pod: Record<string, unknown>, now: Date): PodRow {
  const metadata = obj(pod.metadata);
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const conditions = objs(status.conditions);
  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  if (conditions.some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) reason = "SchedulingGated";

  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let totalContainers = objs(spec.containers).length;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  const initSpecs = objs(spec.initContainers);
  const restartable = new Set<string>();
  for (const c of initSpecs) {
    if (c.restartPolicy === "Always") {
      restartable.add(str(c.name));
      totalContainers++;
    }
  }

  let initializing = false;
  const initStatuses = objs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i] as Record<string, unknown>;
    const isSidecar = restartable.has(str(c.name));
    restarts += num(c.restartCount);
    lastRestart = later(lastRestart, lastTerminationFinishedAt(c));
    if (isSidecar) {
      sidecarRestarts += num(c.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, lastTerminationFinishedAt(c));
    }
    const state = obj(c.state);
    const terminated = state.terminated === undefined || state.terminated === null ? undefined : obj(state.terminated);
    const waiting = state.waiting === undefined || state.waiting === null ? undefined : obj(state.waiting);
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (isSidecar && c.started === true) {
      if (c.ready === true) readyContainers++;
      continue;
    }
    if (terminated) reason = terminatedReason(terminated, "Init:");
    else if (waiting && str(waiting.reason) !== "" && waiting.reason !== "PodInitializing") reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initSpecs.length}`;
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(conditions, "Initialized")) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = objs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] as Record<string, unknown>;
      restarts += num(c.restartCount);
      lastRestart = later(lastRestart, lastTerminationFinishedAt(c));
      const state = obj(c.state);
      const waiting = state.waiting === undefined || state.waiting === null ? undefined : obj(state.waiting);
      const terminated = state.terminated === undefined || state.terminated === null ? undefined : obj(state.terminated);
      if (waiting && str(waiting.reason) !== "") reason = str(waiting.reason);
      else if (terminated) reason = terminatedReason(terminated, "");
      else if (c.ready === true && state.running !== undefined && state.running !== null) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === "Completed" && hasRunning) reason = conditionTrue(conditions, "Ready") ? "Running" : "NotReady";
  }

  const deleting = metadata.deletionTimestamp !== undefined && metadata.deletionTimestamp !== null;
  if (deleting && status.reason === "NodeLost") reason = "Unknown";
  else if (deleting && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined && lastRestart !== 0) {
    restartsCell = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }

  const podIPs = objs(status.podIPs);
  const podIP = str(podIPs[0]?.ip) || "<none>";
  const nodeName = str(spec.nodeName) || "<none>";
  const nominated = str(status.nominatedNodeName) || "<none>";
  const gates = objs(spec.readinessGates);
  let readinessGates = "<none>";
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const condition = conditions.find((c) => c.type === gate.conditionType);
      if (condition?.status === "True") trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PodRow = {
    cells: [str(metadata.name), `${readyContainers}/${totalContainers}`, reason, restartsCell,
      translateTimestampSince(metadata.creationTimestamp, now), podIP, nodeName, nominated, readinessGates],
  };
  if (phase === "Succeeded") row.conditions = [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }];
  else if (phase === "Failed") row.conditions = [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
  return row;
}
