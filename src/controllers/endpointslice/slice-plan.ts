/** What to create, update and delete so a Service's EndpointSlices hold the desired endpoints (upstream's reconciler). */
import type { EndpointSlice, ObjectMeta, SliceEndpoint } from "../../api/types.js";
import { deepCopy, jsonEqual } from "../../util/json.js";
import { lastChangeTriggerTimeAnnotation } from "../endpoints/trigger-time.js";
import { endpointKey, portsKey, type EndpointGroup } from "./desired-endpoints.js";

/** Upstream's default of `--max-endpoints-per-slice`. */
export const defaultMaxEndpointsPerSlice = 100;

/** Inputs of planSlices. */
export interface PlanInput {
  addressType: string;
  /** The slices this controller manages for the Service (any address type). */
  existing: readonly EndpointSlice[];
  /** Desired endpoints by portsKey. */
  desired: ReadonlyMap<string, EndpointGroup>;
  /** Metadata every slice carries: namespace, generateName, labels, ownerReferences. */
  meta: Pick<ObjectMeta, "namespace" | "generateName" | "labels" | "ownerReferences">;
  maxEndpointsPerSlice?: number;
  /** Value of the last-change-trigger-time annotation on written slices (none: left as is on updates, absent on creates). */
  triggerTime?: string;
}

/** The writes a sync makes; slices in `update` carry the resourceVersion they were read at. */
export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function metaOutdated(slice: EndpointSlice, meta: PlanInput["meta"]): boolean {
  return !jsonEqual(slice.metadata?.labels ?? {}, meta.labels ?? {}) || !jsonEqual(slice.metadata?.ownerReferences ?? [], meta.ownerReferences ?? []);
}

function stamp(slice: EndpointSlice, input: PlanInput): EndpointSlice {
  const metadata: ObjectMeta = { ...(slice.metadata ?? {}), labels: { ...(input.meta.labels ?? {}) }, ownerReferences: deepCopy(input.meta.ownerReferences ?? []) };
  if (input.triggerTime) metadata.annotations = { ...(metadata.annotations ?? {}), [lastChangeTriggerTimeAnnotation]: input.triggerTime };
  return { ...slice, metadata };
}

function newSlice(input: PlanInput, group: EndpointGroup | undefined, endpoints: SliceEndpoint[]): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { namespace: input.meta.namespace, generateName: input.meta.generateName },
    addressType: input.addressType, endpoints,
  };
  if (group) slice.ports = deepCopy(group.ports);
  return stamp(slice, input);
}

/**
 * Plans the writes for one address type: existing slices keep their endpoints in place (changed ones are updated,
 * gone ones removed, a slice left empty is deleted, a slice of an undesired port set or address type is deleted);
 * new endpoints fill the slices being updated anyway, then one unchanged slice that can take them all, then new
 * slices of at most maxEndpointsPerSlice. With no endpoints at all, one placeholder slice without endpoints or
 * ports remains.
 */
export function planSlices(input: PlanInput): SlicePlan {
  const max = input.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice;
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const remaining = new Map<string, Map<string, SliceEndpoint>>();
  for (const [key, group] of input.desired) remaining.set(key, new Map(group.endpoints));
  const toUpdate = new Map<string, EndpointSlice[]>();
  const unchanged = new Map<string, EndpointSlice[]>();
  const push = (m: Map<string, EndpointSlice[]>, k: string, s: EndpointSlice): void => {
    const list = m.get(k);
    if (list) list.push(s);
    else m.set(k, [s]);
  };
  for (const slice of input.existing) {
    const key = portsKey(slice.ports);
    const wanted = remaining.get(key);
    if (slice.addressType !== input.addressType || !wanted) {
      plan.delete.push(slice);
      continue;
    }
    let changed = metaOutdated(slice, input.meta);
    const kept: SliceEndpoint[] = [];
    for (const ep of slice.endpoints ?? []) {
      const k = endpointKey(ep);
      const desired = wanted.get(k);
      if (!desired) {
        changed = true;
        continue;
      }
      if (!jsonEqual(ep, desired)) changed = true;
      kept.push(desired);
      wanted.delete(k);
    }
    if (!changed) push(unchanged, key, slice);
    else if (kept.length === 0 && (slice.endpoints ?? []).length > 0) plan.delete.push(slice);
    else push(toUpdate, key, stamp({ ...slice, endpoints: kept }, input));
  }
  for (const [key, wanted] of remaining) {
    const group = input.desired.get(key);
    let rest = [...wanted.values()];
    const updating = (toUpdate.get(key) ?? []).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    for (const slice of updating) {
      const room = max - (slice.endpoints?.length ?? 0);
      if (room <= 0 || rest.length === 0) continue;
      slice.endpoints = [...(slice.endpoints ?? []), ...rest.slice(0, room)];
      rest = rest.slice(room);
    }
    if (rest.length > 0) {
      const candidates = (unchanged.get(key) ?? []).filter((s) => (s.endpoints?.length ?? 0) + rest.length <= max);
      const fill = candidates.sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0))[0];
      if (fill) {
        unchanged.set(key, (unchanged.get(key) ?? []).filter((s) => s !== fill));
        updating.push(stamp({ ...fill, endpoints: [...(fill.endpoints ?? []), ...rest] }, input));
        toUpdate.set(key, updating);
        rest = [];
      }
    }
    for (let i = 0; i < rest.length; i += max) plan.create.push(newSlice(input, group, rest.slice(i, i + max)));
  }
  for (const list of toUpdate.values()) plan.update.push(...list);
  const kept = [...unchanged.values()].flat().length + plan.update.length;
  if (kept === 0 && plan.create.length === 0) {
    const placeholder = newSlice(input, undefined, []);
    const reusable = plan.delete.findIndex((s) => s.addressType === input.addressType && (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0);
    if (reusable >= 0) {
      const [slice] = plan.delete.splice(reusable, 1);
      if (slice && metaOutdated(slice, input.meta)) plan.update.push(stamp(slice, input));
    } else plan.create.push(placeholder);
  }
  return plan;
}
