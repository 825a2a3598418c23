/**
 * Serves a Client to another thread over a MessagePort (the other end is a PortClient): each call runs on `client`
 * and its answer or error goes back; each watch streams its events in batches (one message per burst of events),
 * pausing while `portWatchWindow` events wait unacknowledged on the other side.
 */
import type { Client } from "./client.js";
import { copyWith } from "../util/json.js";
import type { MessageEndpoint } from "./port-client.js";
import type { WatchEvent } from "./client.js";
import { Outbox, portCallMethods, portWatchWindow, toPortError, type PortReply, type PortRequest, type PortWatchEvent } from "./port-protocol.js";

/** How many distinct resources the serving side keeps decoded (it starts over beyond). */
const maxKnownResources = 1024;

/** One watch being served. */
class ServedWatch {
  readonly abort = new AbortController();
  unacked = 0;
  resume: (() => void) | undefined;

  acked(n: number): void {
    this.unacked = Math.max(0, this.unacked - n);
    if (this.unacked < portWatchWindow) this.wake();
  }

  /** Resolves once the client acknowledged enough events to go on, or the watch stopped. */
  drained(): Promise<void> {
    if (this.unacked < portWatchWindow || this.abort.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => { this.resume = resolve; });
  }

  /** Ends the watch (and a wait in drained()). */
  stop(): void {
    this.abort.abort();
    this.wake();
  }

  private wake(): void {
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }
}

/** What servePortClient returns: close() stops every watch it serves and detaches from the port. */
export interface PortService {
  close(): void;
}

/** How servePortClient serves. */
export interface PortServeOptions {
  /** Receives failures that cannot be answered. */
  onError: (error: unknown) => void;
  /**
   * The watch to serve watches with (default `client.watch`): events are serialized to the port, never kept or
   * mutated, so a watch handing out shared objects fits; an event with `stored` (the stored JSON its object decodes
   * from, without metadata.resourceVersion) crosses as that text.
   */
  watch?: (...args: Parameters<Client["watch"]>) => AsyncIterable<WatchEvent & { stored?: string }>;
  /**
   * The stored JSON (without metadata.resourceVersion) an answer decodes from, when known (e.g.
   * Registry.storedFormOf): such an answer crosses as that text instead of being serialized.
   */
  storedFormOf?: (value: unknown) => { stored: string; resourceVersion: string } | undefined;
}

/** Answers the PortClient at the other end of `port` with `client`, until close(). */
export function servePortClient(port: MessageEndpoint, client: Client, options: PortServeOptions): PortService {
  const { onError } = options;
  const watchOf = options.watch ?? ((...args: Parameters<Client["watch"]>): AsyncIterable<WatchEvent & { stored?: string }> => client.watch(...args));
  const watches = new Map<number, ServedWatch>();
  let closed = false;
  const outbox = new Outbox<PortReply>((batch) => { if (!closed) port.postMessage(batch); });
  const send = (reply: PortReply): void => {
    if (!closed) outbox.push(reply);
  };
  // The resources calls name, read once each (they are few, and callers never mutate a ResourceInfo).
  const resources = new Map<string, unknown>();
  const resourceOf = (text: string): unknown => {
    let resource = resources.get(text);
    if (resource === undefined) {
      if (resources.size >= maxKnownResources) resources.clear();
      resource = JSON.parse(text) as unknown;
      resources.set(text, resource);
    }
    return resource;
  };
  const call = async (request: Extract<PortRequest, { t: "call" }>): Promise<void> => {
    if (!(portCallMethods as readonly string[]).includes(request.method)) {
      send({ t: "error", id: request.id, error: { message: `unknown client method ${String(request.method)}` } });
      return;
    }
    const warnings: string[] = [];
    const args = JSON.parse(request.args) as unknown[];
    for (let i = 0; i < args.length; i++) args[i] ??= undefined;
    args.unshift(resourceOf(request.resource));
    if (request.warn) {
      const given = args[args.length - 1];
      args[args.length - 1] = copyWith(given, "onWarning", (message: string) => warnings.push(message));
    }
    try {
      const method = client[request.method] as (...a: unknown[]) => Promise<unknown>;
      const value = await method.apply(client, args);
      const form = options.storedFormOf?.(value);
      const reply: PortReply = form !== undefined
        ? { t: "result", id: request.id, stored: form.stored, resourceVersion: form.resourceVersion }
        : { t: "result", id: request.id, value: JSON.stringify(value) ?? "null" };
      if (warnings.length > 0) reply.warnings = warnings;
      send(reply);
    } catch (error) {
      send({ t: "error", id: request.id, error: toPortError(error) });
    }
  };
  const watch = async (id: number, args: unknown[]): Promise<void> => {
    const served = new ServedWatch();
    watches.set(id, served);
    // Events join the message queued for this watch until the outbox posts it.
    let current: { events: PortWatchEvent[]; round: number } | undefined;
    const add = (event: PortWatchEvent): void => {
      if (current === undefined || current.round !== outbox.round) {
        current = { events: [], round: outbox.round };
        send({ t: "events", id, events: current.events });
      }
      current.events.push(event);
    };
    try {
      const [resource, namespace, options] = args as Parameters<Client["watch"]>;
      for await (const event of watchOf(resource, namespace, options, served.abort.signal)) {
        if (served.abort.signal.aborted) break;
        const resourceVersion = event.stored !== undefined ? (event.object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion : undefined;
        add(event.stored !== undefined && resourceVersion !== undefined
          ? { type: event.type, stored: event.stored, resourceVersion }
          : { type: event.type, object: event.object });
        if (++served.unacked >= portWatchWindow) await served.drained();
      }
      if (!served.abort.signal.aborted) send({ t: "end", id });
    } catch (error) {
      if (!served.abort.signal.aborted) send({ t: "end", id, error: toPortError(error) });
    } finally {
      served.abort.abort();
      watches.delete(id);
    }
  };
  const listener = (value: unknown): void => {
    for (const request of value as PortRequest[]) receive(request);
  };
  const receive = (request: PortRequest): void => {
    switch (request.t) {
      case "call":
        call(request).catch(onError);
        return;
      case "watch":
        watch(request.id, request.args).catch(onError);
        return;
      case "ack":
        watches.get(request.id)?.acked(request.n);
        return;
      case "cancel":
        watches.get(request.id)?.stop();
        return;
    }
  };
  port.on("message", listener);
  return {
    close(): void {
      if (closed) return;
      outbox.flush();
      closed = true;
      port.off("message", listener);
      for (const served of watches.values()) served.stop();
      watches.clear();
    },
  };
}
