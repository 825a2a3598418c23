/** Row cells of DaemonJobs, in the manner of upstream's Job printer. */
import { num, obj, objs, str } from "./fields.js";
import { humanDuration, parseTimestamp, translateTimestampSince } from "./duration.js";
import { formatLabelSelector } from "./rows.js";

function conditionTrue(status: Record<string, unknown>, type: string): boolean {
  return objs(status.conditions).some((c) => c.type === type && c.status === "True");
}

/** Failed, Complete, Terminating or Running, as `kubectl get jobs` prints a Job's status. */
function phaseOf(metadata: Record<string, unknown>, status: Record<string, unknown>): string {
  if (conditionTrue(status, "Failed")) return "Failed";
  if (conditionTrue(status, "Complete")) return "Complete";
  if (metadata.deletionTimestamp) return "Terminating";
  return "Running";
}

/** startTime to completionTime (or to now while running); empty before the start. */
function duration(status: Record<string, unknown>, now: Date): string {
  const start = parseTimestamp(status.startTime);
  if (start === undefined) return "";
  const end = parseTimestamp(status.completionTime) ?? now.getTime();
  return humanDuration(end - start);
}

/** NAME STATUS DESIRED ACTIVE SUCCEEDED FAILED COMPLETIONS DURATION AGE CONTAINERS IMAGES SELECTOR. */
export function daemonJobCells(dj: Record<string, unknown>, now: Date): unknown[] {
  const metadata = obj(dj.metadata);
  const spec = obj(dj.spec);
  const status = obj(dj.status);
  const containers = objs(obj(obj(spec.template).spec).containers);
  return [str(metadata.name), phaseOf(metadata, status), num(status.desired), num(status.active), num(status.succeeded), num(status.failed),
    `${num(status.succeeded)}/${num(status.desired)}`, duration(status, now), translateTimestampSince(metadata.creationTimestamp, now),
    containers.map((c) => str(c.name)).join(","), containers.map((c) => str(c.image)).join(","), formatLabelSelector(spec.selector)];
}
