import type { ServerResponse } from "node:http";
import { escapeFieldValue } from "../../api/field-selector.js";
import type { ResourceInfo } from "../../api/resources.js";
import { internalError, StatusError } from "../../api/status-error.js";
import type { KubeObject } from "../../api/types.js";
import type { WatchEvent, WatchOptions } from "../../client/client.js";
import type { RequestContext } from "./context.js";
import { setCommonHeaders, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { tableOf, type TableRequest } from "./table.js";
import { watchLine } from "./watch-lines.js";

/** Bounds of one watch stream. */
export interface WatchLimits {
  /** Used when the client gives no timeoutSeconds. */
  defaultTimeoutSeconds: number;
  /** A client that has not drained its socket buffer for this long is disconnected. */
  stallTimeoutMs: number;
}

/**
 * Streams a watch as chunked JSON lines (`{"type":…,"object":…}`), each written as it arrives (the events' objects are
 * only serialized, so a client whose watch hands out shared objects fits; an event carrying `stored`, the stored JSON
 * its object decodes from, is written from that text). Ends when the
 * client disconnects, the timeout passes, or after an ERROR event; the Client watch is aborted in every case.
 * A watch on one object (`route.name`) selects `metadata.name`. With a Table request every object event
 * carries a one-row Table. Writes wait for the socket to drain, so a slow reader holds at most one event in
 * memory beyond the socket buffer, and is dropped after `stallTimeoutMs`.
 */
export async function serveWatch(ctx: RequestContext, route: ResourceRoute, options: WatchOptions, table: TableRequest | undefined, limits: WatchLimits): Promise<Reply> {
  const res = ctx.res;
  const opts: WatchOptions = { ...options, timeoutSeconds: options.timeoutSeconds ?? limits.defaultTimeoutSeconds };
  if (route.name !== undefined) {
    const byName = `metadata.name=${escapeFieldValue(route.name)}`;
    opts.fieldSelector = opts.fieldSelector ? `${byName},${opts.fieldSelector}` : byName;
  }
  const abort = new AbortController();
  // A watch the client refuses outright (bad selector or resourceVersion) is answered as a plain error.
  let iterator: AsyncIterator<WatchEvent>;
  try {
    iterator = ctx.client.watch(route.resource, route.namespace, opts, abort.signal)[Symbol.asyncIterator]();
  } catch (err) {
    abort.abort();
    throw err;
  }
  const stop = (): void => abort.abort();
  res.once("close", stop);
  ctx.signal.addEventListener("abort", stop, { once: true });
  const timer = setTimeout(stop, (opts.timeoutSeconds ?? limits.defaultTimeoutSeconds) * 1000);

  res.statusCode = 200;
  setCommonHeaders(res, ctx.warnings);
  res.setHeader("Content-Type", "application/json");
  res.flushHeaders();

  let clean = true;
  try {
    for (;;) {
      const step = await nextUnlessAborted(iterator, abort.signal);
      if (step === "aborted" || step.done) break;
      const event = step.value;
      const stored = (event as { stored?: unknown }).stored;
      const line = table || event.type === "ERROR"
        ? `${JSON.stringify(encodeEvent(event, route.resource, table))}\n`
        : watchLine(event.type, event.object, typeof stored === "string" ? stored : undefined);
      if (!(await writeLine(res, line, abort.signal, limits.stallTimeoutMs))) {
        clean = false;
        break;
      }
      if (event.type === "ERROR") break;
    }
  } catch (err) {
    if (!abort.signal.aborted) {
      if (!(err instanceof StatusError)) ctx.log(`watch ${route.resource.resource} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      const status = err instanceof StatusError ? err.status : internalError(err instanceof Error ? err.message : String(err)).status;
      await writeLine(res, `${JSON.stringify({ type: "ERROR", object: status })}\n`, abort.signal, limits.stallTimeoutMs);
    }
  } finally {
    clearTimeout(timer);
    res.off("close", stop);
    ctx.signal.removeEventListener("abort", stop);
    abort.abort();
    iterator.return?.().catch(() => undefined);
    if (!clean) res.destroy();
    else if (!res.writableEnded) res.end();
  }
  return { kind: "streamed" };
}

/**
 * The iterator's next step, or "aborted" as soon as `signal` aborts (a late step is then dropped). Each call
 * removes its own abort listener when it settles, so nothing accumulates over the steps of a long watch.
 */
function nextUnlessAborted<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T> | "aborted"> {
  if (signal.aborted) return Promise.resolve("aborted");
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    iterator.next().then(
      (step) => { signal.removeEventListener("abort", onAbort); resolve(step); },
      (err: unknown) => { signal.removeEventListener("abort", onAbort); reject(err instanceof Error ? err : new Error(String(err))); },
    );
  });
}

/** One event as written on the wire, object events as Tables when asked. */
function encodeEvent(event: WatchEvent, resource: ResourceInfo, table: TableRequest | undefined): WatchEvent | { type: string; object: object } {
  if (!table || event.type === "ERROR") return event;
  const obj = event.object as KubeObject;
  const resourceVersion = obj.metadata?.resourceVersion;
  if (event.type === "BOOKMARK") {
    const apiVersion = `meta.k8s.io/${table.version}`;
    return { type: event.type, object: { kind: "Table", apiVersion, metadata: { resourceVersion }, columnDefinitions: [], rows: [] } };
  }
  return { type: event.type, object: tableOf(resource, [obj], table, { resourceVersion }) };
}

/**
 * Writes one line; when the socket buffer is full, waits for it to drain. False when the client
 * stalled past `stallMs` (the caller drops the connection); true otherwise, also when the watch was aborted.
 */
async function writeLine(res: ServerResponse, line: string, signal: AbortSignal, stallMs: number): Promise<boolean> {
  if (signal.aborted || res.destroyed || res.writableEnded) return true;
  if (res.write(line)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      res.off("drain", onDrain);
      signal.removeEventListener("abort", onAbort);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onAbort = (): void => done(true);
    const timer = setTimeout(() => done(false), stallMs);
    res.on("drain", onDrain);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
