import type { RequestContext } from "./context.js";
import { readObject, withWarnings } from "./decode-request.js";
import { ensureNamespace } from "./object-meta.js";
import { parseWriteQuery } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/** POST on a collection: decodes the body, checks its namespace, creates it; 201 with the stored object. */
export async function createObject(ctx: RequestContext, route: ResourceRoute): Promise<Reply> {
  const obj = await readObject(ctx, route.resource, route.resource.kind);
  const options = parseWriteQuery(ctx.query, "CreateOptions");
  ensureNamespace(obj, route.namespace);
  const created = await ctx.client.create(route.resource, route.namespace, obj, withWarnings(ctx, options));
  return objectReply(201, created);
}
