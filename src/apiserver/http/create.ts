import { isReviewResource } from "../../api/resources.js";
import type { RequestContext } from "./context.js";
import { answerReview } from "./reviews.js";
import { readObject, withWarnings } from "./decode-request.js";
import { ensureNamespace } from "./object-meta.js";
import { managerFromUserAgent, parseWriteQuery } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/** POST on a collection: decodes the body, checks its namespace, creates it; 201 with the stored object. */
export async function createObject(ctx: RequestContext, route: ResourceRoute): Promise<Reply> {
  if (isReviewResource(route.resource)) {
    const review = await readObject(ctx, undefined, route.resource.kind);
    return objectReply(201, await answerReview(ctx.baseClient, route.resource.kind, review, ctx.user, route.namespace, ctx.now()));
  }
  const obj = await readObject(ctx, route.resource, route.resource.kind);
  const options = parseWriteQuery(ctx.query, "CreateOptions");
  options.fieldManager ??= managerFromUserAgent(ctx.req.headers["user-agent"]);
  ensureNamespace(obj, route.namespace);
  const created = await ctx.client.create(route.resource, route.namespace, obj, withWarnings(ctx, options));
  return objectReply(201, created);
}
