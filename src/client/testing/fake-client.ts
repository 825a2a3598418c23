import type { ResourceInfo } from "../../api/resources.js";
import { groupVersion } from "../../api/resources.js";
import { alreadyExists, badRequest, conflict, expired, notFound, statusError, type StatusError } from "../../api/status-error.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions } from "../client.js";
import { parseFieldSelector } from "../../api/field-selector.js";
import { parseLabelSelector } from "../../api/label-selector.js";
import { deepCopy } from "../../util/json.js";

type Verb = "get" | "list" | "watch" | "create" | "update" | "delete";

/** One recorded call: verb, resource name, namespace and the options passed. */
export interface FakeCall { verb: Verb; resource: string; namespace: string | undefined; options?: ListOptions | WatchOptions }

interface LogEntry { rv: number; resource: string; type: "ADDED" | "MODIFIED" | "DELETED"; object: KubeObject; previous?: KubeObject }

interface Watcher {
  resource: ResourceInfo;
  namespace: string | undefined;
  match: Matcher;
  bookmarks: boolean;
  buffer: WatchEvent[];
  ended: boolean;
  wake: (() => void) | undefined;
}

const clone = <T>(v: T): T => deepCopy(v);

/** True when the object passes a watcher's or list's namespace and selectors. */
type Matcher = (obj: KubeObject) => boolean;

/**
 * An in-memory Client for tests: objects in maps, one global resourceVersion counter, an event log that
 * watches replay from, and hooks to expire old versions, inject watch errors, end watches or fail calls.
 * Updates of status and spec are not told apart; patch, deleteCollection and subresources are not supported.
 */
export class FakeClient implements Client {
  /** Every call made, in order. */
  readonly calls: FakeCall[] = [];
  private rv = 0;
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private log: LogEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly failures: { verb: Verb; error: unknown }[] = [];
  private readonly snapshots = new Map<string, { rv: number; items: KubeObject[] }>();
  private nextSnapshot = 0;
  private streams = 0;

  /** The current (latest) resourceVersion. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** Number of watch streams not yet finished (ended streams count until their reader lets go). */
  openWatches(): number {
    return this.streams;
  }

  /** Makes the next call of `verb` throw `error`. */
  failNext(verb: Verb, error: unknown): void {
    this.failures.push({ verb, error });
  }

  /** Forgets history up to now: later watches from an older version and older continue tokens get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.log = [];
    this.snapshots.clear();
  }

  /** Sends an ERROR event (default 410 Expired) to every open watch, which then ends. */
  injectWatchError(error: StatusError = expired(`too old resource version: 1 (${this.rv})`)): void {
    for (const w of this.watchers) {
      this.push(w, { type: "ERROR", object: { ...error.status } });
      this.watchers.delete(w);
    }
  }

  /** Ends every open watch normally, as a server-side timeout would; events already sent are still read. */
  endWatches(): void {
    for (const w of this.watchers) {
      this.watchers.delete(w);
      w.ended = true;
      w.wake?.();
    }
  }

  /** Sends a BOOKMARK at the current version to every open watch that allowed bookmarks. */
  bookmark(): void {
    for (const w of this.watchers) {
      if (w.bookmarks) this.push(w, { type: "BOOKMARK", object: { kind: w.resource.kind, apiVersion: groupVersion(w.resource), metadata: { resourceVersion: String(this.rv) } } });
    }
  }

  /** Reads a copy of one object; throws NotFound. */
  async get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
    this.enter("get", resource, namespace);
    const obj = this.table(resource).get(this.key(resource, namespace, name));
    if (!obj) throw notFound(resource, name);
    return clone(obj) as unknown as T;
  }

  /** Lists (sorted by key) with namespace, selectors and limit/continue over a stored snapshot. */
  async list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: ListOptions = {}): Promise<KubeList<T>> {
    this.enter("list", resource, namespace, options);
    let snap: { rv: number; items: KubeObject[] };
    let offset = 0;
    if (options.continue) {
      const [id = "", off = "0"] = options.continue.split(":");
      const found = this.snapshots.get(id);
      if (!found) throw expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
      snap = found;
      offset = Number(off);
    } else {
      const match = this.matcher(resource, namespace, options);
      const items = [...this.table(resource).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o).filter(match);
      snap = { rv: this.rv, items: items.map(clone) };
    }
    const limit = options.limit && options.limit > 0 ? options.limit : snap.items.length;
    const page = snap.items.slice(offset, offset + limit);
    const metadata: KubeList["metadata"] = { resourceVersion: String(snap.rv) };
    if (offset + limit < snap.items.length) {
      const id = options.continue?.split(":")[0] ?? String(this.nextSnapshot++);
      this.snapshots.set(id, snap);
      metadata.continue = `${id}:${offset + limit}`;
      metadata.remainingItemCount = snap.items.length - offset - limit;
    }
    return { apiVersion: groupVersion(resource), kind: resource.listKind, metadata, items: page.map(clone) as unknown as T[] };
  }

  /** Streams events after `resourceVersion` (or synthetic ADDEDs for ""/"0"); 410 ERROR if it was compacted. */
  watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    return this.stream(resource, namespace, options, signal) as AsyncIterable<WatchEvent<T>>;
  }

  /** Stores a copy with a new resourceVersion, uid and creationTimestamp; throws AlreadyExists. */
  async create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T): Promise<T> {
    this.enter("create", resource, namespace);
    const ns = resource.namespaced ? (namespace ?? object.metadata?.namespace) : undefined;
    const name = object.metadata?.name;
    if (!name) throw badRequest("name is required");
    const key = this.key(resource, ns, name);
    if (this.table(resource).has(key)) throw alreadyExists(resource, name);
    const stored = clone(object) as unknown as KubeObject;
    stored.apiVersion = groupVersion(resource);
    stored.kind = resource.kind;
    stored.metadata = { ...stored.metadata, name, uid: `uid-${this.rv + 1}`, creationTimestamp: new Date(0).toISOString() };
    if (ns) stored.metadata.namespace = ns;
    return clone(this.write(resource, key, "ADDED", stored)) as unknown as T;
  }

  /** Replaces an object, honouring a resourceVersion precondition; throws NotFound/Conflict. */
  async update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T): Promise<T> {
    this.enter("update", resource, namespace);
    const ns = resource.namespaced ? (namespace ?? object.metadata?.namespace) : undefined;
    const name = object.metadata?.name ?? "";
    const key = this.key(resource, ns, name);
    const old = this.table(resource).get(key);
    if (!old) throw notFound(resource, name);
    const want = object.metadata?.resourceVersion;
    if (want && want !== old.metadata?.resourceVersion) throw conflict(resource, name);
    const stored = clone(object) as unknown as KubeObject;
    stored.apiVersion = old.apiVersion;
    stored.kind = old.kind;
    stored.metadata = { ...stored.metadata, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp, namespace: old.metadata?.namespace };
    return clone(this.write(resource, key, "MODIFIED", stored)) as unknown as T;
  }

  /** Same as update (the fake does not tell status from spec). */
  updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T): Promise<T> {
    return this.update(resource, namespace, object);
  }

  /** Removes an object at once and returns its last state; throws NotFound. */
  async delete(resource: ResourceInfo, namespace: string | undefined, name: string, _options?: DeleteOptions): Promise<KubeObject> {
    this.enter("delete", resource, namespace);
    const key = this.key(resource, namespace, name);
    const old = this.table(resource).get(key);
    if (!old) throw notFound(resource, name);
    return clone(this.write(resource, key, "DELETED", clone(old)));
  }

  /** Not supported: throws 405. */
  async patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, _ns: string | undefined, _name: string, _type: PatchType, _patch: unknown, _options?: PatchOptions): Promise<T> {
    throw statusError(405, "MethodNotAllowed", `FakeClient does not support patch of ${resource.resource}`);
  }

  async patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, ns: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    return { object: await this.patch<T>(resource, ns, name, type, patch, options), created: false };
  }

  /** Not supported: throws 405. */
  async deleteCollection(resource: ResourceInfo): Promise<KubeList> {
    throw statusError(405, "MethodNotAllowed", `FakeClient does not support deletecollection of ${resource.resource}`);
  }

  /** Not supported: throws 405. */
  async createSubresource(resource: ResourceInfo, _ns: string | undefined, _name: string, subresource: string): Promise<KubeObject> {
    throw statusError(405, "MethodNotAllowed", `FakeClient does not support ${resource.resource}/${subresource}`);
  }

  private async *stream(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    this.enter("watch", resource, namespace, options);
    if (options.sendInitialEvents) throw badRequest("FakeClient does not support sendInitialEvents");
    const match = this.matcher(resource, namespace, options);
    const w: Watcher = { resource, namespace, match, bookmarks: options.allowWatchBookmarks === true, buffer: [], ended: false, wake: undefined };
    const from = options.resourceVersion ?? "";
    if (from === "" || from === "0") {
      for (const obj of this.table(resource).values()) if (match(obj)) w.buffer.push({ type: "ADDED", object: clone(obj) });
    } else {
      const n = Number(from);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid resource version: ${from}`);
      if (n < this.compactedRv) {
        yield { type: "ERROR", object: { ...expired(`too old resource version: ${n} (${this.compactedRv})`).status } };
        return;
      }
      for (const e of this.log) if (e.rv > n && e.resource === resource.resource) this.deliver(w, e);
    }
    this.watchers.add(w);
    this.streams++;
    try {
      for (;;) {
        const ev = w.buffer.shift();
        if (ev) {
          yield ev;
          if (ev.type === "ERROR") return;
          continue;
        }
        if (w.ended || signal.aborted) return;
        await new Promise<void>((resolve) => {
          const done = (): void => { signal.removeEventListener("abort", done); w.wake = undefined; resolve(); };
          w.wake = done;
          signal.addEventListener("abort", done, { once: true });
        });
      }
    } finally {
      this.watchers.delete(w);
      this.streams--;
    }
  }

  private write(resource: ResourceInfo, key: string, type: LogEntry["type"], object: KubeObject): KubeObject {
    const table = this.table(resource);
    const previous = table.get(key);
    this.rv++;
    object.metadata = { ...object.metadata, resourceVersion: String(this.rv) };
    if (type === "DELETED") table.delete(key);
    else table.set(key, object);
    const entry: LogEntry = { rv: this.rv, resource: resource.resource, type, object, previous };
    this.log.push(entry);
    for (const w of this.watchers) if (w.resource.resource === resource.resource) this.deliver(w, entry);
    return object;
  }

  /** Turns a log entry into the event a watcher sees, honouring its namespace and selectors. */
  private deliver(w: Watcher, e: LogEntry): void {
    const now = w.match(e.object);
    const before = e.previous !== undefined && w.match(e.previous);
    let type: WatchEvent["type"] | undefined;
    if (e.type === "MODIFIED") type = now && before ? "MODIFIED" : now ? "ADDED" : before ? "DELETED" : undefined;
    else if (now) type = e.type;
    if (type) this.push(w, { type, object: clone(e.object) });
  }

  private push(w: Watcher, ev: WatchEvent): void {
    w.buffer.push(ev);
    w.wake?.();
  }

  private matcher(resource: ResourceInfo, namespace: string | undefined, options: { labelSelector?: string; fieldSelector?: string }): Matcher {
    const labels = parseLabelSelector(options.labelSelector ?? "");
    const fields = parseFieldSelector(options.fieldSelector ?? "", resource.resource);
    const ns = resource.namespaced ? namespace : undefined;
    return (o) => (ns === undefined || o.metadata?.namespace === ns) && labels.matches(o.metadata?.labels) && fields.matches(o);
  }

  private enter(verb: Verb, resource: ResourceInfo, namespace: string | undefined, options?: ListOptions | WatchOptions): void {
    this.calls.push({ verb, resource: resource.resource, namespace, options: options && { ...options } });
    const i = this.failures.findIndex((f) => f.verb === verb);
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      throw f?.error;
    }
  }

  private table(resource: ResourceInfo): Map<string, KubeObject> {
    let t = this.objects.get(resource.resource);
    if (!t) this.objects.set(resource.resource, (t = new Map()));
    return t;
  }

  private key(resource: ResourceInfo, namespace: string | undefined, name: string): string {
    return resource.namespaced && namespace ? `${namespace}/${name}` : name;
  }
}
