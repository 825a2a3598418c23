import { badRequest } from "../../api/status-error.js";
import type { RequestContext } from "./context.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { tableOf, type TableRequest } from "./table.js";

/**
 * GET of one object (also its `status`): the object, or a one-row Table when the client asked for one. A
 * `resourceVersion` that is not a non-negative integer is a 400 (any valid one is served from the latest state).
 */
export async function getObject(ctx: RequestContext, route: ResourceRoute & { name: string }, table: TableRequest | undefined): Promise<Reply> {
  const rv = ctx.query.get("resourceVersion");
  if (rv !== null && rv !== "" && !/^[0-9]+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  const obj = await ctx.client.get(route.resource, route.namespace, route.name);
  if (table) return objectReply(200, tableOf(route.resource, [obj], table, { resourceVersion: obj.metadata?.resourceVersion }));
  return objectReply(200, obj);
}
