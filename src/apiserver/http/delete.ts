import type { RequestContext } from "./context.js";
import { readDeleteOptions } from "./delete-options.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/**
 * DELETE of one object: 200 with what the registry answers (the object, or a Success Status). As upstream,
 * 202 only when deletion is still pending and the caller set orphanDependents=false.
 */
export async function deleteObject(ctx: RequestContext, route: ResourceRoute & { name: string }): Promise<Reply> {
  const options = await readDeleteOptions(ctx);
  const result = await ctx.client.delete(route.resource, route.namespace, route.name, options);
  const pending = result.kind !== "Status" && result.metadata?.deletionTimestamp !== undefined;
  return objectReply(pending && options.orphanDependents === false ? 202 : 200, result);
}
