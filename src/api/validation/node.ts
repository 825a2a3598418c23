/**
 * Node validation: metadata, taints (reported under `metadata.taints` as upstream does), capacity and
 * allocatable quantities, podCIDRs/providerID/externalID update rules.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { nameIsDNSSubdomain } from "./names.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { readResourceList } from "./resources.js";
import { type Obj, readObj, readObjList, readString, readStringList } from "./shape.js";
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

/** Validates a node being created. */
export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  const spec = validateNodeCommon(node, errs);
  const cidrs = readStringList(spec.podCIDRs, "spec.podCIDRs", errs) ?? [];
  const seen = new Set<string>();
  cidrs.forEach((cidr, i) => {
    if (seen.has(cidr)) errs.push(fieldErrors.duplicate(`spec.podCIDRs[${i}]`, cidr));
    seen.add(cidr);
  });
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
  const newCIDRs = readStringList(spec.podCIDRs, "spec.podCIDRs", errs) ?? [];
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
