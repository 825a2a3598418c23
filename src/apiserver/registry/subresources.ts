/** POST subresources of pods: binding (assign to a node) and eviction (delete with options). */
import { badRequest, conflict, fieldErrors, invalid, notFound, statusError, type FieldError } from "../../api/status-error.js";
import type { DeleteOptions, KubeObject, Status } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { deepCopy, isObject, metaOf } from "./codec.js";
import type { RegistryContext, ResourceStore } from "./context.js";
import { deleteObject } from "./delete-object.js";
import { maxWriteAttempts, readCurrent, RetryableConflict, storeUpdate } from "./storage-ops.js";

const bindingRef = { group: "", resource: "pods/binding", kind: "Binding" };

function created(): Status & KubeObject {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
}

/** Dispatches a subresource POST; 404 for subresources other than pods/binding and pods/eviction. */
export async function createSubresource(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
  if (store.info.group === "" && store.info.resource === "pods") {
    if (subresource === "binding") return bind(ctx, store, namespace, name, deepCopy(body), options);
    if (subresource === "eviction") return evict(ctx, store, namespace, name, deepCopy(body), options);
  }
  throw statusError(404, "NotFound", "the server could not find the requested resource");
}

async function bind(ctx: RegistryContext, store: ResourceStore, namespace: string | undefined, name: string, binding: KubeObject, options: WriteOptions): Promise<KubeObject> {
  const meta = binding.metadata ?? {};
  if (meta.name !== name) throw badRequest("name in URL does not match name in Binding object");
  const target = isObject(binding.target) ? binding.target : {};
  const errs: FieldError[] = [];
  if (typeof target.kind === "string" && target.kind !== "" && target.kind !== "Node") {
    errs.push(fieldErrors.notSupported("target.kind", target.kind, ["Node", "<empty>"]));
  }
  if (typeof target.name !== "string" || target.name === "") errs.push(fieldErrors.required("target.name"));
  if (errs.length > 0) throw invalid(bindingRef, name, errs);
  const nodeName = target.name as string;
  await ctx.ready;
  const key = ctx.key(store, namespace, name);
  for (let attempt = 0; attempt < maxWriteAttempts; attempt++) {
    const current = await readCurrent(ctx, key);
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
    const spec = isObject(pod.spec) ? pod.spec : (pod.spec = {}) as Record<string, unknown>;
    if (typeof spec.nodeName === "string" && spec.nodeName !== "") {
      throw conflict(bindingRef, name, `pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
    }
    const gates = spec.schedulingGates;
    if (Array.isArray(gates) && gates.length > 0) throw conflict(bindingRef, name, `pod ${name} has non-empty .spec.schedulingGates`);
    spec.nodeName = nodeName;
    if (meta.annotations) podMeta.annotations = { ...(podMeta.annotations ?? {}), ...meta.annotations };
    setScheduledCondition(pod, ctx.timestamp());
    if (options.dryRun) return created();
    try {
      await storeUpdate(ctx, store, key, pod, current.modRevision);
      return created();
    } catch (error) {
      if (!(error instanceof RetryableConflict)) throw error;
    }
  }
  throw conflict(bindingRef, name);
}

function setScheduledCondition(pod: KubeObject, now: string): void {
  const status = isObject(pod.status) ? pod.status : (pod.status = {}) as Record<string, unknown>;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isObject) : [];
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
  const deleteOptions: DeleteOptions = isObject(eviction.deleteOptions) ? { ...(eviction.deleteOptions as DeleteOptions) } : {};
  if (options.dryRun) deleteOptions.dryRun = ["All"];
  await deleteObject(ctx, store, namespace, name, deleteOptions);
  return created();
}
