import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject, Status } from "../api/types.js";

/** Options of a list call (the query parameters of a Kubernetes list). */
export interface ListOptions {
  /** Label selector in string form, e.g. `app=x,tier!=db`. */
  labelSelector?: string;
  /** Field selector in string form, e.g. `spec.nodeName=node-1`. */
  fieldSelector?: string;
  /** Page size; 0 or absent = all. */
  limit?: number;
  /** Continue token from a previous page. */
  continue?: string;
  /** "" / absent = most recent; "0" = any (served from cache); "N" = not older than N (or exact, per resourceVersionMatch). */
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
}

/** Options of a watch call. */
export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Absent/"" = start at the most recent state with synthetic ADDED events; "0" = same; "N" = events after N. */
  resourceVersion?: string;
  resourceVersionMatch?: "NotOlderThan" | "Exact";
  allowWatchBookmarks?: boolean;
  /** Send ADDED for the current state, then a BOOKMARK annotated `k8s.io/initial-events-end: "true"`. */
  sendInitialEvents?: boolean;
  /** Close the watch after this many seconds. */
  timeoutSeconds?: number;
}

/** One watch event. ERROR carries a Status (e.g. 410 Expired) and ends the watch. */
export interface WatchEvent<T extends ApiObject = KubeObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T | (Status & ApiObject);
}

/** Options of create, update and patch. */
export interface WriteOptions {
  /** Validate and admit but do not persist. */
  dryRun?: boolean;
  fieldManager?: string;
  /** Unknown-field handling; the loopback default is "Ignore" as for typed clients. */
  fieldValidation?: "Strict" | "Warn" | "Ignore";
  /** Receives warnings (e.g. unknown fields with fieldValidation=Warn). */
  onWarning?: (message: string) => void;
}

/** Patch body encodings, as the HTTP content types name them. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** Options of a patch call. */
export interface PatchOptions extends WriteOptions {
  /** Patch a subresource (e.g. "status") instead of the main resource. */
  subresource?: string;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

/**
 * Everything a component may ask of the API: the one door to the control plane's state.
 * Implementations: the in-process loopback (same admission path as HTTP) and the HTTP client.
 * Errors are thrown as StatusError with upstream reasons.
 */
/** What a patch did: the resulting object, and whether the patch created it (server-side apply; HTTP 201). */
export interface PatchOutcome<T extends ApiObject = KubeObject> {
  object: T;
  created: boolean;
}

export interface Client {
  /** Reads one object; throws NotFound. */
  get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T>;
  /** Lists objects (all namespaces when `namespace` is undefined for a namespaced resource). */
  list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList<T>>;
  /** Streams changes until `signal` aborts, the timeout passes, or an ERROR event ends it. */
  watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>>;
  /** Creates an object; the namespace comes from the argument (or the object's metadata). */
  create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces an object's spec/metadata (status is ignored); metadata.resourceVersion, if set, is a precondition. */
  update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T>;
  /** Replaces an object's status (spec is ignored). */
  updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T>;
  /** Applies a patch to an object or one of its subresources. */
  patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T>;
  /** As patch, also telling whether it created the object, decided atomically with the write. */
  patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>>;
  /** Deletes an object; returns it (with deletionTimestamp if deletion is pending) or a Success Status. */
  delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject>;
  /** Deletes every object matching the list options. */
  deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList>;
  /** POSTs to a subresource such as `pods/binding` or `pods/eviction`; returns what the server answers. */
  createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject>;
}
