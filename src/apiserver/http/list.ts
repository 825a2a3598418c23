import type { ListOptions } from "../../client/client.js";
import type { RequestContext } from "./context.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { tableOf, type TableRequest } from "./table.js";

/** GET of a collection: the list, or a Table carrying the list's resourceVersion and continue token. */
export async function listObjects(ctx: RequestContext, route: ResourceRoute, options: ListOptions, table: TableRequest | undefined): Promise<Reply> {
  const list = await ctx.client.list(route.resource, route.namespace, options);
  if (!table) return objectReply(200, list);
  return objectReply(200, tableOf(route.resource, list.items, table, { resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue }));
}
