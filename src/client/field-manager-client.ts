/** A Client whose writes name a field manager unless the caller names one (as a component's User-Agent does upstream). */
import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../api/types.js";
import { copyWith } from "../util/json.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions, WriteOptions } from "./client.js";

/** Wraps `client` so creates, updates and patches default `fieldManager` to `manager`; reads pass through unchanged. */
export function withFieldManager(client: Client, manager: string): Client {
  // As `{ ...options, fieldManager }`, without V8's slow path for a spread that adds keys (see copyWith).
  const w = <O extends WriteOptions>(options: O | undefined): O => copyWith(options, "fieldManager", options?.fieldManager ?? manager) as O;
  return {
    get<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string): Promise<T> { return client.get<T>(r, ns, name); },
    list<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o?: ListOptions): Promise<KubeList<T>> { return client.list<T>(r, ns, o); },
    watch<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, o: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
      return client.watch<T>(r, ns, o, signal);
    },
    create<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o?: WriteOptions): Promise<T> { return client.create<T>(r, ns, obj, w(o)); },
    update<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o?: WriteOptions): Promise<T> { return client.update<T>(r, ns, obj, w(o)); },
    updateStatus<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, obj: T, o?: WriteOptions): Promise<T> {
      return client.updateStatus<T>(r, ns, obj, w(o));
    },
    patch<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, o?: PatchOptions): Promise<T> {
      return client.patch<T>(r, ns, name, type, patch, w(o));
    },
    patchWithOutcome<T extends ApiObject = KubeObject>(r: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, o?: PatchOptions): Promise<PatchOutcome<T>> {
      return client.patchWithOutcome<T>(r, ns, name, type, patch, w(o));
    },
    delete(r: ResourceInfo, ns: string | undefined, name: string, o?: DeleteOptions): Promise<KubeObject> { return client.delete(r, ns, name, o); },
    deleteCollection(r: ResourceInfo, ns: string | undefined, l?: ListOptions, o?: DeleteOptions): Promise<KubeList> { return client.deleteCollection(r, ns, l, o); },
    createSubresource(r: ResourceInfo, ns: string | undefined, name: string, sub: string, body: KubeObject, o?: WriteOptions): Promise<KubeObject> {
      return client.createSubresource(r, ns, name, sub, body, w(o));
    },
  };
}
