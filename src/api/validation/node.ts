/**
 * Node validation: metadata, taints (reported under `metadata.taints` as upstream does), capacity and
 * allocatable quantities, podCIDRs/providerID/externalID update rules.
 */
import { isIP } from "node:net";
import { type FieldError, fieldErrors } from "../status-error.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { readResourceList } from "./resources.js";
import { goStringSlice } from "./go-format.js";
import { type Obj, invalidRendered, readObj, readObjList, readString, readStringList } from "./shape.js";
import { validateNodeTaints } from "./scheduling.js";

function validateNodeResources(node: Obj, errs: FieldError[]): void {
  const status = readObj(node.status, "status", errs) ?? {};
  readResourceList(status.capacity, "status.capacity", errs);
  readResourceList(status.allocatable, "status.allocatable", errs);
}

function validateNodeCommon(node: Obj, errs: FieldError[]): Obj {
  const spec = readObj(node.spec, "spec", errs) ?? {};
  errs.push(...validateNodeTaints(spec.taints, "metadata.taints"));
  validateNodeResources(node, errs);
  return spec;
}

/** The IP family (4 or 6) of a CIDR such as 10.9.8.0/24 or 2001:db8::/64; 0 when it is not one. */
function cidrFamily(cidr: string): 0 | 4 | 6 {
  const slash = cidr.indexOf("/");
  if (slash < 0) return 0;
  const family = isIP(cidr.slice(0, slash));
  const prefix = cidr.slice(slash + 1);
  if (family === 0 || !/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128)) return 0;
  return family === 4 ? 4 : 6;
}

/** Pod CIDRs must be valid and at most one per IP family. */
function validatePodCIDRs(spec: Obj, errs: FieldError[]): string[] {
  const cidrs = readStringList(spec.podCIDRs, "spec.podCIDRs", errs) ?? [];
  const families = cidrs.map((cidr, i) => {
    const family = cidrFamily(cidr);
    if (family === 0) errs.push(fieldErrors.invalid(`spec.podCIDRs[${i}]`, cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    return family;
  });
  if (cidrs.length > 2 || (cidrs.length === 2 && families[0] !== 0 && families[1] !== 0 && families[0] === families[1])) {
    errs.push(invalidRendered("spec.podCIDRs", goStringSlice(cidrs), "may specify no more than one CIDR for each IP family"));
  }
  return cidrs;
}

/** Validates a node being created. */
export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const spec = validateNodeCommon(node, errs);
  validatePodCIDRs(spec, errs);
  return errs;
}

/** Validates an update of a node (also used for its status): podCIDRs and providerID only set once, externalID fixed. */
export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  const spec = validateNodeCommon(node, errs);
  const oldSpec = readObj(old.spec, "spec", []) ?? {};
  const status = readObj(node.status, "status", []) ?? {};
  const addresses = new Set<string>();
  (readObjList(status.addresses, "status.addresses", errs) ?? []).forEach((a, i) => {
    const key = JSON.stringify([a?.type ?? "", a?.address ?? ""]);
    if (addresses.has(key)) errs.push(fieldErrors.duplicate(`status.addresses[${i}]`, a));
    addresses.add(key);
  });
  const oldCIDRs = readStringList(oldSpec.podCIDRs, "", []) ?? [];
  const newCIDRs = validatePodCIDRs(spec, errs);
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i]))) {
    errs.push(fieldErrors.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  const oldProvider = typeof oldSpec.providerID === "string" ? oldSpec.providerID : "";
  const newProvider = readString(spec.providerID, "spec.providerID", errs) ?? "";
  if (oldProvider !== "" && oldProvider !== newProvider) {
    errs.push(fieldErrors.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
  }
  if ((spec.externalID ?? "") !== (oldSpec.externalID ?? "")) errs.push(fieldErrors.forbidden("spec.externalID", "may not be updated"));
  return errs;
}
