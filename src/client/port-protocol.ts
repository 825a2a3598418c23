/**
 * The messages a Client exchanges across a MessagePort (between threads of one process): calls and watches from the
 * side that uses the client, answers and batches of watch events from the side that serves it. Values cross by
 * structured clone, so each side holds its own copies.
 */
import { StatusError } from "../api/status-error.js";
import type { Status } from "../api/types.js";

/** The Client methods answered with one value (every method but watch). */
export const portCallMethods = [
  "get", "list", "create", "update", "updateStatus", "patch", "patchWithOutcome", "delete", "deleteCollection", "createSubresource",
] as const;

/** One of portCallMethods. */
export type PortCallMethod = (typeof portCallMethods)[number];

/** A failure as it crosses: a Status for StatusErrors, a message otherwise. */
export interface PortError {
  status?: Status & { code: number; reason: string; message: string };
  message: string;
}

/**
 * Messages from the client side. A call's arguments cross as JSON text (an array; null stands for an absent argument),
 * cheaper to write and read than a structured clone; its first argument, the resource, crosses apart as the JSON text
 * of its ResourceInfo, which each side writes and reads once per resource rather than once per call. `warn` asks for
 * the warnings of a write (the onWarning callback stays on the client side).
 */
export type PortRequest =
  | { t: "call"; id: number; method: PortCallMethod; resource: string; args: string; warn: boolean }
  | { t: "watch"; id: number; args: unknown[] }
  /** The client consumed `n` events of watch `id` (the server keeps at most a window of unconsumed events in flight). */
  | { t: "ack"; id: number; n: number }
  /** The client stopped watch `id`. */
  | { t: "cancel"; id: number };

/** Messages from the serving side. */
export type PortReply =
  /** `value` is the JSON text of the answer. */
  | { t: "result"; id: number; value: string; warnings?: string[] }
  /**
   * The answer is an object given as the stored JSON it decodes from (without metadata.resourceVersion, which
   * travels beside it), so the serving side need not serialize it.
   */
  | { t: "result"; id: number; stored: string; resourceVersion: string; warnings?: string[] }
  | { t: "error"; id: number; error: PortError }
  | { t: "events"; id: number; events: PortWatchEvent[] }
  /** Watch `id` ended: cleanly (no error) or with `error`. */
  | { t: "end"; id: number; error?: PortError };

/**
 * One watch event as it crosses: the object itself, or the stored JSON it decodes from (without
 * metadata.resourceVersion, which travels beside it), so the serving side need not serialize it.
 */
export type PortWatchEvent =
  | { type: string; object: unknown }
  | { type: string; stored: string; resourceVersion: string };

/** The object a stored JSON text and its resourceVersion stand for (decoded on the receiving side). */
export function decodeStored(stored: string, resourceVersion: string): Record<string, unknown> & { metadata?: Record<string, unknown> } {
  const object = JSON.parse(stored) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  // The object was just decoded and is nobody else's: its metadata takes the version in place.
  const metadata = object.metadata;
  if (typeof metadata === "object" && metadata !== null) metadata.resourceVersion = resourceVersion;
  else object.metadata = { resourceVersion };
  return object;
}

/** How `error` crosses the port. */
export function toPortError(error: unknown): PortError {
  if (error instanceof StatusError) return { status: error.status, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error `e` stands for on the receiving side: a StatusError when it carried a Status. */
export function fromPortError(e: PortError): Error {
  return e.status !== undefined ? new StatusError(e.status) : new Error(e.message);
}

/**
 * Collects messages and posts them as one array at the next turn of the event loop: posting has a fixed cost per
 * message (about as much as cloning a 2 KB object), and calls and answers come in bursts.
 */
export class Outbox<M> {
  private pending: M[] = [];
  private scheduled = false;
  /** Counts the posts: a message queued in this round may still be added to. */
  round = 0;

  constructor(private readonly post: (batch: M[]) => void) {}

  /** Queues `message`. */
  push(message: M): void {
    this.pending.push(message);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Posts what is queued now. */
  flush(): void {
    this.scheduled = false;
    this.round++;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.post(batch);
  }
}

/** Unconsumed watch events the serving side sends ahead before waiting for an ack. */
export const portWatchWindow = 4096;
