/**
 * Pod and PodSpec defaulting as the API server applies it on decode: restartPolicy, dnsPolicy, schedulerName,
 * grace period, security context, container pull/termination policies, port protocols, probes, volume sources;
 * and for Pods only: enableServiceLinks, requests copied from limits, host-network host ports, status phase/QoS.
 */
import { compareQuantity, tryParseQuantity, type Quantity, addQuantity } from "../quantity.js";
import { type Obj, isAbsent, isObj } from "../validation/shape.js";
import { volumeSourceFields } from "../validation/volumes.js";
import { defaultResourceList } from "./resource-list.js";

const pathComponent = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const domainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const domain = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const tagPattern = "[\\w][\\w.-]{0,127}";
const digestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const imageReference = new RegExp(`^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);

/** The tag an image reference resolves to: its explicit tag, `latest` when it has neither tag nor digest, "" when unparsable. */
export function imageTag(image: string): string {
  const m = imageReference.exec(image);
  if (!m || (m[1] ?? "").length > 255) return "";
  if (m[2] !== undefined) return m[2];
  return m[3] === undefined ? "latest" : "";
}

/** The default imagePullPolicy for an image: Always for `:latest` or no tag, otherwise IfNotPresent. */
export function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  return imageTag(image) === "latest" ? "Always" : "IfNotPresent";
}

function setIfAbsent(o: Obj, key: string, value: unknown): void {
  if (isAbsent(o[key]) || o[key] === "") o[key] = value;
}

function setIfZero(o: Obj, key: string, value: number): void {
  if (isAbsent(o[key]) || o[key] === 0) o[key] = value;
}

function objects(list: unknown): Obj[] {
  return Array.isArray(list) ? list.filter(isObj) : [];
}

function defaultHandler(handler: unknown): void {
  if (!isObj(handler) || !isObj(handler.httpGet)) return;
  setIfAbsent(handler.httpGet, "path", "/");
  setIfAbsent(handler.httpGet, "scheme", "HTTP");
}

function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  setIfZero(probe, "timeoutSeconds", 1);
  setIfZero(probe, "periodSeconds", 10);
  setIfZero(probe, "successThreshold", 1);
  setIfZero(probe, "failureThreshold", 3);
  defaultHandler(probe);
}

function defaultFieldRef(holder: unknown): void {
  if (isObj(holder) && isObj(holder.fieldRef)) setIfAbsent(holder.fieldRef, "apiVersion", "v1");
}

function defaultContainer(c: Obj): void {
  if (isAbsent(c.imagePullPolicy) || c.imagePullPolicy === "") c.imagePullPolicy = defaultPullPolicy(typeof c.image === "string" ? c.image : "");
  setIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
  setIfAbsent(c, "terminationMessagePolicy", "File");
  for (const port of objects(c.ports)) setIfAbsent(port, "protocol", "TCP");
  for (const env of objects(c.env)) {
    defaultFieldRef(env.valueFrom);
    if (isObj(env.valueFrom) && isObj(env.valueFrom.resourceFieldRef)) setIfAbsent(env.valueFrom.resourceFieldRef, "divisor", "0");
  }
  if (isAbsent(c.resources)) c.resources = {};
  if (isObj(c.resources)) {
    defaultResourceList(c.resources.limits);
    defaultResourceList(c.resources.requests);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHandler(c.lifecycle.postStart);
    defaultHandler(c.lifecycle.preStop);
  }
}

function defaultVolume(v: Obj): void {
  if (volumeSourceFields.every((f) => isAbsent(v[f]))) v.emptyDir = {};
  if (isObj(v.hostPath) && isAbsent(v.hostPath.type)) v.hostPath.type = "";
  for (const source of ["secret", "configMap", "downwardAPI", "projected"]) {
    const src = v[source];
    if (isObj(src) && isAbsent(src.defaultMode)) src.defaultMode = 420;
  }
  if (isObj(v.downwardAPI)) for (const item of objects(v.downwardAPI.items)) defaultFieldRef(item);
  if (isObj(v.projected)) {
    for (const source of objects(v.projected.sources)) {
      if (isObj(source.serviceAccountToken)) setIfAbsent(source.serviceAccountToken, "expirationSeconds", 3600);
      if (isObj(source.downwardAPI)) for (const item of objects(source.downwardAPI.items)) defaultFieldRef(item);
    }
  }
}

/** Options for PodSpec defaulting. */
export interface PodSpecDefaultOptions {
  /** True for a Pod's own spec (adds Pod-only defaults); false for templates. */
  isPod: boolean;
}

/** Applies PodSpec defaults in place (no-op when spec is not an object). */
export function defaultPodSpec(spec: unknown, opts: PodSpecDefaultOptions): void {
  if (!isObj(spec)) return;
  setIfAbsent(spec, "dnsPolicy", "ClusterFirst");
  setIfAbsent(spec, "restartPolicy", "Always");
  if (isAbsent(spec.securityContext)) spec.securityContext = {};
  if (isAbsent(spec.terminationGracePeriodSeconds)) spec.terminationGracePeriodSeconds = 30;
  setIfAbsent(spec, "schedulerName", "default-scheduler");
  const containers = objects(spec.containers);
  const initContainers = objects(spec.initContainers);
  if (opts.isPod) {
    if (isAbsent(spec.enableServiceLinks)) spec.enableServiceLinks = true;
    for (const c of [...containers, ...initContainers]) {
      const res = isObj(c.resources) ? c.resources : undefined;
      if (!res || !isObj(res.limits)) continue;
      if (isAbsent(res.requests)) res.requests = {};
      if (!isObj(res.requests)) continue;
      for (const [name, limit] of Object.entries(res.limits)) if (!(name in res.requests)) res.requests[name] = limit;
    }
    if (spec.hostNetwork === true) {
      for (const c of [...containers, ...initContainers]) {
        for (const port of objects(c.ports)) if (isAbsent(port.hostPort) || port.hostPort === 0) port.hostPort = port.containerPort;
      }
    }
  }
  for (const c of [...containers, ...initContainers, ...objects(spec.ephemeralContainers)]) defaultContainer(c);
  for (const v of objects(spec.volumes)) defaultVolume(v);
  defaultResourceList(spec.overhead);
}

/** Applies PodTemplateSpec defaults in place: the template and its spec are created when absent. */
export function defaultPodTemplate(holder: Obj, key = "template"): void {
  if (isAbsent(holder[key])) holder[key] = {};
  const template = holder[key];
  if (!isObj(template)) return;
  if (isAbsent(template.spec)) template.spec = {};
  defaultPodSpec(template.spec, { isPod: false });
}

function sumResources(containers: Obj[], field: "requests" | "limits"): { totals: Map<string, Quantity>; perContainer: Array<Set<string>> } {
  const totals = new Map<string, Quantity>();
  const perContainer: Array<Set<string>> = [];
  for (const c of containers) {
    const found = new Set<string>();
    const list = isObj(c.resources) && isObj(c.resources[field]) ? c.resources[field] : {};
    for (const name of ["cpu", "memory"]) {
      const q = tryParseQuantity(list[name]);
      if (!q || q.nanos <= 0n) continue;
      found.add(name);
      const prev = totals.get(name);
      totals.set(name, prev ? addQuantity(prev, q) : q);
    }
    perContainer.push(found);
  }
  return { totals, perContainer };
}

/** The QoS class of a pod spec: Guaranteed, Burstable or BestEffort (from cpu and memory only). */
export function computeQOSClass(spec: unknown): "Guaranteed" | "Burstable" | "BestEffort" {
  const s = isObj(spec) ? spec : {};
  const containers = [...objects(s.containers), ...objects(s.initContainers)];
  const requests = sumResources(containers, "requests").totals;
  const { totals: limits, perContainer } = sumResources(containers, "limits");
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  let guaranteed = perContainer.every((found) => found.has("cpu") && found.has("memory"));
  if (guaranteed) {
    for (const [name, req] of requests) {
      const limit = limits.get(name);
      if (!limit || compareQuantity(limit, req) !== 0) guaranteed = false;
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

/** Applies Pod defaults in place: spec defaults (Pod-only ones included), status.phase Pending and, for a pod with containers, status.qosClass. */
export function defaultPod(pod: Obj): void {
  if (isAbsent(pod.spec)) pod.spec = {};
  defaultPodSpec(pod.spec, { isPod: true });
  if (isAbsent(pod.status)) pod.status = {};
  if (!isObj(pod.status)) return;
  setIfAbsent(pod.status, "phase", "Pending");
  const hasContainers = isObj(pod.spec) && Array.isArray(pod.spec.containers) && pod.spec.containers.length > 0;
  if (isAbsent(pod.status.qosClass) && hasContainers) pod.status.qosClass = computeQOSClass(pod.spec);
}
