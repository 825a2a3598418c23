/**
 * Container validation: name and image, ports, env, volume mounts, probes and lifecycle handlers,
 * pull and termination-message policies, resources, unique names and host ports.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isDNS1123Label, isRelaxedEnvVarName, isValidPortName, isValidPortNum } from "./names.js";
import { validateResourceRequirements } from "./resources.js";
import { type Obj, isAbsent, readInt, readObj, readObjList, readRequiredString, readString } from "./shape.js";
import { validateLocalDescendingPath } from "./volumes.js";

const pullPolicies = ["Always", "IfNotPresent", "Never"];
const portProtocols = ["SCTP", "TCP", "UDP"];

/** Context shared by the containers of one pod spec. */
export interface ContainerContext {
  /** Valid volumes by name, for volumeMounts. */
  volumes: ReadonlyMap<string, Obj>;
  /** spec.terminationGracePeriodSeconds, for sleep handlers. */
  gracePeriod: number | undefined;
}

function validatePorts(ports: unknown, path: string, errs: FieldError[]): void {
  const names = new Set<string>();
  (readObjList(ports, path, errs) ?? []).forEach((port, i) => {
    if (!port) return;
    const p = `${path}[${i}]`;
    const name = readString(port.name, `${p}.name`, errs) ?? "";
    if (name !== "") {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const msg of msgs) errs.push(fieldErrors.invalid(`${p}.name`, name, msg));
      else if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
      else names.add(name);
    }
    const containerPort = readInt(port.containerPort, `${p}.containerPort`, errs) ?? 0;
    if (containerPort === 0) {
      if (isAbsent(port.containerPort) || port.containerPort === 0) errs.push(fieldErrors.required(`${p}.containerPort`));
    } else {
      for (const msg of isValidPortNum(containerPort)) errs.push(fieldErrors.invalid(`${p}.containerPort`, containerPort, msg));
    }
    const hostPort = readInt(port.hostPort, `${p}.hostPort`, errs) ?? 0;
    if (hostPort !== 0) for (const msg of isValidPortNum(hostPort)) errs.push(fieldErrors.invalid(`${p}.hostPort`, hostPort, msg));
    readString(port.hostIP, `${p}.hostIP`, errs);
    const protocol = readRequiredString(port.protocol, `${p}.protocol`, errs);
    if (protocol !== undefined && !portProtocols.includes(protocol)) errs.push(fieldErrors.notSupported(`${p}.protocol`, protocol, portProtocols));
  });
}

function validateEnv(env: unknown, path: string, errs: FieldError[]): void {
  (readObjList(env, path, errs) ?? []).forEach((ev, i) => {
    if (!ev) return;
    const p = `${path}[${i}]`;
    const name = readRequiredString(ev.name, `${p}.name`, errs);
    if (name !== undefined) for (const msg of isRelaxedEnvVarName(name)) errs.push(fieldErrors.invalid(`${p}.name`, name, msg));
    const value = readString(ev.value, `${p}.value`, errs) ?? "";
    const from = readObj(ev.valueFrom, `${p}.valueFrom`, errs);
    if (!from) return;
    const fromPath = `${p}.valueFrom`;
    const sources = ["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef"].filter((k) => !isAbsent(from[k]));
    if (sources.length === 0) {
      errs.push(fieldErrors.invalid(fromPath, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    }
    if (value !== "" && sources.length > 0) errs.push(fieldErrors.invalid(fromPath, "", "may not be specified when `value` is not empty"));
    if (sources.length > 1) errs.push(fieldErrors.invalid(fromPath, "", "may not have more than one field specified at a time"));
    for (const source of sources) {
      const ref = readObj(from[source], `${fromPath}.${source}`, errs);
      if (!ref) continue;
      if (source === "fieldRef" && (readString(ref.fieldPath, `${fromPath}.fieldRef.fieldPath`, errs) ?? "") === "") {
        errs.push(fieldErrors.required(`${fromPath}.fieldRef.fieldPath`));
      }
      if (source === "resourceFieldRef" && (readString(ref.resource, `${fromPath}.resourceFieldRef.resource`, errs) ?? "") === "") {
        errs.push(fieldErrors.required(`${fromPath}.resourceFieldRef.resource`));
      }
      if ((source === "configMapKeyRef" || source === "secretKeyRef") && (readString(ref.key, `${fromPath}.${source}.key`, errs) ?? "") === "") {
        errs.push(fieldErrors.required(`${fromPath}.${source}.key`));
      }
    }
  });
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlyMap<string, Obj>, path: string, errs: FieldError[]): void {
  const mountPoints = new Set<string>();
  (readObjList(mounts, path, errs) ?? []).forEach((m, i) => {
    if (!m) return;
    const p = `${path}[${i}]`;
    const name = readRequiredString(m.name, `${p}.name`, errs);
    if (name !== undefined && !volumes.has(name)) errs.push(fieldErrors.notFound(`${p}.name`, name));
    if (isAbsent(m.name) || m.name === "") errs.push(fieldErrors.notFound(`${p}.name`, ""));
    const mountPath = readRequiredString(m.mountPath, `${p}.mountPath`, errs) ?? "";
    const subPath = readString(m.subPath, `${p}.subPath`, errs) ?? "";
    const subPathExpr = readString(m.subPathExpr, `${p}.subPathExpr`, errs) ?? "";
    if (mountPoints.has(mountPath)) errs.push(fieldErrors.invalid(`${p}.mountPath`, mountPath, "must be unique"));
    mountPoints.add(mountPath);
    if (subPath !== "") errs.push(...validateLocalDescendingPath(subPath, `${path}.subPath`));
    if (subPathExpr !== "") {
      if (subPath !== "") errs.push(fieldErrors.invalid(`${p}.subPathExpr`, subPathExpr, "subPathExpr and subPath are mutually exclusive"));
      errs.push(...validateLocalDescendingPath(subPathExpr, `${path}.subPathExpr`));
    }
  });
}

function validatePortNumOrName(port: unknown, path: string, errs: FieldError[]): void {
  if (typeof port === "number" && Number.isSafeInteger(port)) {
    for (const msg of isValidPortNum(port)) errs.push(fieldErrors.invalid(path, port, msg));
  } else if (typeof port === "string") {
    for (const msg of isValidPortName(port)) errs.push(fieldErrors.invalid(path, port, msg));
  } else {
    errs.push(fieldErrors.invalid(path, port ?? "null", "must be an integer or a port name"));
  }
}

function validateHandler(handler: Obj, kinds: readonly string[], gracePeriod: number | undefined, path: string, errs: FieldError[]): void {
  let count = 0;
  for (const kind of kinds) {
    if (isAbsent(handler[kind])) continue;
    const p = `${path}.${kind}`;
    if (count > 0) {
      errs.push(fieldErrors.forbidden(p, "may not specify more than 1 handler type"));
      continue;
    }
    count++;
    const h = readObj(handler[kind], p, errs) ?? {};
    if (kind === "exec" && !(Array.isArray(h.command) && h.command.length > 0)) errs.push(fieldErrors.required(`${p}.command`));
    if (kind === "httpGet") {
      if ((readString(h.path, `${p}.path`, errs) ?? "") === "") errs.push(fieldErrors.required(`${p}.path`));
      validatePortNumOrName(h.port, `${p}.port`, errs);
      const scheme = readString(h.scheme, `${p}.scheme`, errs) ?? "";
      if (scheme !== "HTTP" && scheme !== "HTTPS") errs.push(fieldErrors.notSupported(`${p}.scheme`, scheme, ["HTTP", "HTTPS"]));
    }
    if (kind === "tcpSocket") validatePortNumOrName(h.port, `${p}.port`, errs);
    if (kind === "grpc") {
      const port = readInt(h.port, `${p}.port`, errs) ?? 0;
      for (const msg of isValidPortNum(port)) errs.push(fieldErrors.invalid(`${p}.port`, port, msg));
    }
    if (kind === "sleep") {
      const seconds = readInt(h.seconds, `${p}.seconds`, errs) ?? 0;
      if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
        errs.push(fieldErrors.invalid(p, seconds, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
      }
    }
  }
  if (count === 0) errs.push(fieldErrors.required(path, "must specify a handler type"));
}

const probeHandlers = ["exec", "httpGet", "tcpSocket", "grpc"];
const lifecycleHandlers = ["exec", "httpGet", "tcpSocket", "sleep"];

function validateProbe(probe: unknown, kind: "liveness" | "readiness" | "startup", ctx: ContainerContext, path: string, errs: FieldError[]): void {
  const pr = readObj(probe, path, errs);
  if (!pr) return;
  validateHandler(pr, probeHandlers, ctx.gracePeriod, path, errs);
  for (const field of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]) {
    const v = readInt(pr[field], `${path}.${field}`, errs);
    if (v !== undefined && v < 0) errs.push(fieldErrors.invalid(`${path}.${field}`, v, "must be greater than or equal to 0"));
  }
  const grace = readInt(pr.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`, errs);
  if (grace !== undefined && grace <= 0) errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, grace, "must be greater than 0"));
  const success = readInt(pr.successThreshold, `${path}.successThreshold`, []) ?? 0;
  if (kind !== "readiness" && success !== 1) errs.push(fieldErrors.invalid(`${path}.successThreshold`, success, "must be 1"));
  if (kind === "readiness" && grace !== undefined) {
    errs.push(fieldErrors.invalid(`${path}.terminationGracePeriodSeconds`, grace, "must not be set for readinessProbes"));
  }
}

function validateLifecycle(lifecycle: unknown, ctx: ContainerContext, path: string, errs: FieldError[]): void {
  const lc = readObj(lifecycle, path, errs);
  if (!lc) return;
  for (const hook of ["postStart", "preStop"]) {
    const h = readObj(lc[hook], `${path}.${hook}`, errs);
    if (h) validateHandler(h, lifecycleHandlers, ctx.gracePeriod, `${path}.${hook}`, errs);
  }
}

/** Checks shared by regular and init containers. */
function validateContainerCommon(c: Obj, ctx: ContainerContext, path: string, errs: FieldError[]): string {
  const name = readString(c.name, `${path}.name`, errs) ?? "";
  if (name === "") {
    if (isAbsent(c.name) || c.name === "") errs.push(fieldErrors.required(`${path}.name`));
  } else {
    for (const msg of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
  }
  const image = readString(c.image, `${path}.image`, errs) ?? "";
  if (image === "" && (isAbsent(c.image) || c.image === "")) errs.push(fieldErrors.required(`${path}.image`));
  const tmp = readRequiredString(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, errs);
  if (tmp !== undefined && tmp !== "File" && tmp !== "FallbackToLogsOnError") {
    errs.push(fieldErrors.notSupported(`${path}.terminationMessagePolicy`, tmp, ["File", "FallbackToLogsOnError"]));
  }
  validatePorts(c.ports, `${path}.ports`, errs);
  validateEnv(c.env, `${path}.env`, errs);
  validateVolumeMounts(c.volumeMounts, ctx.volumes, `${path}.volumeMounts`, errs);
  const pull = readRequiredString(c.imagePullPolicy, `${path}.imagePullPolicy`, errs);
  if (pull !== undefined && !pullPolicies.includes(pull)) errs.push(fieldErrors.notSupported(`${path}.imagePullPolicy`, pull, pullPolicies));
  errs.push(...validateResourceRequirements(c.resources, `${path}.resources`));
  readObj(c.securityContext, `${path}.securityContext`, errs);
  return name;
}

function checkHostPorts(containers: ReadonlyArray<Obj | undefined>, path: string, seen: Set<string>, offset: number, errs: FieldError[]): void {
  containers.forEach((c, ci) => {
    if (!c || !Array.isArray(c.ports)) return;
    c.ports.forEach((port: unknown, pi) => {
      const o = readObj(port, "", []);
      if (!o || typeof o.hostPort !== "number" || o.hostPort === 0) return;
      const key = `${typeof o.protocol === "string" ? o.protocol : ""}/${typeof o.hostIP === "string" ? o.hostIP : ""}/${o.hostPort}`;
      if (seen.has(key)) errs.push(fieldErrors.duplicate(`${path}[${ci + offset}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
}

/** Validates spec.containers: at least one, each valid, unique names, no conflicting host ports. */
export function validateContainers(containers: unknown, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = readObjList(containers, path, errs);
  if (!list || list.length === 0) {
    if (isAbsent(containers) || (Array.isArray(containers) && containers.length === 0)) errs.push(fieldErrors.required(path));
    return errs;
  }
  const names = new Set<string>();
  list.forEach((c, i) => {
    if (!c) return;
    const p = `${path}[${i}]`;
    const name = validateContainerCommon(c, ctx, p, errs);
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else names.add(name);
    validateLifecycle(c.lifecycle, ctx, `${p}.lifecycle`, errs);
    validateProbe(c.livenessProbe, "liveness", ctx, `${p}.livenessProbe`, errs);
    validateProbe(c.readinessProbe, "readiness", ctx, `${p}.readinessProbe`, errs);
    validateProbe(c.startupProbe, "startup", ctx, `${p}.startupProbe`, errs);
    if (!isAbsent(c.restartPolicy)) errs.push(fieldErrors.forbidden(`${p}.restartPolicy`, "may not be set for non-init containers"));
  });
  checkHostPorts(list, path, new Set<string>(), 0, errs);
  return errs;
}

/** Validates spec.initContainers: names unique across regular and init containers; probes only for sidecars. */
export function validateInitContainers(initContainers: unknown, containers: unknown, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = readObjList(initContainers, path, errs) ?? [];
  const names = new Set<string>();
  if (Array.isArray(containers)) {
    for (const c of containers) if (readObj(c, "", []) && typeof (c as Obj).name === "string") names.add((c as Obj).name as string);
  }
  list.forEach((c, i) => {
    if (!c) return;
    const p = `${path}[${i}]`;
    const name = validateContainerCommon(c, ctx, p, errs);
    const restartPolicy = readString(c.restartPolicy, `${p}.restartPolicy`, errs);
    if (restartPolicy !== undefined && restartPolicy !== "Always") errs.push(fieldErrors.notSupported(`${p}.restartPolicy`, restartPolicy, ["Always"]));
    if (names.has(name)) errs.push(fieldErrors.duplicate(`${p}.name`, name));
    else if (name !== "") names.add(name);
    checkHostPorts([c], path, new Set<string>(), i, errs);
    if (restartPolicy === "Always") {
      validateLifecycle(c.lifecycle, ctx, `${p}.lifecycle`, errs);
      validateProbe(c.livenessProbe, "liveness", ctx, `${p}.livenessProbe`, errs);
      validateProbe(c.readinessProbe, "readiness", ctx, `${p}.readinessProbe`, errs);
      validateProbe(c.startupProbe, "startup", ctx, `${p}.startupProbe`, errs);
    } else {
      for (const field of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"]) {
        if (!isAbsent(c[field])) errs.push(fieldErrors.forbidden(`${p}.${field}`, "may not be set for init containers without restartPolicy=Always"));
      }
    }
  });
  return errs;
}

/** Pod-only container checks (not applied to templates): images without surrounding whitespace. */
export function validateContainersOnlyForPod(containers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(containers)) return errs;
  containers.forEach((c: unknown, i) => {
    const o = readObj(c, "", []);
    if (o && typeof o.image === "string" && o.image !== o.image.trim()) {
      errs.push(fieldErrors.invalid(`${path}[${i}].image`, o.image, "must not have leading or trailing whitespace"));
    }
  });
  return errs;
}
