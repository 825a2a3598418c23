/** A Client that forwards every call to another one: the base of admission wrappers that override some writes. */
import type { ResourceInfo } from "../../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions, WriteOptions } from "../../client/client.js";

/** Forwards everything to `inner`; subclasses override what they admit. */
export class ForwardingClient implements Client {
  /** Wraps `inner`. */
  constructor(protected readonly inner: Client) {}

  /** Forwarded. */
  get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
    return this.inner.get<T>(resource, namespace, name);
  }

  /** Forwarded. */
  list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList<T>> {
    return this.inner.list<T>(resource, namespace, options);
  }

  /** Forwarded. */
  watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    return this.inner.watch<T>(resource, namespace, options, signal);
  }

  /** Forwarded. */
  create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.inner.create<T>(resource, namespace, object, options);
  }

  /** Forwarded. */
  update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.inner.update<T>(resource, namespace, object, options);
  }

  /** Forwarded. */
  updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.inner.updateStatus<T>(resource, namespace, object, options);
  }

  /** As patchWithOutcome, returning the object. */
  async patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T> {
    return (await this.patchWithOutcome<T>(resource, namespace, name, type, patch, options)).object;
  }

  /** Forwarded. */
  patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    return this.inner.patchWithOutcome<T>(resource, namespace, name, type, patch, options);
  }

  /** Forwarded. */
  delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
    return this.inner.delete(resource, namespace, name, options);
  }

  /** Forwarded. */
  deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList> {
    return this.inner.deleteCollection(resource, namespace, listOptions, options);
  }

  /** Forwarded. */
  createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.inner.createSubresource(resource, namespace, name, subresource, body, options);
  }
}
