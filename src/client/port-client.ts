/**
 * A Client whose calls run in another thread: each call and watch crosses a MessagePort (see port-protocol.ts) to a
 * thread serving a Client there (servePortClient). Errors arrive as StatusErrors with the server's Status; a watch's
 * events arrive in batches and are acknowledged as they are consumed, so the serving side never runs far ahead.
 */
import type { ResourceInfo } from "../api/resources.js";
import type { ApiObject, DeleteOptions, KubeList, KubeObject } from "../api/types.js";
import type { Client, ListOptions, PatchOptions, PatchOutcome, PatchType, WatchEvent, WatchOptions, WriteOptions } from "./client.js";
import { decodeStored, fromPortError, Outbox, portWatchWindow, type PortCallMethod, type PortError, type PortReply, type PortRequest, type PortWatchEvent } from "./port-protocol.js";

/** The end of a MessagePort (worker_threads' MessagePort and parentPort fit). */
export interface MessageEndpoint {
  postMessage(value: unknown): void;
  on(event: "message", listener: (value: unknown) => void): unknown;
  off(event: "message", listener: (value: unknown) => void): unknown;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onWarning?: (message: string) => void;
}

/** The watch event `e` stands for; a stored value is decoded here, in the receiving thread. */
function decodeEvent(e: PortWatchEvent): WatchEvent {
  if (!("stored" in e)) return e as WatchEvent;
  return { type: e.type as WatchEvent["type"], object: decodeStored(e.stored, e.resourceVersion) as KubeObject };
}

/** The receiving end of one watch: events queued until consumed. */
class WatchQueue {
  readonly events: unknown[] = [];
  ended = false;
  error: Error | undefined;
  wake: (() => void) | undefined;

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A Client over `port`; close() rejects what is pending and detaches from the port. */
export class PortClient implements Client {
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  private readonly resourceTexts = new WeakMap<ResourceInfo, string>();
  private readonly watches = new Map<number, WatchQueue>();
  private closed = false;
  private readonly listener = (value: unknown): void => {
    for (const reply of value as PortReply[]) this.receive(reply);
  };
  private readonly outbox: Outbox<PortRequest>;

  constructor(private readonly port: MessageEndpoint) {
    port.on("message", this.listener);
    this.outbox = new Outbox((batch) => { if (!this.closed) port.postMessage(batch); });
  }

  /** Stops listening; pending calls reject and open watches end with an error. */
  close(): void {
    if (this.closed) return;
    this.outbox.flush();
    this.closed = true;
    this.port.off("message", this.listener);
    const error = new Error("the client's port is closed");
    for (const call of this.calls.values()) call.reject(error);
    this.calls.clear();
    for (const queue of this.watches.values()) {
      queue.ended = true;
      queue.error = error;
      queue.notify();
    }
    this.watches.clear();
  }

  get<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string): Promise<T> {
    return this.call("get", [resource, namespace, name]);
  }

  list<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options?: ListOptions): Promise<KubeList<T>> {
    return this.call("list", [resource, namespace, options]);
  }

  create<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.write("create", [resource, namespace, object], options);
  }

  update<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.write("update", [resource, namespace, object], options);
  }

  updateStatus<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, object: T, options?: WriteOptions): Promise<T> {
    return this.write("updateStatus", [resource, namespace, object], options);
  }

  patch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<T> {
    return this.write("patch", [resource, namespace, name, type, patch], options);
  }

  patchWithOutcome<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<PatchOutcome<T>> {
    return this.write("patchWithOutcome", [resource, namespace, name, type, patch], options);
  }

  delete(resource: ResourceInfo, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<KubeObject> {
    return this.call("delete", [resource, namespace, name, options]);
  }

  deleteCollection(resource: ResourceInfo, namespace: string | undefined, listOptions?: ListOptions, options?: DeleteOptions): Promise<KubeList> {
    return this.call("deleteCollection", [resource, namespace, listOptions, options]);
  }

  createSubresource(resource: ResourceInfo, namespace: string | undefined, name: string, subresource: string, body: KubeObject, options?: WriteOptions): Promise<KubeObject> {
    return this.write("createSubresource", [resource, namespace, name, subresource, body], options);
  }

  watch<T extends ApiObject = KubeObject>(resource: ResourceInfo, namespace: string | undefined, options: WatchOptions, signal: AbortSignal): AsyncIterable<WatchEvent<T>> {
    return this.stream<T>([resource, namespace, options], signal);
  }

  private async *stream<T extends ApiObject>(args: unknown[], signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    if (this.closed) throw new Error("the client's port is closed");
    if (signal.aborted) return;
    const id = this.nextId++;
    const queue = new WatchQueue();
    this.watches.set(id, queue);
    const onAbort = (): void => queue.notify();
    signal.addEventListener("abort", onAbort, { once: true });
    this.send({ t: "watch", id, args });
    let consumed = 0;
    try {
      for (;;) {
        if (signal.aborted) return;
        const next = queue.events.shift();
        if (next !== undefined) {
          if (++consumed >= portWatchWindow / 4) {
            this.send({ t: "ack", id, n: consumed });
            consumed = 0;
          }
          yield next as WatchEvent<T>;
          continue;
        }
        if (consumed > 0) {
          this.send({ t: "ack", id, n: consumed });
          consumed = 0;
        }
        if (queue.ended) {
          if (queue.error !== undefined) throw queue.error;
          return;
        }
        await new Promise<void>((resolve) => { queue.wake = resolve; });
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (this.watches.delete(id) && !queue.ended) this.send({ t: "cancel", id });
    }
  }

  private write<R>(method: PortCallMethod, args: [ResourceInfo, ...unknown[]], options: WriteOptions | undefined): Promise<R> {
    if (options === undefined) return this.call(method, args);
    const { onWarning, ...rest } = options;
    return this.call(method, [...args, rest], onWarning);
  }

  private call<R>(method: PortCallMethod, [resource, ...args]: [ResourceInfo, ...unknown[]], onWarning?: (message: string) => void): Promise<R> {
    if (this.closed) return Promise.reject(new Error("the client's port is closed"));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.calls.set(id, { resolve: resolve as (value: unknown) => void, reject, onWarning });
      this.send({ t: "call", id, method, resource: this.resourceText(resource), args: JSON.stringify(args), warn: onWarning !== undefined });
    });
  }

  /** The JSON text of `resource`, written once per ResourceInfo object. */
  private resourceText(resource: ResourceInfo): string {
    let text = this.resourceTexts.get(resource);
    if (text === undefined) {
      text = JSON.stringify(resource);
      this.resourceTexts.set(resource, text);
    }
    return text;
  }

  private send(request: PortRequest): void {
    if (!this.closed) this.outbox.push(request);
  }

  private receive(reply: PortReply): void {
    switch (reply.t) {
      case "result": {
        const call = this.calls.get(reply.id);
        if (call === undefined) return;
        this.calls.delete(reply.id);
        for (const warning of reply.warnings ?? []) call.onWarning?.(warning);
        call.resolve("stored" in reply ? decodeStored(reply.stored, reply.resourceVersion) : JSON.parse(reply.value));
        return;
      }
      case "error": {
        const call = this.calls.get(reply.id);
        if (call === undefined) return;
        this.calls.delete(reply.id);
        call.reject(fromPortError(reply.error));
        return;
      }
      case "events": {
        const queue = this.watches.get(reply.id);
        if (queue === undefined) return;
        for (const event of reply.events) queue.events.push(decodeEvent(event));
        queue.notify();
        return;
      }
      case "end": {
        const queue = this.watches.get(reply.id);
        if (queue === undefined) return;
        queue.ended = true;
        queue.error = reply.error === undefined ? undefined : fromPortError(reply.error as PortError);
        queue.notify();
        return;
      }
    }
  }
}
