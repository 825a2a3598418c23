import type { RequestContext } from "./context.js";
import { readObject, withWarnings } from "./decode-request.js";
import { checkName, ensureNamespace } from "./object-meta.js";
import { managerFromUserAgent, parseWriteQuery } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/** PUT on an object (or its `status`): the body must name the same object; 200 with the stored object. */
export async function updateObject(ctx: RequestContext, route: ResourceRoute & { name: string }): Promise<Reply> {
  const obj = await readObject(ctx, route.resource, route.resource.kind);
  const options = withWarnings(ctx, parseWriteQuery(ctx.query, "UpdateOptions"));
  options.fieldManager ??= managerFromUserAgent(ctx.req.headers["user-agent"]);
  checkName(obj, route.name);
  ensureNamespace(obj, route.namespace);
  const updated = route.subresource === "status"
    ? await ctx.client.updateStatus(route.resource, route.namespace, obj, options)
    : await ctx.client.update(route.resource, route.namespace, obj, options);
  return objectReply(200, updated);
}
