/** core/v1 Endpoints and discovery.k8s.io/v1 EndpointSlice validation (addresses, ports, address types). */
import { type FieldError, fieldErrors } from "../status-error.js";
import { isValidPortNum, nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, readInt, readObjList, readString, readStringList } from "./shape.js";

const addressTypes = ["FQDN", "IPv4", "IPv6"];

function validatePorts(ports: Array<Obj | undefined>, path: string, requireName: boolean, errs: FieldError[]): void {
  ports.forEach((port, i) => {
    if (!port) return;
    const p = `${path}[${i}]`;
    const name = readString(port.name, `${p}.name`, errs) ?? "";
    if (requireName && name === "") errs.push(fieldErrors.required(`${p}.name`));
    const number = readInt(port.port, `${p}.port`, errs);
    if (number !== undefined) for (const msg of isValidPortNum(number)) errs.push(fieldErrors.invalid(`${p}.port`, number, msg));
    readString(port.protocol, `${p}.protocol`, errs);
  });
}

function validateSubsets(ep: Obj, errs: FieldError[]): void {
  (readObjList(ep.subsets, "subsets", errs) ?? []).forEach((subset, i) => {
    if (!subset) return;
    const path = `subsets[${i}]`;
    for (const field of ["addresses", "notReadyAddresses"]) {
      (readObjList(subset[field], `${path}.${field}`, errs) ?? []).forEach((a, j) => {
        if (!a) return;
        const ip = readString(a.ip, `${path}.${field}[${j}].ip`, errs) ?? "";
        if (ip === "") errs.push(fieldErrors.required(`${path}.${field}[${j}].ip`));
      });
    }
    const ports = readObjList(subset.ports, `${path}.ports`, errs) ?? [];
    validatePorts(ports, `${path}.ports`, ports.length > 1, errs);
  });
}

/** Validates Endpoints (create and update). */
export function validateEndpoints(ep: Obj, old?: Obj): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(ep.metadata, old.metadata) : validateObjectMeta(ep.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateSubsets(ep, errs);
  return errs;
}

/** Validates an EndpointSlice (create and update; addressType never changes). */
export function validateEndpointSlice(slice: Obj, old?: Obj): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(slice.metadata, old.metadata) : validateObjectMeta(slice.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const type = readString(slice.addressType, "addressType", errs) ?? "";
  if (type === "") errs.push(fieldErrors.required("addressType"));
  else if (!addressTypes.includes(type)) errs.push(fieldErrors.notSupported("addressType", type, addressTypes));
  const endpoints = readObjList(slice.endpoints, "endpoints", errs) ?? [];
  if (endpoints.length > 1000) errs.push({ type: "FieldValueInvalid", field: "endpoints", detail: `Invalid value: ${endpoints.length}: must have at most 1000 items` });
  endpoints.forEach((e, i) => {
    if (!e) return;
    const addresses = readStringList(e.addresses, `endpoints[${i}].addresses`, errs) ?? [];
    if (addresses.length < 1 || addresses.length > 100) errs.push({ type: "FieldValueRequired", field: `endpoints[${i}].addresses`, detail: "Required value: must contain at least 1 address" });
  });
  validatePorts(readObjList(slice.ports, "ports", errs) ?? [], "ports", false, errs);
  if (old) errs.push(...validateImmutable(slice.addressType, old.addressType, "addressType"));
  return errs;
}
