import { mastersGroup } from "./authz.js";
import { nodeIdentity } from "./authz-node.js";
import type { RequestContext } from "./context.js";
import { readObject, withWarnings } from "./decode-request.js";
import { parseWriteQuery } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import { answerTokenRequest, tokensNotServed } from "./token-request.js";
import type { ResourceRoute } from "./router.js";

const bodyKinds: Record<string, string> = { binding: "Binding", eviction: "Eviction" };

/** A TokenRequest for the ServiceAccount of the path (ServiceAccounts and bound objects read unrestricted, as upstream; a node's tokens bound to its pods). */
async function tokenRequest(ctx: RequestContext, route: ResourceRoute & { name: string }): Promise<Reply> {
  if (!ctx.serviceAccountTokens || route.namespace === undefined) throw tokensNotServed();
  const body = await readObject(ctx, undefined, "TokenRequest");
  parseWriteQuery(ctx.query, "CreateOptions");
  const node = ctx.user.groups.includes(mastersGroup) ? undefined : nodeIdentity(ctx.user);
  return objectReply(201, await answerTokenRequest(ctx.baseClient, ctx.serviceAccountTokens, route.namespace, route.name, body, ctx.now(), node));
}

/**
 * POST to an action subresource (`pods/<name>/binding`, `pods/<name>/eviction`): the body goes to the registry
 * as is; 201 with its answer (a Success Status gets code 201 as upstream's create handler fills it in).
 */
export async function createSubresource(ctx: RequestContext, route: ResourceRoute & { name: string; subresource: string }): Promise<Reply> {
  if (route.resource.group === "" && route.resource.resource === "serviceaccounts" && route.subresource === "token") return tokenRequest(ctx, route);
  const kind = bodyKinds[route.subresource] ?? route.resource.kind;
  const body = await readObject(ctx, undefined, kind);
  const options = withWarnings(ctx, parseWriteQuery(ctx.query, "CreateOptions"));
  const result = await ctx.client.createSubresource(route.resource, route.namespace, route.name, route.subresource, body, options);
  return objectReply(201, result.kind === "Status" && !result.code ? { ...result, code: 201 } : result);
}
