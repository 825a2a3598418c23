/**
 * The in-process client controllers use: every call goes through the given Client (the registry, so the same
 * admission path as HTTP), with objects deep-copied on the way in and out so callers never alias cache state
 * (unless the wrapped client already guarantees that; see LoopbackOptions).
 */
import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions, WriteOptions } from "./client.js";
import { deepCopy } from "../util/json.js";

function copyValue<T>(value: T): T {
  return deepCopy(value);
}

/**
 * Field validation typed clients default to (unknown fields are dropped silently), and the field manager of
 * in-process writes that name none (the API server's own, as upstream's `kube-apiserver`).
 */
function withDefaults<O extends WriteOptions>(options: O | undefined): O {
  // Object.assign, then the keys: V8 (Node 20) builds a literal that spreads an object and adds keys on a slow path (~1 us).
  const out: WriteOptions = Object.assign({}, options);
  out.fieldValidation = options?.fieldValidation ?? "Ignore";
  out.fieldManager = options?.fieldManager ?? "kube-apiserver";
  return out as O;
}

async function* copyEvents<T extends ApiObject>(events: AsyncIterable<WatchEvent<T>>): AsyncGenerator<WatchEvent<T>> {
  for await (const event of events) yield { type: event.type, object: copyValue(event.object) };
}

/** Options of createLoopbackClient. */
export interface LoopbackOptions {
  /**
   * Copy objects at the boundary (default true). Pass false only for a wrapped client that already hands out
   * objects nobody else holds and never keeps or mutates its inputs (the Registry's contract): the copies would
   * then only repeat its own.
   */
  copy?: boolean;
}

/** Wraps `registry` as the in-process Client; see the file comment. Writes default to fieldValidation "Ignore". */
export function createLoopbackClient(registry: Client, options: LoopbackOptions = {}): Client {
  const copying = options.copy ?? true;
  const copy = <T>(value: T): T => (copying ? copyValue(value) : value);
  return {
    async get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
      return copy(await registry.get<T>(resource, namespace, name));
    },
    async list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList<T>> {
      return copy(await registry.list<T>(resource, namespace, copy(options)));
    },
    watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
      const events = registry.watch<T>(resource, namespace, copy(options), signal);
      return copying ? copyEvents(events) : events;
    },
    async create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
      return copy(await registry.create<T>(resource, namespace, copy(object), withDefaults(options)));
    },
    async update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
      return copy(await registry.update<T>(resource, namespace, copy(object), withDefaults(options)));
    },
    async updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
      return copy(await registry.updateStatus<T>(resource, namespace, copy(object), withDefaults(options)));
    },
    async patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T> {
      return copy(await registry.patch<T>(resource, namespace, name, type, copy(patch), withDefaults(options)));
    },
    async patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
      const outcome = await registry.patchWithOutcome<T>(resource, namespace, name, type, copy(patch), withDefaults(options));
      return { object: copy(outcome.object), created: outcome.created };
    },
    async delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
      return copy(await registry.delete(resource, namespace, name, copy(options)));
    },
    async deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList> {
      return copy(await registry.deleteCollection(resource, namespace, copy(listOptions), copy(options)));
    },
    async createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject> {
      return copy(await registry.createSubresource(resource, namespace, name, subresource, copy(body), withDefaults(options)));
    },
  };
}
