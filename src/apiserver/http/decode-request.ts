import type { ResourceInfo } from "../../api/resources.js";
import type { KubeObject } from "../../api/types.js";
import type { WriteOptions } from "../../client/client.js";
import { readBody } from "./body.js";
import type { RequestContext } from "./context.js";
import { bodyFormat, decodeObjectBody, type BodyFormat } from "./negotiate.js";
import { applyTypeMeta } from "./object-meta.js";

/**
 * Reads the raw body within the size limit (413 past it) and its format from Content-Type (415 when unknown).
 * The Content-Type is checked before reading unless `optional` (an empty optional body needs no known type).
 */
export async function readRawBody(ctx: RequestContext, optional = false): Promise<{ body: Buffer; format: BodyFormat }> {
  const contentType = ctx.req.headers["content-type"];
  if (!optional) bodyFormat(contentType);
  const body = await readBody(ctx.req, ctx.res, ctx.maxBodyBytes, ctx.signal);
  return { body, format: body.length > 0 ? bodyFormat(contentType) : "json" };
}

/**
 * Reads and decodes the request body as an object of `expectKind`'s resource (type meta defaulted and checked),
 * or, without a resource, as any object (subresource bodies such as Binding and Eviction).
 */
export async function readObject(ctx: RequestContext, expectKind: ResourceInfo | undefined, kindName: string): Promise<KubeObject> {
  const { body, format } = await readRawBody(ctx);
  const obj = decodeObjectBody(body, format, kindName);
  if (expectKind) applyTypeMeta(obj, expectKind);
  return obj;
}

/** Write options with warnings routed to the response's `Warning` headers. */
export function withWarnings<T extends WriteOptions>(ctx: RequestContext, options: T): T {
  return { ...options, onWarning: (message: string) => { ctx.warnings.push(message); } };
}
