import { statusError, type StatusError } from "../../api/status-error.js";
import type { RequestContext } from "./context.js";
import { createObject } from "./create.js";
import { deleteCollection } from "./delete-collection.js";
import { deleteObject } from "./delete.js";
import { getObject } from "./get.js";
import { listObjects } from "./list.js";
import { negotiateOutput } from "./negotiate.js";
import { patchObject } from "./patch.js";
import { podStream } from "./pod-exec.js";
import { podLog } from "./pod-log.js";
import { podPortForward } from "./pod-port-forward.js";
import { nodeProxy } from "./node-proxy.js";
import { parseListQuery, queryBool } from "./query.js";
import type { Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";
import { createSubresource } from "./subresource.js";
import { tableRequest, type TableRequest } from "./table.js";
import { updateObject } from "./update.js";
import { serveWatch, type WatchLimits } from "./watch.js";

/** 405 as upstream answers a method a path does not serve. */
export function methodNotAllowed(): StatusError {
  return statusError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
}

/** True when the request is a watch (GET with `watch` set) or a followed log, which run without the request deadline. */
export function isWatchRequest(method: string | undefined, route: ResourceRoute, query: URLSearchParams): boolean {
  if (method === "GET" && route.subresource === "log") return queryBool(query, "follow") ?? false;
  return method === "GET" && route.subresource === undefined && (queryBool(query, "watch") ?? false);
}

/** Serves a request on a resource path: picks the verb from the method and path shape and runs it. */
export async function serveResource(ctx: RequestContext, route: ResourceRoute, limits: WatchLimits): Promise<Reply> {
  const method = ctx.req.method ?? "GET";
  const { resource, name, subresource } = route;
  const allow = (verb: string): void => {
    if (!resource.verbs.includes(verb)) throw methodNotAllowed();
  };
  if (name === undefined) {
    const clusterWide = resource.namespaced && route.namespace === undefined;
    switch (method) {
      case "GET": {
        const q = parseListQuery(ctx.query, resource);
        allow(q.watch ? "watch" : "list");
        const table = tableFor(ctx);
        return q.watch ? serveWatch(ctx, route, q.watchOptions, table, limits) : listObjects(ctx, route, q.list, table);
      }
      case "POST":
        if (clusterWide) throw methodNotAllowed();
        allow("create");
        return createObject(ctx, route);
      case "DELETE":
        if (clusterWide) throw methodNotAllowed();
        allow("deletecollection");
        return deleteCollection(ctx, route);
      default:
        throw methodNotAllowed();
    }
  }
  const named = { ...route, name };
  if (subresource !== undefined) {
    if (subresource === "status") {
      if (method === "GET") return getObject(ctx, named, tableFor(ctx));
      if (method === "PUT") return updateObject(ctx, named);
      if (method === "PATCH") return patchObject(ctx, named);
      throw methodNotAllowed();
    }
    if (subresource === "log") {
      if (method === "GET") return podLog(ctx, named, ctx.nodeConnector);
      throw methodNotAllowed();
    }
    if (subresource === "proxy") return nodeProxy(ctx, named, ctx.nodeConnector);
    if (subresource === "exec" || subresource === "attach") {
      if (method === "GET" || method === "POST") return podStream(ctx, named, subresource, ctx.nodeConnector);
      throw methodNotAllowed();
    }
    if (subresource === "portforward") {
      if (method === "GET" || method === "POST") return podPortForward(ctx, named, ctx.nodeConnector);
      throw methodNotAllowed();
    }
    if (method === "POST") return createSubresource(ctx, { ...named, subresource });
    throw methodNotAllowed();
  }
  switch (method) {
    case "GET": {
      if (queryBool(ctx.query, "watch")) {
        const q = parseListQuery(ctx.query, resource);
        allow("watch");
        return serveWatch(ctx, route, q.watchOptions, tableFor(ctx), limits);
      }
      allow("get");
      return getObject(ctx, named, tableFor(ctx));
    }
    case "PUT":
      allow("update");
      return updateObject(ctx, named);
    case "PATCH":
      allow("patch");
      return patchObject(ctx, named);
    case "DELETE":
      allow("delete");
      return deleteObject(ctx, named);
    default:
      throw methodNotAllowed();
  }
}

/** The Table request when Accept asks for a meta.k8s.io Table; undefined for plain objects. */
function tableFor(ctx: RequestContext): TableRequest | undefined {
  const choice = negotiateOutput(ctx.req.headers.accept, { table: true });
  return choice.table ? tableRequest(ctx.query, choice.table, ctx.now()) : undefined;
}
