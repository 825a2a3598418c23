/**
 * rbac.authorization.k8s.io/v1 validation: Role, ClusterRole (rules, aggregationRule), RoleBinding and
 * ClusterRoleBinding (roleRef, subjects), as upstream's pkg/apis/rbac/validation reports it.
 */
import { type FieldError, fieldErrors } from "../status-error.js";
import { validateLabelSelector } from "./label-selector.js";
import { isValidPathSegmentName, nameIsDNSSubdomain } from "./names.js";
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from "./object-meta.js";
import { type Obj, readObj, readObjList, readString, readStringList } from "./shape.js";

/** The RBAC API group. */
export const rbacGroup = "rbac.authorization.k8s.io";

/** Role and binding names: any valid path segment, as upstream's minimal name validation. */
function nameRule(name: string, prefix: boolean): string[] {
  return isValidPathSegmentName(name, prefix);
}

function validateRule(rule: Obj, path: string, namespaced: boolean, errs: FieldError[]): void {
  const verbs = readStringList(rule.verbs, `${path}.verbs`, errs) ?? [];
  const groups = readStringList(rule.apiGroups, `${path}.apiGroups`, errs) ?? [];
  const resources = readStringList(rule.resources, `${path}.resources`, errs) ?? [];
  const names = readStringList(rule.resourceNames, `${path}.resourceNames`, errs) ?? [];
  const urls = readStringList(rule.nonResourceURLs, `${path}.nonResourceURLs`, errs) ?? [];
  if (verbs.length === 0) errs.push(fieldErrors.required(`${path}.verbs`, "verbs must contain at least one value"));
  if (urls.length > 0) {
    if (namespaced) errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, urls, "namespaced rules cannot apply to non-resource URLs"));
    if (groups.length > 0 || resources.length > 0 || names.length > 0) {
      errs.push(fieldErrors.invalid(`${path}.nonResourceURLs`, urls, "rules cannot apply to both regular resources and non-resource URLs"));
    }
    return;
  }
  if (groups.length === 0) errs.push(fieldErrors.required(`${path}.apiGroups`, "resource rules must supply at least one api group"));
  if (resources.length === 0) errs.push(fieldErrors.required(`${path}.resources`, "resource rules must supply at least one resource"));
}

function validateRules(role: Obj, namespaced: boolean, errs: FieldError[]): void {
  (readObjList(role.rules, "rules", errs) ?? []).forEach((rule, i) => { if (rule) validateRule(rule, `rules[${i}]`, namespaced, errs); });
}

/** Validates a Role (create and update). */
export function validateRole(role: Obj, old?: Obj): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(role.metadata, old.metadata) : validateObjectMeta(role.metadata, { namespaced: true, nameFn: nameRule });
  validateRules(role, true, errs);
  return errs;
}

/** Validates a ClusterRole (create and update), its aggregationRule's selectors included. */
export function validateClusterRole(role: Obj, old?: Obj): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(role.metadata, old.metadata) : validateObjectMeta(role.metadata, { namespaced: false, nameFn: nameRule });
  validateRules(role, false, errs);
  const aggregation = readObj(role.aggregationRule, "aggregationRule", errs);
  if (aggregation) {
    const selectors = readObjList(aggregation.clusterRoleSelectors, "aggregationRule.clusterRoleSelectors", errs) ?? [];
    if (selectors.length === 0) errs.push(fieldErrors.required("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    selectors.forEach((s, i) => { if (s) errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)); });
  }
  return errs;
}

const subjectKinds = ["ServiceAccount", "User", "Group"];

function validateSubject(subject: Obj, path: string, namespaced: boolean, errs: FieldError[]): void {
  const kind = readString(subject.kind, `${path}.kind`, errs) ?? "";
  const name = readString(subject.name, `${path}.name`, errs) ?? "";
  const apiGroup = readString(subject.apiGroup, `${path}.apiGroup`, errs) ?? "";
  const namespace = readString(subject.namespace, `${path}.namespace`, errs) ?? "";
  if (name === "") errs.push(fieldErrors.required(`${path}.name`));
  switch (kind) {
    case "ServiceAccount":
      if (name !== "") for (const msg of nameIsDNSSubdomain(name, false)) errs.push(fieldErrors.invalid(`${path}.name`, name, msg));
      if (apiGroup !== "") errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [""]));
      if (!namespaced && namespace === "") errs.push(fieldErrors.required(`${path}.namespace`));
      break;
    case "User":
    case "Group":
      if (apiGroup !== rbacGroup) errs.push(fieldErrors.notSupported(`${path}.apiGroup`, apiGroup, [rbacGroup]));
      break;
    default:
      errs.push(fieldErrors.notSupported(`${path}.kind`, kind, subjectKinds));
  }
}

function validateBinding(binding: Obj, namespaced: boolean, old: Obj | undefined): FieldError[] {
  const errs = old ? validateObjectMetaUpdate(binding.metadata, old.metadata) : validateObjectMeta(binding.metadata, { namespaced, nameFn: nameRule });
  const roleRef = readObj(binding.roleRef, "roleRef", errs) ?? {};
  const apiGroup = readString(roleRef.apiGroup, "roleRef.apiGroup", errs) ?? "";
  const kind = readString(roleRef.kind, "roleRef.kind", errs) ?? "";
  const name = readString(roleRef.name, "roleRef.name", errs) ?? "";
  if (apiGroup !== rbacGroup) errs.push(fieldErrors.notSupported("roleRef.apiGroup", apiGroup, [rbacGroup]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(kind)) errs.push(fieldErrors.notSupported("roleRef.kind", kind, kinds));
  if (name === "") errs.push(fieldErrors.required("roleRef.name"));
  else for (const msg of nameRule(name, false)) errs.push(fieldErrors.invalid("roleRef.name", name, msg));
  (readObjList(binding.subjects, "subjects", errs) ?? []).forEach((s, i) => { if (s) validateSubject(s, `subjects[${i}]`, namespaced, errs); });
  if (old) {
    const changed = validateImmutable(binding.roleRef, old.roleRef, "roleRef");
    if (changed.length > 0) errs.push(fieldErrors.invalid("roleRef", binding.roleRef, "cannot change roleRef"));
  }
  return errs;
}

/** Validates a RoleBinding (create and update; roleRef never changes). */
export function validateRoleBinding(binding: Obj, old?: Obj): FieldError[] {
  return validateBinding(binding, true, old);
}

/** Validates a ClusterRoleBinding (create and update; roleRef never changes). */
export function validateClusterRoleBinding(binding: Obj, old?: Obj): FieldError[] {
  return validateBinding(binding, false, old);
}
