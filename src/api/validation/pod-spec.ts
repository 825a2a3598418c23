/**
 * PodSpec and PodTemplateSpec validation, shared by Pods and the templates of workloads such as DaemonSets.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { validateContainers, validateInitContainers } from "./containers.js";
import { inclusiveRangeError, isDNS1123Label, isQualifiedName, nameIsDNSSubdomain } from "./names.js";
import { validateAnnotations, validateLabels } from "./object-meta.js";
import { isAbsent, readBool, readInt, readObj, readObjList, readRequiredString, readString, readStringList } from "./shape.js";
import { validateAffinity, validateTolerations } from "./scheduling.js";
import { validateVolumes } from "./volumes.js";

const restartPolicies = ["Always", "OnFailure", "Never"];
const dnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const maxInt32 = 2147483647;

/** Options distinguishing a Pod's own spec from a template's. */
export interface PodSpecOptions {
  /** True when validating a Pod (hostPort must equal containerPort with hostNetwork). */
  isPod: boolean;
}

function validateHostNetworkPorts(spec: Record<string, unknown>, path: string, opts: PodSpecOptions, errs: FieldError[]): void {
  if (spec.hostNetwork !== true || !Array.isArray(spec.containers)) return;
  spec.containers.forEach((c: unknown, i) => {
    const o = readObj(c, "", []);
    if (!o || !Array.isArray(o.ports)) return;
    o.ports.forEach((port: unknown, j) => {
      const p = readObj(port, "", []);
      if (!p) return;
      const hostPort = typeof p.hostPort === "number" ? p.hostPort : 0;
      const containerPort = typeof p.containerPort === "number" ? p.containerPort : 0;
      if ((opts.isPod || hostPort !== 0) && hostPort !== containerPort) {
        errs.push(fieldErrors.invalid(`${path}.containers[${i}].ports[${j}].hostPort`, hostPort, "must match `containerPort` when `hostNetwork` is true"));
      }
    });
  });
}

function validateDNSConfig(spec: Record<string, unknown>, dnsPolicy: string, path: string, errs: FieldError[]): void {
  const config = readObj(spec.dnsConfig, path, errs);
  if (dnsPolicy === "None") {
    if (!config) {
      errs.push(fieldErrors.required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (!Array.isArray(config.nameservers) || config.nameservers.length === 0) {
      errs.push(fieldErrors.required(`${path}.nameservers`, "must provide at least one DNS nameserver when `dnsPolicy` is None"));
      return;
    }
  }
  if (!config) return;
  const nameservers = readStringList(config.nameservers, `${path}.nameservers`, errs) ?? [];
  if (nameservers.length > 3) errs.push(fieldErrors.invalid(`${path}.nameservers`, nameservers, "must not have more than 3 nameservers"));
  const searches = readStringList(config.searches, `${path}.searches`, errs) ?? [];
  if (searches.length > 32) errs.push(fieldErrors.invalid(`${path}.searches`, searches, "must not have more than 32 search paths"));
  (readObjList(config.options, `${path}.options`, errs) ?? []).forEach((opt, i) => {
    if (opt && (readString(opt.name, `${path}.options[${i}].name`, errs) ?? "") === "") {
      errs.push(fieldErrors.required(`${path}.options[${i}]`, "must not be empty"));
    }
  });
}

/** Validates a PodSpec at path (e.g. `spec` or `spec.template.spec`). */
export function validatePodSpec(specValue: unknown, path: string, opts: PodSpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  const spec = readObj(specValue, path, errs);
  if (!spec) {
    if (isAbsent(specValue)) errs.push(fieldErrors.required(`${path}.containers`));
    return errs;
  }
  const gracePeriod = readInt(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`, errs);
  if (gracePeriod === undefined && isAbsent(spec.terminationGracePeriodSeconds)) errs.push(fieldErrors.required(`${path}.terminationGracePeriodSeconds`));
  const { volumes, errs: volumeErrs } = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...volumeErrs);
  const ctx = { volumes, gracePeriod };
  errs.push(...validateContainers(spec.containers, ctx, `${path}.containers`));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, `${path}.initContainers`));
  readBool(spec.hostNetwork, `${path}.hostNetwork`, errs);
  readBool(spec.hostPID, `${path}.hostPID`, errs);
  readBool(spec.hostIPC, `${path}.hostIPC`, errs);
  validateHostNetworkPorts(spec, path, opts, errs);

  const restartPolicy = readRequiredString(spec.restartPolicy, `${path}.restartPolicy`, errs);
  if (restartPolicy !== undefined && !restartPolicies.includes(restartPolicy)) errs.push(fieldErrors.notSupported(`${path}.restartPolicy`, restartPolicy, restartPolicies));
  const dnsPolicy = readRequiredString(spec.dnsPolicy, `${path}.dnsPolicy`, errs) ?? "";
  if (dnsPolicy !== "" && !dnsPolicies.includes(dnsPolicy)) errs.push(fieldErrors.notSupported(`${path}.dnsPolicy`, dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  readObj(spec.securityContext, `${path}.securityContext`, errs);
  (readObjList(spec.imagePullSecrets, `${path}.imagePullSecrets`, errs) ?? []).forEach((s, i) => {
    if (s && Object.keys(s).some((k) => k !== "name")) errs.push(fieldErrors.invalid(`${path}.imagePullSecrets[${i}]`, s, "only name may be set"));
  });
  errs.push(...validateAffinity(spec.affinity, `${path}.affinity`));
  validateDNSConfig(spec, dnsPolicy, `${path}.dnsConfig`, errs);
  (readObjList(spec.readinessGates, `${path}.readinessGates`, errs) ?? []).forEach((g, i) => {
    const type = (g && readString(g.conditionType, `${path}.readinessGates[${i}].conditionType`, errs)) ?? "";
    for (const msg of isQualifiedName(type)) errs.push(fieldErrors.invalid(`${path}.readinessGates[${i}].conditionType`, type, msg));
  });
  const gates = new Set<string>();
  (readObjList(spec.schedulingGates, `${path}.schedulingGates`, errs) ?? []).forEach((g, i) => {
    const name = (g && readString(g.name, `${path}.schedulingGates[${i}].name`, errs)) ?? "";
    for (const msg of isQualifiedName(name)) errs.push(fieldErrors.invalid(`${path}.schedulingGates[${i}]`, name, msg));
    if (gates.has(name)) errs.push(fieldErrors.duplicate(`${path}.schedulingGates[${i}]`, name));
    gates.add(name);
  });

  const serviceAccountName = readString(spec.serviceAccountName, `${path}.serviceAccountName`, errs) ?? "";
  if (serviceAccountName !== "") {
    for (const msg of nameIsDNSSubdomain(serviceAccountName, false)) errs.push(fieldErrors.invalid(`${path}.serviceAccountName`, serviceAccountName, msg));
  }
  const nodeName = readString(spec.nodeName, `${path}.nodeName`, errs) ?? "";
  if (nodeName !== "") for (const msg of nameIsDNSSubdomain(nodeName, false)) errs.push(fieldErrors.invalid(`${path}.nodeName`, nodeName, msg));
  const deadline = readInt(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`, errs);
  if (deadline !== undefined && (deadline < 1 || deadline > maxInt32)) {
    errs.push(fieldErrors.invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, maxInt32)));
  }
  for (const field of ["hostname", "subdomain"]) {
    const v = readString(spec[field], `${path}.${field}`, errs) ?? "";
    if (v !== "") for (const msg of isDNS1123Label(v)) errs.push(fieldErrors.invalid(`${path}.${field}`, v, msg));
  }
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  const priorityClassName = readString(spec.priorityClassName, `${path}.priorityClassName`, errs) ?? "";
  if (priorityClassName !== "") {
    for (const msg of nameIsDNSSubdomain(priorityClassName, false)) errs.push(fieldErrors.invalid(`${path}.priorityClassName`, priorityClassName, msg));
  }
  const runtimeClassName = readString(spec.runtimeClassName, `${path}.runtimeClassName`, errs);
  if (runtimeClassName !== undefined) {
    for (const msg of nameIsDNSSubdomain(runtimeClassName, false)) errs.push(fieldErrors.invalid(`${path}.runtimeClassName`, runtimeClassName, msg));
  }
  const preemptionPolicy = readString(spec.preemptionPolicy, `${path}.preemptionPolicy`, errs);
  if (preemptionPolicy === "") errs.push(fieldErrors.required(`${path}.preemptionPolicy`));
  else if (preemptionPolicy !== undefined && preemptionPolicy !== "PreemptLowerPriority" && preemptionPolicy !== "Never") {
    errs.push(fieldErrors.notSupported(`${path}.preemptionPolicy`, preemptionPolicy, ["PreemptLowerPriority", "Never"]));
  }
  readInt(spec.priority, `${path}.priority`, errs);
  const os = readObj(spec.os, `${path}.os`, errs);
  if (os) {
    const osName = readString(os.name, `${path}.os.name`, errs) ?? "";
    if (osName === "") errs.push(fieldErrors.required(`${path}.os.name`));
    else if (osName !== "linux" && osName !== "windows") errs.push(fieldErrors.notSupported(`${path}.os.name`, osName, ["linux", "windows"]));
  }
  return errs;
}

/** Validates a PodTemplateSpec at path (e.g. `spec.template`): labels, annotations and the pod spec. */
export function validatePodTemplateSpec(templateValue: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const template = readObj(templateValue, path, errs);
  if (!template && !isAbsent(templateValue)) return errs;
  if (!template) return [...errs, ...validatePodSpec(undefined, `${path}.spec`, { isPod: false })];
  const meta = readObj(template.metadata, `${path}.metadata`, errs) ?? {};
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validatePodSpec(template.spec, `${path}.spec`, { isPod: false }));
  const spec = readObj(template.spec, "", []);
  if (spec && Array.isArray(spec.ephemeralContainers) && spec.ephemeralContainers.length > 0) {
    errs.push(fieldErrors.forbidden(`${path}.spec.ephemeralContainers`, "ephemeral containers not allowed in pod template"));
  }
  return errs;
}
