/**
 * Admission for every served kind: upstream defaulting, then validation of creates, updates and status
 * updates. Inputs are untrusted decoded JSON; odd shapes are reported as field errors, never thrown.
 */
import { defaultControllerRevision, defaultEvent, defaultNamespace, defaultNode } from "./defaults/cluster.js";
import { defaultPriorityClass, defaultSecret } from "./defaults/config.js";
import { defaultService } from "./defaults/service.js";
import { defaultDaemonJob } from "./defaults/daemonjob.js";
import { defaultDaemonSet } from "./defaults/daemonset.js";
import { defaultPod } from "./defaults/pod.js";
import type { ResourceInfo } from "./resources.js";
import { type FieldError } from "./status-error.js";
import type { KubeObject } from "./types.js";
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount, validateServiceAccountUpdate } from "./validation/config.js";
import { validateControllerRevision, validateControllerRevisionUpdate } from "./validation/controller-revision.js";
import { validateDaemonJob, validateDaemonJobStatusUpdate, validateDaemonJobUpdate } from "./validation/daemonjob.js";
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from "./validation/daemonset.js";
import { validateEvent } from "./validation/event.js";
import { validateLease, validateLeaseUpdate } from "./validation/lease.js";
import { nameIsPathSegment } from "./validation/names.js";
import { validateNamespace, validateNamespaceStatusUpdate, validateNamespaceUpdate } from "./validation/namespace.js";
import { validateNode, validateNodeUpdate } from "./validation/node.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./validation/object-meta.js";
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from "./validation/rbac.js";
import { validateEndpointSlice, validateEndpoints } from "./validation/endpoints.js";
import { validateService, validateServiceUpdate } from "./validation/service.js";
import { validatePriorityClass, validatePriorityClassUpdate } from "./validation/priority-class.js";
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from "./validation/pod.js";
import { type Obj, isObj, typeInvalid } from "./validation/shape.js";

type Validate = (obj: Obj) => FieldError[];
type ValidateUpdate = (obj: Obj, old: Obj) => FieldError[];

interface KindAdmission {
  defaults?: (obj: Obj) => void;
  create: Validate;
  update: ValidateUpdate;
  status?: ValidateUpdate;
  /** The update (and status) validators begin with validateObjectMetaUpdate themselves: validateChange leaves it to them. */
  checksMetaUpdate?: true;
}

const validateEventUpdate: ValidateUpdate = (obj) => validateEvent(obj);

const kinds: Readonly<Record<string, KindAdmission>> = {
  "/namespaces": { defaults: defaultNamespace, create: validateNamespace, update: validateNamespaceUpdate, status: validateNamespaceStatusUpdate },
  "/nodes": { defaults: defaultNode, create: validateNode, update: validateNodeUpdate, status: validateNodeUpdate, checksMetaUpdate: true },
  "/pods": { defaults: defaultPod, create: validatePodCreate, update: validatePodUpdate, status: validatePodStatusUpdate },
  "/events": { defaults: defaultEvent, create: validateEvent, update: validateEventUpdate },
  "/configmaps": { create: validateConfigMap, update: validateConfigMapUpdate },
  "/secrets": { defaults: defaultSecret, create: validateSecret, update: validateSecretUpdate },
  "/serviceaccounts": { create: validateServiceAccount, update: validateServiceAccountUpdate },
  "scheduling.k8s.io/priorityclasses": { defaults: defaultPriorityClass, create: validatePriorityClass, update: validatePriorityClassUpdate },
  "/services": { defaults: defaultService, create: validateService, update: validateServiceUpdate, status: (o, old) => validateServiceUpdate(o, old) },
  "/endpoints": { create: (o) => validateEndpoints(o), update: validateEndpoints },
  "discovery.k8s.io/endpointslices": { create: (o) => validateEndpointSlice(o), update: validateEndpointSlice },
  "rbac.authorization.k8s.io/roles": { create: (o) => validateRole(o), update: validateRole },
  "rbac.authorization.k8s.io/clusterroles": { create: (o) => validateClusterRole(o), update: validateClusterRole },
  "rbac.authorization.k8s.io/rolebindings": { create: (o) => validateRoleBinding(o), update: validateRoleBinding },
  "rbac.authorization.k8s.io/clusterrolebindings": { create: (o) => validateClusterRoleBinding(o), update: validateClusterRoleBinding },
  "apps/daemonsets": { defaults: defaultDaemonSet, create: validateDaemonSet, update: validateDaemonSetUpdate, status: validateDaemonSetStatusUpdate },
  "apps/controllerrevisions": { defaults: defaultControllerRevision, create: validateControllerRevision, update: validateControllerRevisionUpdate },
  "coordination.k8s.io/leases": { create: validateLease, update: validateLeaseUpdate, checksMetaUpdate: true },
  "everynode.dev/daemonjobs": { defaults: defaultDaemonJob, create: validateDaemonJob, update: validateDaemonJobUpdate, status: validateDaemonJobStatusUpdate },
};

function kindOf(resource: ResourceInfo): KindAdmission | undefined {
  return kinds[`${resource.group}/${resource.resource}`];
}

/** Drops repeated errors (same type, field and detail), keeping the first, as upstream's aggregate message does. */
function unique(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = `${e.type}\u0000${e.field}\u0000${e.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs a validator; an unexpected exception on a malformed object becomes an invalid-value error instead. */
function guarded(run: () => FieldError[]): FieldError[] {
  try {
    return unique(run());
  } catch (e) {
    return [{ type: "FieldValueInvalid", field: "", detail: `Invalid value: the object could not be validated: ${e instanceof Error ? e.message : String(e)}` }];
  }
}

function notAnObject(obj: unknown): FieldError[] | undefined {
  return isObj(obj) ? undefined : [typeInvalid("", obj, "object")];
}

/** The metadata checks every resource gets (names must at least be valid URL path segments). */
function genericMeta(resource: ResourceInfo, obj: Obj): FieldError[] {
  return validateObjectMeta(obj.metadata, { namespaced: resource.namespaced, nameFn: nameIsPathSegment });
}

/**
 * Applies upstream defaults to an object of the given resource in place. Defaulters fill only what is absent
 * and leave values of the wrong type for validation to report, so they do not throw on any decoded input; an
 * exception is a defect and propagates.
 */
export function applyDefaults(resource: ResourceInfo, obj: KubeObject): void {
  if (!isObj(obj)) return;
  kindOf(resource)?.defaults?.(obj);
}

/** Validates an object being created; returns all field errors (empty = valid). */
export function validateCreate(resource: ResourceInfo, obj: KubeObject): FieldError[] {
  const bad = notAnObject(obj);
  if (bad) return bad;
  return guarded(() => {
    const kind = kindOf(resource);
    const errs = kind ? kind.create(obj) : [];
    return errs.length > 0 ? errs : genericMeta(resource, obj);
  });
}

/** Validates an update of `old` to `obj` (main resource); includes immutability rules. */
export function validateUpdate(resource: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  return validateChange(resource, obj, old, (kind) => kind.update);
}

/** Validates a status update (status subresource). */
export function validateStatusUpdate(resource: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  return validateChange(resource, obj, old, (kind) => kind.status ?? kind.update);
}

/** Shared path of update and status validation: metadata rules, then the kind's rule `pick` selects. */
function validateChange(resource: ResourceInfo, obj: KubeObject, old: KubeObject, pick: (kind: KindAdmission) => KindAdmission["update"]): FieldError[] {
  const bad = notAnObject(obj);
  if (bad) return bad;
  return guarded(() => {
    const previous = isObj(old) ? old : {};
    const kind = kindOf(resource);
    // Errors of the same check repeated later count once (unique), so a kind validator that starts with the metadata
    // update checks gives the same list as running them here first.
    const errs = kind?.checksMetaUpdate ? genericMeta(resource, obj) : [...genericMeta(resource, obj), ...validateObjectMetaUpdate(obj.metadata, previous.metadata)];
    if (kind) errs.push(...pick(kind)(obj, previous));
    return errs;
  });
}
