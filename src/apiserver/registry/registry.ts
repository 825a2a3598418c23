/** The Registry: the API's behaviour below HTTP, implementing Client over a storage Backend. */
import { setMaxListeners } from "node:events";
import type { ResourceInfo } from "../../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchType, WatchEvent, WatchOptions, WriteOptions } from "../../client/client.js";
import type { Backend } from "../../storage/backend.js";
import { RegistryContext } from "./context.js";
import { createObject } from "./create.js";
import { deleteCollection, deleteObject } from "./delete-object.js";
import type { DeleteOutcome } from "./delete.js";
import { NamespaceFinalizer } from "./namespace-finalizer.js";
import { patchObject, type PatchOutcome } from "./patch.js";
import { getObject, listObjects } from "./read.js";
import { answerSerialized, storageFailure } from "./storage-ops.js";
import { copyWith } from "../../util/json.js";
import { createSubresource } from "./subresources.js";
import { updateObject } from "./update.js";
import { watchObjects, type StoredWatchEvent } from "./watch.js";

/** Construction options of a Registry. */
export interface RegistryOptions {
  backend: Backend;
  /** Clock for timestamps (creationTimestamp, deletionTimestamp, conditions); default the system clock. */
  now?: () => Date;
  /** Interval between BOOKMARK events of watches that allow them (default 60000; 0 disables). */
  bookmarkIntervalMs?: number;
  /** Recent events each resource's watch cache keeps for resuming watches (default 10000). */
  watchBufferSize?: number;
  /** Receives background faults (watch restarts, namespace finalization failures); default ignores them. */
  onError?: (error: unknown) => void;
  /**
   * For a store other API servers write too: reads without a resourceVersion first wait until the cache reflects
   * the store's current revision (as kube-apiserver's consistent reads from cache), so they see every write
   * acknowledged by any server. Default false (this server is the only writer).
   */
  consistentReads?: boolean;
  /**
   * Run the ServiceAccount admission plugin on pod creation (default false): it needs the controllers that keep a
   * `default` ServiceAccount in every namespace running somewhere in the cluster.
   */
  serviceAccountAdmission?: boolean;
  /**
   * With serviceAccountAdmission: mount the projected `kube-api-access-*` token volume into pods (default true;
   * it needs the controller publishing `kube-root-ca.crt`, which a server without a CA does not run).
   */
  serviceAccountTokenVolumes?: boolean;
}

/**
 * Every served resource's behaviour (strategies, admission, finalizers, graceful deletion, namespaces) over a
 * Backend, with reads served from per-resource watch caches. Call start() before use; calls wait until primed.
 * Every object returned is a fresh copy; inputs are never mutated. Errors are StatusErrors.
 */
export class Registry implements Client {
  private readonly ctx: RegistryContext;
  private readonly internal = new AbortController();
  private started = false;

  constructor(options: RegistryOptions) {
    this.ctx = new RegistryContext({
      backend: options.backend,
      now: options.now ?? (() => new Date()),
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      watchBufferSize: options.watchBufferSize ?? 10_000,
      onError: options.onError ?? (() => undefined),
      consistentReads: options.consistentReads ?? false,
      serviceAccountAdmission: options.serviceAccountAdmission ?? false,
      serviceAccountTokenVolumes: options.serviceAccountTokenVolumes ?? true,
    });
  }

  /** Primes one watch cache per resource and keeps them current until `signal` aborts or close(); resolves once primed. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error("registry already started");
    this.started = true;
    const combined = AbortSignal.any([signal, this.internal.signal]);
    // Every cache, its backend watch and the namespace finalizer listen on this one signal.
    setMaxListeners(0, combined);
    await this.ctx.start(combined);
    new NamespaceFinalizer(this.ctx).start(combined);
  }

  /** Stops the caches and background work (the backend is left open: its owner closes it). */
  close(): void {
    this.internal.abort();
  }

  /** Reads one object; 404 NotFound when absent. */
  get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
    return this.run(() => getObject(this.ctx, this.ctx.store(resource), namespace, name)) as Promise<unknown> as Promise<T>;
  }

  /** Lists objects: selectors, limit/continue, resourceVersion ("" latest incl. own writes, "0" cache, N) and resourceVersionMatch. */
  list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList<T>> {
    return this.run(() => listObjects(this.ctx, this.ctx.store(resource), namespace, options)) as Promise<unknown> as Promise<KubeList<T>>;
  }

  /**
   * As list, but the items served from the watch cache are the cache's own objects (never mutated: the cache replaces
   * objects) rather than copies: for a consumer that only serializes them, such as the API server answering a GET.
   */
  listShared(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList> {
    return this.run(() => listObjects(this.ctx, this.ctx.store(resource), namespace, options, true));
  }

  /** Streams changes; throws 400 synchronously for bad selectors/resourceVersion; 410 and other failures arrive as an ERROR event. */
  watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    return watchObjects(this.ctx, this.ctx.store(resource), namespace, options, signal) as AsyncIterable<unknown> as AsyncIterable<WatchEvent<T>>;
  }

  /**
   * As watch, but each event carries the watch cache's own object (never mutated: the cache replaces objects) rather
   * than a copy, and the stored value it decodes from when known: for a consumer that neither mutates the object nor
   * hands it on (one that serializes it, e.g. to another thread, or sends the stored value instead).
   */
  watchShared(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<StoredWatchEvent> {
    return watchObjects(this.ctx, this.ctx.store(resource), namespace, options, signal, true);
  }

  /**
   * For an object this registry answered a write with (unchanged since): the stored value it decodes from and its
   * resourceVersion, so that a caller serializing the answer can send the stored text instead. Undefined otherwise.
   */
  storedFormOf(object: unknown): { stored: string; resourceVersion: string } | undefined {
    return this.ctx.storedFormOf(object);
  }

  /**
   * This registry as a Client for a caller that only serializes the answers to its writes (never changes them or
   * hands them on, e.g. to send them to another thread): the objects written go to the watch caches as they are,
   * which then need not decode what was stored, and the answers share their contents (read-only).
   */
  serializingClient(): Client {
    // copyWith, not a spread followed by the new key: V8 makes every such literal a slow map transition (~1 us).
    const mark = <O extends object>(options: O | undefined): O => copyWith(options, answerSerialized, true) as O;
    return {
      get: (resource, namespace, name) => this.get(resource, namespace, name),
      list: (resource, namespace, options) => this.list(resource, namespace, options),
      watch: (resource, namespace, options, signal) => this.watch(resource, namespace, options, signal),
      create: (resource, namespace, object, options) => this.create(resource, namespace, object, mark(options)),
      update: (resource, namespace, object, options) => this.update(resource, namespace, object, mark(options)),
      updateStatus: (resource, namespace, object, options) => this.updateStatus(resource, namespace, object, mark(options)),
      patch: (resource, namespace, name, type, patch, options) => this.patch(resource, namespace, name, type, patch, mark(options)),
      patchWithOutcome: (resource, namespace, name, type, patch, options) => this.patchWithOutcome(resource, namespace, name, type, patch, mark(options)),
      delete: (resource, namespace, name, options) => this.delete(resource, namespace, name, mark(options)),
      deleteCollection: (resource, namespace, listOptions, options) => this.deleteCollection(resource, namespace, listOptions, options),
      createSubresource: (resource, namespace, name, subresource, body, options) => this.createSubresource(resource, namespace, name, subresource, body, mark(options)),
    } as Client;
  }

  /** Creates an object (201 semantics); dry run returns it without storing. */
  create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.run(() => createObject(this.ctx, this.ctx.store(resource), namespace, object as unknown as KubeObject, options)) as Promise<unknown> as Promise<T>;
  }

  /** Replaces the main resource (status kept from storage); resourceVersion in the body is a precondition. */
  update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.run(() => updateObject(this.ctx, this.ctx.store(resource), namespace, object as unknown as KubeObject, options, "main")) as Promise<unknown> as Promise<T>;
  }

  /** Replaces only the status; 404 for resources without a status subresource. */
  updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.run(() => updateObject(this.ctx, this.ctx.store(resource), namespace, object as unknown as KubeObject, options, "status")) as Promise<unknown> as Promise<T>;
  }

  /** Patches the object (or options.subresource "status"); server-side apply creates a missing object. */
  async patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T> {
    return (await this.patchWithOutcome<T>(resource, namespace, name, type, patch, options)).object;
  }

  /** As patch, also telling whether the object was created (server-side apply of a missing object: answer 201). */
  patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    return this.run(() => patchObject(this.ctx, this.ctx.store(resource), namespace, name, type, patch, options)) as Promise<unknown> as Promise<PatchOutcome<T>>;
  }

  /** Deletes an object: the deleted pod, a Success Status, or (deletion pending) the object with deletionTimestamp. */
  async delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
    return (await this.deleteWithOutcome(resource, namespace, name, options)).object;
  }

  /** As delete, also telling whether the object is gone (false while graceful deletion or finalizers are pending). */
  deleteWithOutcome(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<DeleteOutcome> {
    return this.run(() => deleteObject(this.ctx, this.ctx.store(resource), namespace, name, options));
  }

  /** Deletes every selected object; answers with the list of them as they were before deletion. */
  deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList> {
    return this.run(() => deleteCollection(this.ctx, this.ctx.store(resource), namespace, listOptions, options));
  }

  /** pods/binding and pods/eviction (Success Status with code 201); 404 for other subresources. */
  createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.run(() => createSubresource(this.ctx, this.ctx.store(resource), namespace, name, subresource, body, options));
  }

  private async run<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw storageFailure(error);
    }
  }
}
