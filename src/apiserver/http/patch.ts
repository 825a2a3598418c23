import { badRequest, fieldErrors, type FieldError } from "../../api/status-error.js";
import type { PatchOptions, PatchType } from "../../client/client.js";
import { readBody } from "./body.js";
import { parseJsonText, parseYamlText } from "./body-text.js";
import type { RequestContext } from "./context.js";
import { withWarnings } from "./decode-request.js";
import { patchTypeOf } from "./negotiate.js";
import { managerFromUserAgent, parseWriteQuery, queryBool } from "./query.js";
import { objectReply, type Reply } from "./reply.js";
import type { ResourceRoute } from "./router.js";

/**
 * PATCH of an object (or its `status`) in one of the four patch types the Content-Type names (415 otherwise).
 * Answers 200 with the patched object, or 201 when a server-side apply created it.
 */
export async function patchObject(ctx: RequestContext, route: ResourceRoute & { name: string }): Promise<Reply> {
  const type = patchTypeOf(ctx.req.headers["content-type"]);
  const body = await readBody(ctx.req, ctx.res, ctx.maxBodyBytes, ctx.signal);
  const force = queryBool(ctx.query, "force");
  const extra: FieldError[] = [];
  if (type === "apply" && !ctx.query.get("fieldManager")) extra.push(fieldErrors.required("fieldManager", "is required for apply patch"));
  if (type !== "apply" && force !== undefined) extra.push(fieldErrors.forbidden("force", "may not be specified for non-apply patch"));
  const options: PatchOptions = withWarnings(ctx, parseWriteQuery(ctx.query, "PatchOptions", extra));
  options.fieldManager ??= managerFromUserAgent(ctx.req.headers["user-agent"]);
  if (force) options.force = true;
  if (route.subresource) options.subresource = route.subresource;
  const patch = decodePatch(body, type);
  const { object, created } = await ctx.client.patchWithOutcome(route.resource, route.namespace, route.name, type, patch, options);
  return objectReply(created ? 201 : 200, object);
}

/** Decodes a patch body: JSON for json/merge/strategic patches, YAML (or JSON) for apply; 400 when malformed. */
function decodePatch(body: Buffer, type: PatchType): unknown {
  const text = body.toString("utf8");
  if (type === "apply") {
    try {
      return parseYamlText(text);
    } catch (err) {
      throw badRequest(`error decoding YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    }
  }
  try {
    return parseJsonText(text);
  } catch (err) {
    const why = text.trim() === "" ? "unexpected end of JSON input" : err instanceof Error ? err.message : String(err);
    throw badRequest(type === "json" ? why : `error decoding patch: ${why}`);
  }
}
