import type { RequestContext } from "./context.js";
import { readDeleteOptions } from "./delete-options.js";
import { parseListQuery } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/** DELETE on a collection: deletes what the list query selects; 200 with the list of deleted objects. */
export async function deleteCollection(ctx: RequestContext, route: ResourceRoute): Promise<Reply> {
  const { list } = parseListQuery(ctx.query, route.resource);
  const options = await readDeleteOptions(ctx);
  const deleted = await ctx.client.deleteCollection(route.resource, route.namespace, list, options);
  return objectReply(200, deleted);
}
