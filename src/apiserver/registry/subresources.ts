/** POST subresources of pods: binding (assign to a node) and eviction (delete with options). */
import { checkFields, pruneUnknownFields, type SchemaTarget } from "../../api/schema/index.js";
import { badRequest, conflict, fieldErrors, invalid, notFound, statusError, type FieldError } from "../../api/status-error.js";
import type { DeleteOptions, KubeObject, ObjectMeta, Status } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { deepCopy, isPlainObject } from "../../util/json.js";
import { metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { deleteObject } from "./delete-object.js";
import { maxWriteAttempts, readCached, readCurrent, RetryableConflict, storeUpdate, type Current } from "./storage-ops.js";

const bindingRef = { group: "", resource: "pods/binding", kind: "Binding" };

function created(): Status & KubeObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/**
 * Dispatches a subresource POST; 404 for subresources other than pods/binding and pods/eviction. The body is
 * decoded as its typed kind would be: values of the wrong JSON type are a 400, unknown fields are dropped.
 */
export async function createSubresource(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
  if (store.info.group === "" && store.info.resource === "pods") {
    if (subresource === "binding") return bind(ctx, store, namespace, name, decodeBody(bindingKind, body), options);
    if (subresource === "eviction") return evict(ctx, store, namespace, name, decodeBody(evictionKind, body), options);
  }
  throw statusError(404, "NotFound", "the server could not find the requested resource");
}

const bindingKind = { group: "", version: "v1", kind: "Binding" };
const evictionKind = { group: "policy", version: "v1", kind: "Eviction" };

/** A copy of a subresource body checked against its kind's schema (400 on a mistyped value), unknown fields dropped. */
function decodeBody(target: SchemaTarget, body: KubeObject): KubeObject {
  const copy = deepCopy(body);
  const { typeErrors } = checkFields(target, copy);
  if (typeErrors.length > 0) throw badRequest(`${target.kind} in version "${target.version}" cannot be handled as a ${target.kind}: ${typeErrors[0] ?? ""}`);
  pruneUnknownFields(target, copy);
  return copy;
}

async function bind(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, binding: KubeObject, options: WriteOptions): Promise<KubeObject> {
  const meta = binding.metadata ?? {};
  if (meta.name !== name) throw badRequest("name in URL does not match name in Binding object");
  const target = isPlainObject(binding.target) ? binding.target : {};
  const errs: FieldError[] = [];
  if (typeof target.kind === "string" && target.kind !== "" && target.kind !== "Node") {
    errs.push(fieldErrors.notSupported("target.kind", target.kind, ["Node", "<empty>"]));
  }
  if (typeof target.name !== "string" || target.name === "") errs.push(fieldErrors.required("target.name"));
  if (errs.length > 0) throw invalid(bindingRef, name, errs);
  const nodeName = target.name as string;
  await ctx.ready;
  const key = ctx.key(store, namespace, name);
  // The first attempt binds the watch cache's copy (compare-and-swap catches a stale one); a refusal is confirmed
  // by another attempt from storage.
  let tryCache = !options.dryRun;
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    const shared = tryCache ? readCached(store, key) : undefined;
    const cached = shared && { object: bindingCopy(shared.object), modRevision: shared.modRevision };
    tryCache = false;
    try {
      if (await bindOnce(ctx, store, key, name, meta, nodeName, cached ?? await readCurrent(ctx, key), options)) return created();
    } catch (error) {
      // A refusal based on the cache's copy is confirmed from storage, unless the cache is as current as storage.
      if (cached === undefined || ctx.cacheIsCurrent(store)) throw error;
    }
  }
  throw conflict(bindingRef, name);
}

/**
 * A copy of the watch cache's pod that a binding may change (metadata, spec, status and its conditions are new
 * objects; the rest stays shared with the cache, read-only): the bound pod is only stored, never handed out.
 */
function bindingCopy(pod: KubeObject): KubeObject {
  const copy: KubeObject = { ...pod, metadata: { ...(pod.metadata ?? {}) } };
  if (isPlainObject(pod.spec)) copy.spec = { ...pod.spec };
  if (isPlainObject(pod.status)) {
    const status: Record<string, unknown> = { ...pod.status };
    if (Array.isArray(status.conditions)) status.conditions = status.conditions.map((c: unknown) => (isPlainObject(c) ? { ...c } : c));
    copy.status = status;
  }
  return copy;
}

/** One binding attempt: true when stored (or, dry run, admitted), false when storage moved on meanwhile. */
async function bindOnce(
  ctx: RegistryContext, store: ResourceStore, key: string, name: string, meta: ObjectMeta, nodeName: string, current: Current | undefined, options: WriteOptions,
): Promise<boolean> {
  if (current === undefined) throw notFound(store.ref, name);
  const pod = current.object;
  const podMeta = metaOf(pod);
  if (meta.uid && meta.uid !== podMeta.uid) {
    throw conflict(bindingRef, name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${podMeta.uid ?? ""}`);
  }
  if (meta.resourceVersion && meta.resourceVersion !== podMeta.resourceVersion) {
    throw conflict(bindingRef, name, `Precondition failed: ResourceVersion in precondition: ${meta.resourceVersion}, ResourceVersion in object meta: ${podMeta.resourceVersion ?? ""}`);
  }
  if (podMeta.deletionTimestamp) throw conflict(bindingRef, name, `pod ${name} is being deleted, cannot be assigned to a host`);
  const spec = isPlainObject(pod.spec) ? pod.spec : (pod.spec = {}) as Record<string, unknown>;
  if (typeof spec.nodeName === "string" && spec.nodeName !== "") {
    throw conflict(bindingRef, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
  }
  const gates = spec.schedulingGates;
  if (Array.isArray(gates) && gates.length > 0) throw conflict(bindingRef, name, `pod ${name} has non-empty .spec.schedulingGates`);
  spec.nodeName = nodeName;
  if (meta.annotations) podMeta.annotations = { ...(podMeta.annotations ?? {}), ...meta.annotations };
  setScheduledCondition(pod, ctx.timestamp());
  if (options.dryRun) return true;
  try {
    await storeUpdate(ctx, store, key, pod, current.modRevision, options);
    return true;
  } catch (error) {
    if (!(error instanceof RetryableConflict)) throw error;
    return false;
  }
}

function setScheduledCondition(pod: KubeObject, now: string): void {
  const status = isPlainObject(pod.status) ? pod.status : (pod.status = {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject) : [];
  const existing = conditions.find((c) => c.type === "PodScheduled");
  if (existing === undefined) {
    conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now });
  } else if (existing.status !== "True") {
    existing.status = "True";
    existing.lastTransitionTime = now;
    delete existing.reason;
    delete existing.message;
  }
  status.conditions = conditions;
}

async function evict(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, eviction: KubeObject, options: WriteOptions): Promise<KubeObject> {
  if (eviction.metadata?.name !== undefined && eviction.metadata.name !== name) {
    throw badRequest("name in URL does not match name in Eviction object");
  }
  const deleteOptions: DeleteOptions = isPlainObject(eviction.deleteOptions) ? { ...(eviction.deleteOptions as DeleteOptions) } : {};
  if (options.dryRun) deleteOptions.dryRun = ["All"];
  await deleteObject(ctx, store, namespace, name, deleteOptions);
  return created();
}
