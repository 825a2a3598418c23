/** core/v1 Service validation, as upstream's ValidateService and ValidateServiceUpdate report it. */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isDNS1123Label, isValidPortName, isValidPortNum, nameIsDNSLabel } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, isAbsent, readInt, readObj, readObjList, readString, readStringList, readStringMap } from "./shape.js";

const serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const protocols = ["SCTP", "TCP", "UDP"];
const affinities = ["ClientIP", "None"];

function validatePort(port: Obj, path: string, requireName: boolean, type: string, errs: FieldError[]): void {
  const name = readString(port.name, `${path}.name`, errs) ?? "";
  if (requireName && name === "") errs.push(fieldErrors.required(`${path}.name`));
  else if (name !== "") for (const msg of isDNS1123Label(name)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
  const number = readInt(port.port, `${path}.port`, errs);
  if (number !== undefined) for (const msg of isValidPortNum(number)) errs.push(fieldErrors.invalid(`${path}.port`, number, msg));
  else if (isAbsent(port.port)) errs.push(fieldErrors.invalid(`${path}.port`, 0, isValidPortNum(0)[0] ?? ""));
  const protocol = readString(port.protocol, `${path}.protocol`, errs) ?? "";
  if (protocol === "") errs.push(fieldErrors.required(`${path}.protocol`));
  else if (!protocols.includes(protocol)) errs.push(fieldErrors.notSupported(`${path}.protocol`, protocol, protocols));
  const target = port.targetPort;
  if (typeof target === "number") {
    for (const msg of isValidPortNum(target)) errs.push(fieldErrors.invalid(`${path}.targetPort`, target, msg));
  } else if (typeof target === "string") {
    for (const msg of isValidPortName(target)) errs.push(fieldErrors.invalid(`${path}.targetPort`, target, msg));
  }
  const nodePort = readInt(port.nodePort, `${path}.nodePort`, errs);
  if (nodePort !== undefined && nodePort !== 0) {
    if (type !== "NodePort" && type !== "LoadBalancer") errs.push(fieldErrors.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${type}'`));
    else for (const msg of isValidPortNum(nodePort)) errs.push(fieldErrors.invalid(`${path}.nodePort`, nodePort, msg));
  }
}

function validateSpec(svc: Obj, errs: FieldError[]): void {
  const spec = readObj(svc.spec, "spec", errs) ?? {};
  const type = readString(spec.type, "spec.type", errs) ?? "";
  if (!serviceTypes.includes(type)) errs.push(type === "" ? fieldErrors.required("spec.type") : fieldErrors.notSupported("spec.type", type, serviceTypes));
  const clusterIP = readString(spec.clusterIP, "spec.clusterIP", errs) ?? "";
  const headless = clusterIP === "None";
  const ports = readObjList(spec.ports, "spec.ports", errs) ?? [];
  if (ports.length === 0 && !headless && type !== "ExternalName") errs.push(fieldErrors.required("spec.ports"));
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((port, i) => {
    if (!port) return;
    const path = `spec.ports[${i}]`;
    validatePort(port, path, ports.length > 1, type, errs);
    const name = typeof port.name === "string" ? port.name : "";
    if (name !== "") {
      if (names.has(name)) errs.push(fieldErrors.duplicate(`${path}.name`, name));
      names.add(name);
    }
    const key = `${String(port.port)}/${String(port.protocol)}`;
    if (keys.has(key)) errs.push({ type: "FieldValueDuplicate", field: path, detail: `Duplicate value: ${JSON.stringify({ port: port.port, protocol: port.protocol })}` });
    keys.add(key);
  });
  readStringMap(spec.selector, "spec.selector", errs);
  const affinity = readString(spec.sessionAffinity, "spec.sessionAffinity", errs) ?? "";
  if (affinity === "") errs.push(fieldErrors.required("spec.sessionAffinity"));
  else if (!affinities.includes(affinity)) errs.push(fieldErrors.notSupported("spec.sessionAffinity", affinity, affinities));
  if (headless && (type === "NodePort" || type === "LoadBalancer")) {
    errs.push(fieldErrors.invalid("spec.clusterIPs[0]", clusterIP, `may not be set to 'None' for ${type} services`));
  }
  if (type === "ExternalName") {
    const externalName = readString(spec.externalName, "spec.externalName", errs) ?? "";
    if (externalName === "") errs.push(fieldErrors.required("spec.externalName"));
  }
  readStringList(spec.externalIPs, "spec.externalIPs", errs);
}

/** Validates a Service being created. */
export function validateService(svc: Obj): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameFn: nameIsDNSLabel });
  validateSpec(svc, errs);
  return errs;
}

/** Validates an update of a Service: the allocated cluster IP never changes. */
export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  validateSpec(svc, errs);
  const ip = readObj(svc.spec, "spec", [])?.clusterIP;
  const oldIp = readObj(old.spec, "spec", [])?.clusterIP;
  if (typeof oldIp === "string" && oldIp !== "" && ip !== oldIp && (readObj(svc.spec, "spec", [])?.type !== "ExternalName")) {
    errs.push(fieldErrors.invalid("spec.clusterIPs[0]", ip ?? "", "may not change once set"));
  }
  return errs;
}
