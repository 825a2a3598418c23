import type { ListOptions } from "../../client/client.js";
import type { RequestContext } from "./context.js";
import { jsonArrayChunks } from "./json-chunks.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { tableChunks, tableOf, type TableRequest } from "./table.js";

/**
 * GET of a collection: the list, or a Table carrying the list's resourceVersion and continue token. Compact JSON is
 * rendered item by item as the connection takes it; a request served by the unwrapped client reads the store's own
 * objects (ctx.listShared) instead of copies, since they are only serialized.
 */
export async function listObjects(ctx: RequestContext, route: ResourceRoute, options: ListOptions, table: TableRequest | undefined): Promise<Reply> {
  const shared = ctx.listShared !== undefined && ctx.client === ctx.baseClient;
  const list = shared && ctx.listShared ? await ctx.listShared(route.resource, route.namespace, options) : await ctx.client.list(route.resource, route.namespace, options);
  const meta = { resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue };
  if (ctx.encoding.mediaType !== "application/json" || ctx.encoding.pretty) {
    return objectReply(200, table ? tableOf(route.resource, list.items, table, meta) : list);
  }
  if (table) return { kind: "chunks", code: 200, chunks: tableChunks(route.resource, list.items, table, meta) };
  const { items, ...envelope } = list;
  return { kind: "chunks", code: 200, chunks: jsonArrayChunks({ ...envelope, items: [] }, "items", items, (item) => JSON.stringify(item)) };
}
